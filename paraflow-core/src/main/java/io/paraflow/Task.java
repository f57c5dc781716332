package io.paraflow;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;

/**
 * The future result of a submitted task; passing it to another submission makes a dependency.
 *
 * <p>A task is a {@link Future} and a {@link CompletionStage}. It is completed by its flow only: the
 * {@code CompletableFuture} completion methods ({@code complete}, {@code obtrudeValue}, {@code orTimeout}
 * and the like) throw {@link UnsupportedOperationException} on a task's {@link #toCompletableFuture()}.
 * Outcomes as seen by {@link #get()}:
 * <ul>
 *   <li>success: the function's result (or the fallback value, if the task failed and has one);</li>
 *   <li>failure: {@link java.util.concurrent.ExecutionException} whose cause is a {@link TaskException}:
 *       {@link TaskFailedException} (its cause is what the function threw), {@link TaskTimeoutException},
 *       or {@link DependencyFailedException};</li>
 *   <li>cancellation: {@link TaskCancelledException}.</li>
 * </ul>
 *
 * <p>Thread-safe. Waiting for a task from inside another task of the same flow is allowed: the waiting
 * worker runs other queued tasks meanwhile, so it cannot starve the pool.
 *
 * @param <T> the result type
 */
public interface Task<T> extends Future<T>, CompletionStage<T> {

    /** The task's id, unique within its flow, increasing in submission order. */
    long id();

    /** The task's name: the one given with {@link Flow#task(String)}, or one derived from its function. */
    String name();

    /**
     * Waits for the task and returns its result, like {@link #get()} but without checked exceptions.
     *
     * @throws java.util.concurrent.CompletionException with the {@link TaskException} as cause, if it failed
     * @throws TaskCancelledException if it was cancelled
     */
    T join();

    /**
     * Cancels the task: a task not yet started never runs, a running one is interrupted (if
     * {@code mayInterruptIfRunning}; a task in a worker process has its process killed), and every task
     * that depends on it is cancelled too. Returns {@code false} if the task had already ended, and
     * when called from the task's own retry policy or from a listener while the task's failed attempt
     * is being decided (the decision stands).
     *
     * <p>The task ends at once; its function, if it was running, may still be finishing on its thread
     * (a function that ignores interrupts runs to its end). {@link Flow#close()} waits for such
     * functions; {@link Flow#awaitAll()} and {@link TaskGroup#await()} do not.
     */
    @Override
    boolean cancel(boolean mayInterruptIfRunning);
}
