package io.paraflow;

import java.time.Duration;

/**
 * An attempt of a task ran longer than the task's timeout. The attempt was interrupted (a thread) or
 * killed (a process); the retry policy sees this exception and may try again.
 */
public final class TaskTimeoutException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    /** Creates the timeout of the given attempt of a task. */
    public TaskTimeoutException(long taskId, String taskName, int attempt, Duration timeout, String worker) {
        this(taskId, taskName, attempt, timeout, worker, "");
    }

    /**
     * Creates the timeout of the given attempt of a task, with what its executor could tell about the
     * attempt (for a command, the last lines it wrote) at the end of the message.
     */
    public TaskTimeoutException(long taskId, String taskName, int attempt, Duration timeout, String worker,
                                String detail) {
        super(taskId, taskName, "task " + describe(taskId, taskName) + " " + reason(timeout)
                + " on attempt " + attempt + " (worker " + worker + ")" + detail, null);
        this.timeout = timeout;
    }

    /** The timeout the attempt exceeded. */
    public Duration timeout() {
        return timeout;
    }

    static String reason(Duration timeout) {
        return "timed out after " + Durations.format(timeout);
    }
}
