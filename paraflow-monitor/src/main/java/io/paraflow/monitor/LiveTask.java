package io.paraflow.monitor;

import io.paraflow.event.TaskEvent;
import io.paraflow.monitor.store.TaskRow;

import java.util.Arrays;
import java.util.List;

/**
 * What the monitor knows about a task whose rows are not final yet; owned by the monitor's thread. Its
 * events may arrive in any order (they come from the lanes of different threads, see {@link EventLanes}),
 * so each one only fills in what it knows, and {@link #complete()} tells when nothing is missing.
 */
final class LiveTask {
    static final String SUBMITTED = "submitted";
    static final String READY = "ready";
    static final String RUNNING = "running";
    private static final long[] NO_DEPENDENCIES = {};

    /** One attempt; {@code outcome} is null until its end is known. */
    static final class Try {
        String worker;
        long startedNs;
        long endedNs;
        String outcome;
        Throwable error;
    }

    final long id;
    String name;
    String executor;
    int cores;
    long memoryBytes;
    long[] dependencies = NO_DEPENDENCIES;
    boolean submitted;
    long submittedNs;
    long readyNs;
    /** Indexed by attempt - 1; null entries for attempts not seen yet. */
    Try[] tries = new Try[1];
    /** The event that ended the task, null until seen. */
    TaskEvent.Kind end;
    int endAttempt;
    long endedNs;
    Throwable endError;
    /** The attempt whose running row was written, so that it is written once. */
    int recordedAttempt;

    LiveTask(long id) {
        this.id = id;
    }

    Try attempt(int attempt) {
        int index = Math.max(attempt, 1) - 1;
        if (index >= tries.length) {
            tries = Arrays.copyOf(tries, Math.max(index + 1, tries.length * 2));
        }
        if (tries[index] == null) {
            tries[index] = new Try();
        }
        return tries[index];
    }

    /** The attempt that is running (started, end not seen), or 0. */
    int runningAttempt() {
        for (int i = tries.length - 1; i >= 0; i--) {
            Try t = tries[i];
            if (t != null && t.startedNs != 0 && t.outcome == null) {
                return i + 1;
            }
        }
        return 0;
    }

    /** The highest attempt that started, or 0. */
    int lastStarted() {
        for (int i = tries.length - 1; i >= 0; i--) {
            if (tries[i] != null && tries[i].startedNs != 0) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * Whether every event of the task has surely been seen: the common life of a task that finished
     * (submitted, ready, every attempt started and ended). Other ends (a failure or cancellation that may
     * or may not have started an attempt) cannot tell; the monitor waits for the lanes to pass them.
     */
    boolean complete() {
        if (end != TaskEvent.Kind.FINISHED || !submitted || readyNs == 0 || endAttempt > tries.length) {
            return false;
        }
        for (int i = 0; i < endAttempt; i++) {
            if (tries[i] == null || tries[i].startedNs == 0 || tries[i].outcome == null) {
                return false;
            }
        }
        return true;
    }

    /** The state a task row shows while the task has not ended. */
    String liveState() {
        return runningAttempt() != 0 ? RUNNING : readyNs != 0 ? READY : SUBMITTED;
    }

    TaskRow row(String state, int attempts, long ended) {
        return new TaskRow(id, name, executor, cores, memoryBytes, state, attempts, submittedNs, readyNs, ended,
                dependencies.length == 0 ? List.of() : Arrays.stream(dependencies).boxed().toList());
    }
}
