package io.paraflow.monitor.store;

/**
 * One row of {@code tries}: an attempt of a task that started on a worker.
 *
 * @param taskId    the task's id
 * @param attempt   1-based attempt number
 * @param worker    the worker it ran on
 * @param startedNs when it started
 * @param endedNs   when it ended, 0 if it had not when the run stopped
 * @param outcome   {@code finished}, {@code failed}, {@code retried}, {@code cancelled}, or {@code running}
 */
public record TryRow(long taskId, int attempt, String worker, long startedNs, long endedNs, String outcome) {
}
