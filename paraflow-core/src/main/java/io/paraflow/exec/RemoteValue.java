package io.paraflow.exec;

import io.paraflow.ResultUnavailableException;

/**
 * A handle to a task's result that stays where it was computed (on a worker, in a cluster's data grid)
 * until someone needs it. An executor that runs tasks elsewhere may report one as the result of an attempt
 * ({@link ReadyTask#succeeded}); the task then ends at once, its dependents are released, and the value is
 * {@linkplain #fetch() fetched} once, on first need, and kept:
 * <ul>
 *   <li>when user code reads the task ({@code get}, {@code join}, {@code getNow}, {@code toCompletableFuture},
 *       or a stage chained on it: {@code thenApply}, {@code whenComplete}...), on the reading thread. A stage
 *       chained before the task ended (or a {@code getNow} before it ended) makes the fetch happen as soon as it
 *       ends, on the flow's callback threads (those of {@code *Async} stages), never on the thread that reports
 *       the outcome; the task counts as ended for {@code awaitAll} and {@code close} once that fetch is done, and
 *       a fetch that fails there completes the task's future with the {@link ResultUnavailableException}.
 *       {@code isDone()} is true once the task ended, fetched or not;</li>
 *   <li>when the task is memoized and the flow has a checkpoint store (its value is written there), also on
 *       the callback threads; without a store the memo keeps the handle itself and fetches nothing. A memoized
 *       task that takes a kept value as an argument is memoized only if the task that produced the value is
 *       memoized too (its key stands for the value): the value is never fetched to fingerprint it;</li>
 *   <li>when a task running in this JVM ({@code all}, {@code reduce}, a task on threads) takes it as an
 *       argument;</li>
 *   <li>when an executor builds an {@link ReadyTask#invocation()} for a task that takes it as an argument,
 *       unless the executor {@linkplain TaskExecutor#acceptsRemote accepts the handle itself} (its workers
 *       fetch it where they run). The flow fetches such arguments on its callback threads before it hands
 *       the task to the executor, so an executor's own threads do not wait for a fetch.</li>
 * </ul>
 * Users never see the handle, only the value or a {@link ResultUnavailableException}. One exception: on JDK 19
 * and later, {@code Future.state()}, {@code resultNow()} and {@code exceptionNow()} read the future as it is and
 * see a task whose value was not fetched yet as still running; {@code get} or {@code join} fetch it.
 *
 * <p>Implementations say where the value is and how to load it ({@link #load}); this class makes sure
 * {@code load} runs at most once per handle (again only if it was interrupted) and keeps what it returned.
 * Thread-safe.
 */
public abstract class RemoteValue {
    private final long taskId;
    private final String taskName;
    private final String location;
    private final long sizeBytes;
    /** Guarded by {@code this}; published by {@link #fetched}. */
    private Object value;
    private ResultUnavailableException failure;
    private volatile boolean fetched;

    /**
     * A handle to the result of {@code producer}'s current attempt.
     *
     * @param location  where the value is kept: the worker's name, as the executor reports it
     * @param sizeBytes the size of the value in its serialized form, for placement decisions
     */
    protected RemoteValue(ReadyTask producer, String location, long sizeBytes) {
        this.taskId = producer.id();
        this.taskName = producer.name();
        this.location = location;
        this.sizeBytes = sizeBytes;
    }

    /** The worker where the value is kept (its name). */
    public final String location() {
        return location;
    }

    /** The size of the value in its serialized form, in bytes. */
    public final long sizeBytes() {
        return sizeBytes;
    }

    /**
     * The value: loaded on the first call (blocking the caller while it is), then kept. A failure to load is
     * kept too and thrown again to every caller; an interrupted load, or one that threw an {@link Error} (such
     * as an {@link OutOfMemoryError} while deserializing a large value), is not, so the next call tries again.
     * Either way the caller gets a {@link ResultUnavailableException}: this method throws nothing else.
     *
     * @throws ResultUnavailableException naming the task, the worker and the cause, if it cannot be loaded
     */
    public final Object fetch() {
        if (!fetched) {
            synchronized (this) {
                if (!fetched) {
                    loadOnce();
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return value;
    }

    /** Whether {@link #fetch} has loaded the value (or failed to) already. */
    public final boolean isFetched() {
        return fetched;
    }

    private void loadOnce() {
        try {
            value = load();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResultUnavailableException(taskId, taskName, location, e);
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new ResultUnavailableException(taskId, taskName, location, e);
            }
            failure = new ResultUnavailableException(taskId, taskName, location, e);
        } catch (Error e) {
            throw new ResultUnavailableException(taskId, taskName, location, e);
        }
        fetched = true;
    }

    /**
     * Brings the value here. Called at most once per handle by {@link #fetch} (again only after an interrupted
     * call), on whatever thread needs the value first.
     *
     * @throws Exception if the value cannot be loaded; the message should say why (lost, closed, tampered)
     */
    protected abstract Object load() throws Exception;

    @Override
    public String toString() {
        return "RemoteValue[task " + taskName + " (#" + taskId + ") on " + location + ", " + sizeBytes + " bytes"
                + (fetched ? ", fetched" : "") + "]";
    }
}
