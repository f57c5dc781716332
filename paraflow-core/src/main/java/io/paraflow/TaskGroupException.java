package io.paraflow;

/**
 * Thrown by {@link TaskGroup#await()} when tasks of the group failed. The cause is the first failure;
 * {@link #failedCount()} says how many failed (each failed task's own {@code get()} gives its failure).
 */
public final class TaskGroupException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final int failed;

    /** Creates the exception for a group in which {@code failed} tasks failed, the first with {@code first}. */
    public TaskGroupException(String group, int failed, Throwable first) {
        super(failed + " task(s) of group '" + group + "' failed; first: " + first, first);
        this.failed = failed;
    }

    /** How many tasks of the group failed (cancellations not counted). */
    public int failedCount() {
        return failed;
    }
}
