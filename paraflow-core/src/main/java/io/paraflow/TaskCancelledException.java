package io.paraflow;

import java.util.concurrent.CancellationException;

/**
 * The task was cancelled before it finished: by {@link Task#cancel(boolean)}, because a task it depends
 * on was cancelled, by its group's cancel-on-failure, or by a flow closed with cancellation. It extends
 * {@link CancellationException} so that {@link Task#isCancelled()} and {@link Task#get()} behave as
 * for any cancelled {@link java.util.concurrent.Future}.
 */
public final class TaskCancelledException extends CancellationException {
    private static final long serialVersionUID = 1L;

    private final long taskId;
    private final String taskName;

    /** Creates the cancellation of a task; {@code reason} says who cancelled it. */
    public TaskCancelledException(long taskId, String taskName, String reason) {
        super("task " + TaskException.describe(taskId, taskName) + " was cancelled: " + reason);
        this.taskId = taskId;
        this.taskName = taskName;
    }

    /** The id of the cancelled task. */
    public long taskId() {
        return taskId;
    }

    /** The name of the cancelled task. */
    public String taskName() {
        return taskName;
    }
}
