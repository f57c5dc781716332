package io.paraflow.monitor.store;

import java.util.List;

/**
 * One row of {@code tasks}, with the task's dependencies (rows of {@code dependencies}).
 *
 * @param taskId       the task's id within its flow
 * @param name         the task's name
 * @param executor     the label of its executor
 * @param cores        cores asked for
 * @param gpus         GPUs asked for
 * @param memoryBytes  memory asked for, 0 if none
 * @param state        {@code finished}, {@code failed} or {@code cancelled}; for a task that had not ended
 *                     when the run stopped, the last state seen: {@code waiting} (submitted, not started) or
 *                     {@code running}
 * @param attempts     tries started (or the attempt it ended on, if it ended before starting): 0 for a task
 *                     that waits for its first try
 * @param submittedNs  when it was submitted
 * @param readyNs      when its dependencies were done, 0 if never
 * @param endedNs      when it ended, 0 if it had not
 * @param dependencies ids of the tasks it takes as arguments
 */
public record TaskRow(long taskId, String name, String executor, int cores, int gpus, long memoryBytes, String state,
                      int attempts, long submittedNs, long readyNs, long endedNs, List<Long> dependencies) {
}
