package io.paraflow.graph;

/**
 * When a task's steps happened and where its current attempt runs: kept for listeners (through
 * {@link io.paraflow.event.TaskInfo}), so that they may record a task's whole life at its end instead of
 * keeping state between its steps. Exists only when the flow has listeners.
 *
 * <p>Each field is written by the thread that performs the step, before the state change that lets
 * other threads take the next step (a volatile write or CAS of the task's state, or the hand-off to an
 * executor), and read by listeners of later steps; a listener reading it at any other time may see a
 * step half recorded.
 */
final class StepTimes {
    /** What a task of a flow without listeners reports: no times, no worker. Never written. */
    static final StepTimes NONE = new StepTimes(0);

    final long submittedNanos;
    long readyNanos;
    /** 0 while the current attempt has not started (also after a retry, until the next start). */
    long startedNanos;
    String worker;

    StepTimes(long submittedNanos) {
        this.submittedNanos = submittedNanos;
    }
}
