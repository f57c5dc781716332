package io.paraflow.monitor;

import io.paraflow.event.TaskEvent;
import io.paraflow.monitor.store.TaskRow;

import java.util.List;

/** What the monitor knows about a task that has not ended; owned by the monitor's thread. */
final class LiveTask {
    static final String SUBMITTED = "submitted";
    static final String READY = "ready";
    static final String RUNNING = "running";

    final long id;
    final String name;
    final String executor;
    final int cores;
    final long memoryBytes;
    final List<Long> dependencies;
    final long submittedNs;
    long readyNs;
    String state = SUBMITTED;
    int attempt;
    String worker;
    long tryStartedNs;
    /** The attempt whose running row was written, so that it is written once. */
    int recordedAttempt;

    LiveTask(TaskEvent submitted) {
        this.id = submitted.taskId();
        this.name = submitted.taskName();
        this.executor = submitted.executor();
        this.cores = submitted.cores();
        this.memoryBytes = submitted.memoryBytes();
        this.dependencies = submitted.dependencies();
        this.submittedNs = submitted.epochNanos();
    }

    boolean running() {
        return RUNNING.equals(state);
    }

    TaskRow row(String finalState, int attempts, long endedNs) {
        return new TaskRow(id, name, executor, cores, memoryBytes, finalState, attempts, submittedNs, readyNs, endedNs,
                dependencies);
    }
}
