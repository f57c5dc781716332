package io.paraflow.monitor.progress;

/**
 * Counts of a run's tasks at one moment.
 *
 * @param submitted tasks submitted so far (the total known now; a dynamic graph may add more)
 * @param running   tasks with an attempt running
 * @param finished  tasks that succeeded
 * @param failed    tasks that failed (after their retries)
 * @param cancelled tasks that were cancelled
 */
public record Progress(long submitted, long running, long finished, long failed, long cancelled) {

    /** Tasks that ended, however they ended. */
    public long ended() {
        return finished + failed + cancelled;
    }
}
