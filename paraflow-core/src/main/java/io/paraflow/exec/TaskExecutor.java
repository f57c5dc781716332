package io.paraflow.exec;

import io.paraflow.command.CommandOutput;

import java.util.List;

/**
 * Runs ready tasks: the one interface behind local threads, worker processes and the cluster. A flow can
 * hold several executors; each task picks one by {@link #label()}. The flow owns its executors: it
 * starts handing them tasks after it is built and closes them when it closes.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@link #execute} and {@link #continueWith} are called from any thread, concurrently, and must
 *       not block: queue the task and return.</li>
 *   <li>An attempt holds {@link ReadyTask#resources()} of {@link #capacity()} while it runs: a task asking
 *       for k cores takes k slots, so the sum over running attempts never exceeds the capacity.</li>
 *   <li>Every attempt handed over ends with {@link ReadyTask#run()}, {@link ReadyTask#succeeded} or
 *       {@link ReadyTask#failed}, also when the executor is closing (fail it then).</li>
 *   <li>The flow never hands over a task whose resources do not fit in {@link #capacity()}.</li>
 * </ul>
 */
public interface TaskExecutor extends AutoCloseable {

    /** The label tasks use to choose this executor; unique within a flow. */
    String label();

    /** The resources this executor offers in total, e.g. cores = number of worker threads. */
    Resources capacity();

    /** Queues an attempt to run when slots for its resources are free. Never blocks. */
    void execute(ReadyTask task);

    /**
     * Checks, when a task is submitted to this executor, that it can run {@code function} with the argument
     * values known at that moment (values passed with {@code flow.value(v)}, inputs of {@code map}, results
     * of tasks that already finished; tasks still running are checked when they become ready). Called on
     * the submitting thread, before the task exists; the default accepts everything. An executor that
     * ships tasks elsewhere uses it to refuse what it cannot ship, so that the mistake shows at the line
     * that made it.
     *
     * @param taskName       the task's name, for the message
     * @param knownArguments the argument values known now, in order; null where an argument is not known yet
     * @throws RuntimeException naming the task and what is wrong with it; {@code submit} throws it
     */
    default void checkSubmission(String taskName, Object function, List<Object> knownArguments) {
    }

    /**
     * What an attempt the flow is about to stop because it ran out of time wrote so far, if this executor
     * runs programs whose output it keeps (the command executor): the attempt's
     * {@link io.paraflow.TaskTimeoutException} carries it ({@link io.paraflow.TaskTimeoutException#output()})
     * and its message ends with the last lines. Called once per timed-out attempt, before the attempt is
     * interrupted or stopped, on the flow's timer thread; must return quickly and never throw. The default
     * has none (null). An executor in any package builds it with
     * {@link CommandOutput#readStdoutAndStderr(java.nio.file.Path, java.nio.file.Path)}.
     */
    default CommandOutput timeoutOutput(ReadyTask task) {
        return null;
    }

    /**
     * Queues an attempt that became ready because a task that ran on the calling thread just finished.
     * An executor may run it next on the same worker, where the finished task's data is still in cache.
     * The default queues it like {@link #execute}.
     */
    default void continueWith(ReadyTask task) {
        execute(task);
    }

    /**
     * Whether tasks of this executor take {@code value} (a result kept where it was computed) as an argument
     * as it is, their workers fetching it where they run. If not (the default), the flow fetches the value
     * before it builds {@link ReadyTask#invocation()}, so that the invocation holds the value itself. Called
     * by the thread that builds the invocation; must return quickly and never throw.
     */
    default boolean acceptsRemote(RemoteValue value) {
        return false;
    }

    /**
     * Stops one running attempt that runs outside the calling JVM (kills the process). Attempts run with
     * {@link ReadyTask#run()} are interrupted by the flow through their thread, so in-process executors
     * keep this default, which does nothing.
     */
    default void stop(ReadyTask task) {
    }

    /**
     * The flow ended an attempt handed to this executor that had not started (it was cancelled while it
     * waited): an executor that sent it elsewhere to wait there (a cluster worker's queue) drops it there.
     * Any report of it is ignored from now on. Called at most once per attempt, on the cancelling thread;
     * must not block or throw. The default does nothing: an executor that asks {@link ReadyTask#invocation()}
     * only when it starts an attempt learns then that it ended.
     */
    default void withdraw(ReadyTask task) {
    }

    /**
     * The latest resource figures of each worker of this executor that runs outside this JVM and that a monitor
     * cannot measure itself (cluster workers, possibly on other hosts), at most one per worker, named as in task
     * events. Workers that left are not included. Called periodically from a monitor's own thread (through
     * {@link io.paraflow.event.FlowInfo#workerLoads()}) while tasks run, concurrently with every other method;
     * must not block (return what was last received) and never throw. The default, for executors whose workers
     * are threads or processes of this machine, has none.
     */
    default List<WorkerLoad> workerLoads() {
        return List.of();
    }

    /** Interrupts every attempt that runs now (used when a flow is closed with cancellation). */
    void interruptAll();

    /**
     * Releases the executor's threads or processes. Called by the flow after its tasks ended; returns when
     * every thread the executor started has terminated.
     */
    @Override
    void close();
}
