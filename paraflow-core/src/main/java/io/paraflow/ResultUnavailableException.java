package io.paraflow;

/**
 * A task finished, but its result, kept on the worker or in the cluster where it was computed (see
 * {@link io.paraflow.exec.RemoteValue}), cannot be brought to where it is needed: it was lost with the
 * machines that held it, its executor was closed before it was fetched, or what was read failed
 * authentication or could not be deserialized. The task itself stays finished and its dependents that had
 * the value are unaffected; whoever needed the value here fails with this exception (as the cause of
 * {@link java.util.concurrent.ExecutionException} from {@code get()}, or of the {@link TaskFailedException}
 * of a task that needed it as an argument). The cause says what went wrong. A task that failed with it
 * is not retried: its retry policy is not asked, since fetching again would fail the same way.
 */
public final class ResultUnavailableException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final String worker;

    /**
     * Creates the exception.
     *
     * @param worker where the result was kept
     */
    public ResultUnavailableException(long taskId, String taskName, String worker, Throwable cause) {
        super(taskId, taskName, "the result of task " + describe(taskId, taskName) + ", kept on worker " + worker
                + ", cannot be fetched: " + describe(cause), cause);
        this.worker = worker;
    }

    /** The worker where the result was kept. */
    public String worker() {
        return worker;
    }
}
