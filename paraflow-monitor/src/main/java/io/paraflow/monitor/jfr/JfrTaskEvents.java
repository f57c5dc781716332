package io.paraflow.monitor.jfr;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A task listener that emits a Java Flight Recorder event ({@code io.paraflow.TaskTry}) for every task
 * try while a recording that enables it runs. Attach it to a flow:
 * {@code Flow.builder().listener(new JfrTaskEvents())}, then record as usual
 * ({@code java -XX:StartFlightRecording=filename=run.jfr ...}, or {@code jcmd PID JFR.start}).
 *
 * <p>Cost: when no recording runs, a start costs a check of the event type's state and an end a check of
 * an empty map. While recording, the try's event waits in a concurrent map from its start to its end.
 * A try that started before the recording did has no event.
 *
 * <p>Thread-safe; one instance may serve several flows.
 */
public final class JfrTaskEvents implements TaskListener {

    private final ConcurrentHashMap<TryKey, TaskTryEvent> running = new ConcurrentHashMap<>();

    private record TryKey(long flowId, long taskId) {
    }

    @Override
    public void onEvent(TaskEvent event) {
        switch (event.kind()) {
            case STARTED -> started(event);
            case RETRIED, FINISHED, FAILED, CANCELLED -> ended(event);
            default -> {
            }
        }
    }

    private void started(TaskEvent event) {
        TaskTryEvent tryEvent = new TaskTryEvent();
        if (!tryEvent.isEnabled()) {
            return;
        }
        tryEvent.begin();
        tryEvent.flowId = event.flowId();
        tryEvent.taskId = event.taskId();
        tryEvent.taskName = event.taskName();
        tryEvent.attempt = event.attempt();
        tryEvent.executor = event.executor();
        tryEvent.worker = event.worker();
        running.put(new TryKey(event.flowId(), event.taskId()), tryEvent);
    }

    private void ended(TaskEvent event) {
        if (running.isEmpty()) {
            return;
        }
        TaskTryEvent tryEvent = running.remove(new TryKey(event.flowId(), event.taskId()));
        if (tryEvent != null) {
            tryEvent.end();
            tryEvent.outcome = event.kind().name().toLowerCase(Locale.ROOT);
            tryEvent.commit();
        }
    }
}
