package io.paraflow.pattern.internal;

import java.util.concurrent.CancellationException;

/**
 * Thrown inside a node's thread when its pattern stops (another node failed, or it was cancelled) while
 * the node waits in the runtime, e.g. in {@code emit} on a full channel. It unwinds the node's code;
 * a node must let it propagate. One instance per node, without a stack trace: it is control flow.
 */
final class StopSignal extends CancellationException {
    private static final long serialVersionUID = 1L;

    StopSignal() {
        super("the pattern stopped");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
