package io.paraflow;

/**
 * Base of every error the runtime reports about a run: a task that failed, timed out or could not run
 * because a task it depends on failed, and failures of the runtime itself (an executor that broke).
 * Misuse of the API is reported with the JDK's argument and state exceptions instead
 * ({@link FlowClosedException}, {@link ResourceRequestException}, {@link NullPointerException}).
 */
public class ParaflowException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message and an optional cause. */
    public ParaflowException(String message, Throwable cause) {
        super(message, cause);
    }
}
