package io.paraflow.event;

import java.util.Arrays;
import java.util.List;

/**
 * An immutable record of one step in a task's life, built by {@link TaskListener#ofEvents} for listeners
 * that want values they can keep; the steps themselves reach listeners as primitive calls
 * ({@link TaskListener#onStep}), in the order described there.
 *
 * @param kind          what happened
 * @param flowId        the flow's id, unique in this JVM
 * @param taskId        the task's id, unique within its flow
 * @param taskName      the task's name
 * @param attempt       the attempt this event belongs to, 1-based; 0 on {@code SUBMITTED} and {@code READY}; a
 *                      task that ends before it ever started ends on attempt 1
 * @param epochNanos    when it happened, in nanoseconds since the epoch (monotonic within a flow)
 * @param executor      the label of the task's executor
 * @param worker        the worker the event happened on ({@code STARTED}, {@code FINISHED}, {@code FAILED},
 *                      {@code RETRIED}), or {@code null}
 * @param dependencies  the ids of the tasks this task takes as arguments; filled on {@code SUBMITTED}, empty otherwise
 * @param cores         cores the task asked for
 * @param memoryBytes   memory the task asked for, in bytes; 0 when it asked for none
 * @param error         the failure for {@code FAILED} and {@code RETRIED}, the cancellation for {@code CANCELLED},
 *                      otherwise {@code null}
 */
public record TaskEvent(Kind kind, long flowId, long taskId, String taskName, int attempt, long epochNanos,
                        String executor, String worker, List<Long> dependencies, int cores, long memoryBytes,
                        Throwable error) {

    /** Copies {@code dependencies}. */
    public TaskEvent {
        dependencies = List.copyOf(dependencies);
    }

    /**
     * The event of one step, as {@link TaskListener#onStep} received it; {@code dependencies} are filled on
     * {@code SUBMITTED} only.
     */
    public static TaskEvent of(TaskInfo task, Kind step, int attempt, String worker, long epochNanos, Throwable error) {
        List<Long> dependencies = step == Kind.SUBMITTED ? Arrays.stream(task.dependencyIds()).boxed().toList() : List.of();
        return new TaskEvent(step, task.flowId(), task.id(), task.name(), attempt, epochNanos, task.executorLabel(),
                worker, dependencies, task.resources().cores(), task.resources().memoryBytes(), error);
    }

    /** The steps of a task's life. */
    public enum Kind {
        /** The task was accepted by {@code submit}. */
        SUBMITTED,
        /** Every dependency finished; the task waits for a slot of its executor. */
        READY,
        /** An attempt started on a worker. */
        STARTED,
        /** An attempt failed and the retry policy chose to run it again. */
        RETRIED,
        /** The task succeeded; this is its last event. */
        FINISHED,
        /** The task failed (its own error, a timeout, or a failed dependency); its last event. */
        FAILED,
        /** The task was cancelled; its last event. */
        CANCELLED
    }
}
