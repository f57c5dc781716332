package io.paraflow.event;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Observes the steps of the tasks of a flow. Registered when the flow is built
 * ({@code Flow.builder().listener(...)}); a flow without listeners does no work for them at all.
 *
 * <p>Each step is one call of {@link #onStep} with primitive arguments and references the runtime already
 * holds, so delivering it allocates nothing and reads the clock once (SUBMITTED and READY of a task without
 * dependencies share one reading). Listeners that prefer an immutable value per step wrap a consumer with
 * {@link #ofEvents}, which builds a {@link TaskEvent} per step.
 *
 * <p>Order: the steps of one task arrive in the order of its life: {@code SUBMITTED}, {@code READY} once its
 * dependencies finished, then per attempt {@code STARTED} followed by {@code RETRIED} or an end
 * ({@code FINISHED}, {@code FAILED}); a task may be {@code CANCELLED} or {@code FAILED} (a dependency failed)
 * at any point before it ends, and exactly one end is its last step. Steps of different tasks arrive in no
 * particular order.
 *
 * <p>Threading: {@link #onStep} is called on the thread where the step happens (the submitting thread, a
 * worker, the timer, the thread that completed a dependency), from many threads at once, and no lock is
 * held. It runs on the task's path, so it must be fast and must not block: a listener that does I/O hands
 * the step to its own thread (as the monitoring store does). While {@code READY} or {@code STARTED} is being
 * delivered, a cancellation of that task waits for the call to return, and cancelling that same task from
 * inside the call does nothing (returns {@code false}).
 *
 * <p>Errors: an exception thrown by {@link #onStep} is caught and logged once per flow through
 * {@link System.Logger}; the task is not affected and the other listeners still hear the step.
 *
 * <p>Paired lifecycle calls frame the steps: {@link #flowStarted} comes first, before any step, and
 * {@link #flowClosed} last, once, from {@code Flow.close()} after every task ended and every executor
 * stopped. Both run on the thread that builds or closes the flow and may block (flush, close files).
 */
@FunctionalInterface
public interface TaskListener {

    /**
     * One step of a task's life. See the class comment for order, threading and errors.
     *
     * @param task       the task; read what you need during the call (see {@link TaskInfo})
     * @param step       what happened
     * @param attempt    the attempt the step belongs to, 1-based; 0 on {@code SUBMITTED} and {@code READY}; a
     *                   task that ends before it ever started ends on attempt 1
     * @param worker     the worker it happened on ({@code STARTED}, and {@code RETRIED}, {@code FINISHED},
     *                   {@code FAILED} of an attempt that ran), otherwise {@code null}
     * @param epochNanos when it happened, in nanoseconds since the epoch (monotonic within a flow)
     * @param error      the failure for {@code FAILED} and {@code RETRIED}, the cancellation for
     *                   {@code CANCELLED}, otherwise {@code null}
     */
    void onStep(TaskInfo task, TaskEvent.Kind step, int attempt, String worker, long epochNanos, Throwable error);

    /**
     * Called once by {@code FlowBuilder.build()} before any step of the flow. An exception thrown here
     * makes {@code build()} fail with it, after the flow has been closed again; use it to refuse bad
     * configuration (an unwritable file) at start. The default does nothing.
     */
    default void flowStarted(FlowInfo flow) {
    }

    /**
     * Called once by {@code Flow.close()} after every task ended and every executor stopped: no step
     * follows. An exception thrown here is rethrown by {@code close()} (after the other listeners were
     * called). The default does nothing.
     *
     * @param epochNanos when the flow finished closing, on the clock of its steps
     */
    default void flowClosed(FlowInfo flow, long epochNanos) {
    }

    /**
     * A listener that hands {@code consumer} an immutable {@link TaskEvent} per step: simplest to use, and
     * the events may be kept; it allocates an event per step (and a list of dependencies on
     * {@code SUBMITTED}). {@code consumer} is called under the same rules as {@link #onStep}.
     */
    static TaskListener ofEvents(Consumer<? super TaskEvent> consumer) {
        Objects.requireNonNull(consumer, "consumer");
        return (task, step, attempt, worker, epochNanos, error) ->
                consumer.accept(TaskEvent.of(task, step, attempt, worker, epochNanos, error));
    }
}
