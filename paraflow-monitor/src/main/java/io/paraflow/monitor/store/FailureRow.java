package io.paraflow.monitor.store;

/**
 * One row of {@code failures}: the error that ended an attempt or a task.
 *
 * @param taskId     the task's id
 * @param attempt    the attempt the error belongs to
 * @param outcome    what it led to: {@code retried}, {@code failed} or {@code cancelled}
 * @param type       class name of the root error (what the task's function threw, not the wrapper)
 * @param message    its message, may be null
 * @param rootTaskId for a failed dependency, the task that failed first; otherwise null
 * @param stackTrace the root error's stack trace, null where it says nothing (cancellation, timeout,
 *                   failed dependency: the root task's own row has the trace)
 * @param stderrTail the last lines a command wrote to stderr, null for other tasks
 * @param stdoutTail the last lines a command wrote to stdout, null for other tasks
 */
public record FailureRow(long taskId, int attempt, String outcome, String type, String message, Long rootTaskId,
                         String stackTrace, String stderrTail, String stdoutTail) {
}
