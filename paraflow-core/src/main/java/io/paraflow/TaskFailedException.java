package io.paraflow;

/**
 * The task's own function threw on its last attempt. The cause is what the function threw, with its
 * stack trace; the message names the task, the executor and worker it ran on, and the attempts made.
 */
public final class TaskFailedException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final String executor;
    private final String worker;
    private final int attempts;

    /**
     * Creates the failure of a task.
     *
     * @param attempts how many attempts ran, including the last one
     */
    public TaskFailedException(long taskId, String taskName, String executor, String worker, int attempts,
                               Throwable cause) {
        super(taskId, taskName, "task " + describe(taskId, taskName) + " failed on " + executor + "/" + worker
                + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": " + describe(cause), cause);
        this.executor = executor;
        this.worker = worker;
        this.attempts = attempts;
    }

    /** The label of the executor the last attempt ran on. */
    public String executor() {
        return executor;
    }

    /** The worker (thread, process or node) the last attempt ran on. */
    public String worker() {
        return worker;
    }

    /** How many attempts ran, including the one that failed last. */
    public int attempts() {
        return attempts;
    }
}
