package io.paraflow;

/** A task was submitted to a flow that is closing or closed. */
public final class FlowClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception; the message names the flow and the task that was refused. */
    public FlowClosedException(String message) {
        super(message);
    }
}
