package io.paraflow;

/**
 * A failure of one task; its message names the task (name and id). Subclasses say why it failed.
 * Serializable with primitive and string state only, so that it can cross process boundaries.
 */
public abstract class TaskException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final long taskId;
    private final String taskName;

    /** Creates the exception for the task with the given id and name. */
    protected TaskException(long taskId, String taskName, String message, Throwable cause) {
        super(message, cause);
        this.taskId = taskId;
        this.taskName = taskName;
    }

    /** The id of the task that failed, unique within its flow. */
    public long taskId() {
        return taskId;
    }

    /** The name of the task that failed. */
    public String taskName() {
        return taskName;
    }

    /** How messages name a task: {@code 'name' (#id)}. */
    static String describe(long id, String name) {
        return "'" + name + "' (#" + id + ")";
    }

    /**
     * {@code failure.toString()}, or its class name if that throws: a user's exception whose
     * {@code getMessage()} fails must still fail its task, not stop the task from ending.
     */
    static String describe(Throwable failure) {
        try {
            return String.valueOf(failure);
        } catch (RuntimeException | Error broken) {
            return failure.getClass().getName() + " (its toString() threw " + broken.getClass().getName() + ")";
        }
    }
}
