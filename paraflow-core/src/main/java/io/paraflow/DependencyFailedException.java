package io.paraflow;

/**
 * The task never ran because a task it depends on failed. Names this task and the task that failed
 * first (the root); the cause is the root's own failure, so the original exception and its stack
 * trace are one {@link #getCause()} away.
 */
public final class DependencyFailedException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final long failedTaskId;
    private final String failedTaskName;

    /**
     * Creates the failure of task {@code taskId} caused by the failure of task {@code failedTaskId}.
     *
     * @param rootFailure the failure of the root task (not of an intermediate dependent)
     */
    public DependencyFailedException(long taskId, String taskName, long failedTaskId, String failedTaskName,
                                     Throwable rootFailure) {
        super(taskId, taskName, "task " + describe(taskId, taskName) + " cannot complete: it depends on task "
                + describe(failedTaskId, failedTaskName) + ", which " + whatHappened(rootFailure), rootFailure);
        this.failedTaskId = failedTaskId;
        this.failedTaskName = failedTaskName;
    }

    /** What the root task's failure was, without repeating the root task's name. */
    private static String whatHappened(Throwable rootFailure) {
        if (rootFailure instanceof TaskFailedException failed && failed.getCause() != null) {
            return "failed: " + describe(failed.getCause());
        }
        if (rootFailure instanceof TaskTimeoutException timedOut) {
            return TaskTimeoutException.reason(timedOut.timeout());
        }
        return "failed: " + describe(rootFailure);
    }

    /** The id of the task whose failure came first on the path to this task. */
    public long failedTaskId() {
        return failedTaskId;
    }

    /** The name of the task whose failure came first on the path to this task. */
    public String failedTaskName() {
        return failedTaskName;
    }
}
