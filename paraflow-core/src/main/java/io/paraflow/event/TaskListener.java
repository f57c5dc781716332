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
 */
@FunctionalInterface
public interface TaskListener {
    /** Receives one event. See the class comment for threading and error rules. */
    void onEvent(TaskEvent event);
}
