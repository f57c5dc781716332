package io.paraflow.event;

/**
 * Observes task lifecycle events of a flow. Registered when the flow is built
 * ({@code Flow.builder().listener(...)}); a flow without listeners creates no events at all.
 *
 * <p>Threading: {@link #onEvent} is called on the thread where the step happens (the submitting thread,
 * a worker, the timer) and may be called from many threads at once; events of one task arrive in the
 * order of its life. It must be fast and must not block: it runs on the task's path. A listener that
 * needs to do I/O hands events to its own thread (the monitoring store batches them). An exception it
 * throws is caught and reported once through {@link System.Logger}; the task is not affected.
 *
 * <p>Paired lifecycle calls frame the events: {@link #flowStarted} comes first, before any event, and
 * {@link #flowClosed} last, once, from {@code Flow.close()} after every task ended and every executor
 * stopped. Both run on the thread that builds or closes the flow and may block (flush, close files).
 */
@FunctionalInterface
public interface TaskListener {
    /** Receives one event. See the class comment for threading and error rules. */
    void onEvent(TaskEvent event);

    /**
     * Called once by {@code FlowBuilder.build()} before any event of the flow. An exception thrown here
     * makes {@code build()} fail with it, after the flow has been closed again; use it to refuse bad
     * configuration (an unwritable file) at start. The default does nothing.
     */
    default void flowStarted(FlowInfo flow) {
    }

    /**
     * Called once by {@code Flow.close()} after every task ended and every executor stopped: no event
     * follows. An exception thrown here is rethrown by {@code close()} (after the other listeners were
     * called). The default does nothing.
     *
     * @param epochNanos when the flow finished closing, on the clock of its events
     */
    default void flowClosed(FlowInfo flow, long epochNanos) {
    }
}
