package io.paraflow.exec;

/**
 * One attempt of a task whose dependencies have finished, handed by the flow to a {@link TaskExecutor}.
 * The executor either runs it in-process with {@link #run()}, or ships {@link #invocation()} elsewhere
 * and reports the outcome with {@link #succeeded} or {@link #failed}. Exactly one of these must happen
 * for each attempt handed to {@link TaskExecutor#execute}.
 *
 * <p>The same task object comes back for each retry, so an executor that runs tasks elsewhere keeps the
 * {@link #attempt()} number it received with the task and passes it to every report: a report for an
 * attempt that is no longer current (a killed process answering late, after its attempt timed out and
 * the next one started) is ignored, as are reports for an attempt that was cancelled.
 *
 * <p>All methods are thread-safe.
 */
public interface ReadyTask {

    /** The task's id, unique within its flow. */
    long id();

    /** The task's name. */
    String name();

    /** The number of this attempt, starting at 1. */
    int attempt();

    /** The resources the task asked for; an executor must reserve them while the attempt runs. */
    Resources resources();

    /** The task's priority: among tasks waiting for a slot, higher runs first. Default 0. */
    int priority();

    /**
     * Runs the attempt on the calling thread and reports its outcome to the flow (which completes the
     * task, retries it, or propagates the failure). The calling thread may be interrupted if the task
     * is cancelled or times out; the interrupt status is cleared before this method returns. Never throws
     * for a failure of the task itself.
     */
    void run();

    /**
     * The function and argument values of this attempt, for executors that run tasks outside this JVM.
     * Everything in it is meant to be serialized. An argument that is a result kept elsewhere
     * ({@link RemoteValue}) is fetched first (blocking the caller), unless the executor
     * {@linkplain TaskExecutor#acceptsRemote accepts it as it is}; if it cannot be fetched, this attempt fails
     * with a {@link io.paraflow.ResultUnavailableException} and this method throws as for a cancelled task.
     *
     * @throws IllegalStateException if the task ended meanwhile (it was cancelled), or is cancelled now
     *                               because its flow is closing with cancellation, or if this attempt failed
     *                               because an argument could not be fetched: drop it, nothing waits for its
     *                               outcome
     */
    Invocation invocation();

    /**
     * The largest of this attempt's arguments that is a result kept elsewhere ({@link RemoteValue}), by
     * {@link RemoteValue#sizeBytes()}, or null if none is: an executor may place the attempt on the worker
     * that holds it. Does not fetch anything.
     */
    default RemoteValue largestRemoteArgument() {
        return null;
    }

    /**
     * Reports that attempt number {@code attempt}, run elsewhere, started on {@code worker}. Executors
     * that run tasks elsewhere should call it as soon as the attempt runs: until then the attempt counts
     * as waiting, so its timeout is not armed and cancelling the task does not call
     * {@link TaskExecutor#stop}. The outcome methods imply it, so an executor that never calls it still
     * completes tasks.
     */
    void started(int attempt, String worker);

    /**
     * Reports that attempt number {@code attempt}, run elsewhere, returned {@code result} on {@code worker}.
     * The result may be a {@link RemoteValue}: the task then ends holding the handle, and the value is
     * fetched when something needs it (see {@link RemoteValue}).
     */
    void succeeded(int attempt, Object result, String worker);

    /** Reports that attempt number {@code attempt}, run elsewhere, failed with {@code error} on {@code worker}. */
    void failed(int attempt, Throwable error, String worker);
}
