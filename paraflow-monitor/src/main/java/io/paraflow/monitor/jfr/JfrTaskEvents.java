package io.paraflow.monitor.jfr;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;
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
 * an empty map. While recording, the try's event waits in a concurrent map from its start to its end
 * (keyed by the task, which it keeps that long).
 * A try that started before the recording did has no event.
 *
 * <p>Thread-safe; one instance may serve several flows.
 */
public final class JfrTaskEvents implements TaskListener {

    /** The event of each running try, by its task (a task runs one try at a time). */
    private final ConcurrentHashMap<TaskInfo, TaskTryEvent> running = new ConcurrentHashMap<>();

    @Override
    public void onStep(TaskInfo task, TaskEvent.Kind step, int attempt, String worker, long epochNanos, Throwable error) {
        switch (step) {
            case STARTED -> started(task, attempt, worker);
            case RETRIED, FINISHED, FAILED, CANCELLED -> ended(task, step);
            default -> {
            }
        }
    }

    private void started(TaskInfo task, int attempt, String worker) {
        TaskTryEvent tryEvent = new TaskTryEvent();
        if (!tryEvent.isEnabled()) {
            return;
        }
        tryEvent.begin();
        tryEvent.flowId = task.flowId();
        tryEvent.taskId = task.id();
        tryEvent.taskName = task.name();
        tryEvent.attempt = attempt;
        tryEvent.executor = task.executorLabel();
        tryEvent.worker = worker;
        running.put(task, tryEvent);
    }

    private void ended(TaskInfo task, TaskEvent.Kind step) {
        if (running.isEmpty()) {
            return;
        }
        TaskTryEvent tryEvent = running.remove(task);
        if (tryEvent != null) {
            tryEvent.end();
            tryEvent.outcome = step.name().toLowerCase(Locale.ROOT);
            tryEvent.commit();
        }
    }
}
