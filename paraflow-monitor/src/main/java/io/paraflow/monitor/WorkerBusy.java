package io.paraflow.monitor;

import java.util.HashMap;
import java.util.Map;

/**
 * How busy each worker was running tries: for a sample of a worker, the time it spent in tries since its
 * previous sample over the time between (1.0: one slot busy all along; a worker process with four cores
 * running four tries at once: 4.0), as the CPU load is the CPU time over the time between. A thread that
 * waits in a command or sleeps in a task is busy though its CPU load is zero.
 *
 * <p>A worker's busy time so far is the sum of the durations of its ended tries read so far, plus, at a
 * sample, how long its running tries have run; a sample's load is how much that sum grew since the worker's
 * previous sample (for its first, since the monitor started). So the ended tries cost one hash look-up each
 * (none when the worker is the previous try's), and nothing is kept per try. What follows from it:
 * <ul>
 * <li>a try's time counts once in all, whichever samples it spans;
 * <li>a try that ended before a sample but whose record the monitor reads after it (the monitor lags behind
 *     a run of many short tasks, or the try ended between the reading and the sample) counts at the next
 *     sample: its time moves from one sample to the next, which may then show more than the worker's slots;
 * <li>the sum never shrinks: a running try counted up to a sample that turns out to have ended just before
 *     it shows as a load of 0 until the worker's time catches up;
 * <li>a try that a sample does not see running (one that started after the monitor last read the running
 *     tries) counts once it ends, as late records do;
 * <li>a try counts as one slot whatever the cores it asked for.
 * </ul>
 *
 * <p>Not thread-safe: called by the monitor's thread only.
 */
final class WorkerBusy {

    /** One worker's sums, in nanoseconds of the tries' clock. */
    private static final class Worker {
        /** The durations of the ended tries read so far. */
        long endedNanos;
        /** How long the tries running at the current sample have run by then. */
        long runningNanos;
        /** The busy time given to the worker's previous sample, and when that was. */
        long sampledNanos;
        long sampledAtNs;

        Worker(long sinceNs) {
            sampledAtNs = sinceNs;
        }
    }

    private final Map<String, Worker> workers = new HashMap<>();
    /** When the monitor started: a worker's first sample covers the time since. */
    private final long sinceNs;
    /** The worker of the try read last, so that a run of tries of one worker is not looked up per try. */
    private String lastName;
    private Worker last;
    /** The time of the current sample, {@link #sampleAt}'s. */
    private long atNs;

    WorkerBusy(long sinceNs) {
        this.sinceNs = sinceNs;
        this.atNs = sinceNs;
    }

    /** Counts a try of {@code worker} that ran from {@code startedNs} to {@code endedNs}; one of no worker is left out. */
    void tryEnded(String worker, long startedNs, long endedNs) {
        if (worker == null) {
            return;
        }
        if (worker != lastName) {
            last = worker(worker);
            lastName = worker;
        }
        last.endedNanos += Math.max(0, endedNs - startedNs);
    }

    private Worker worker(String name) {
        return workers.computeIfAbsent(name, n -> new Worker(sinceNs));
    }

    /**
     * Starts a sample at {@code atNs}: {@link #running} then counts each try running then, and {@link #load}
     * gives each worker's load at this sample.
     */
    void sampleAt(long atNs) {
        this.atNs = atNs;
        for (Worker worker : workers.values()) {
            worker.runningNanos = 0;
        }
    }

    /**
     * Counts a try that runs on {@code worker} since {@code startedNs} at the current sample; one that has not
     * started (0) or whose worker is unknown (null) is left out.
     */
    void running(String worker, long startedNs) {
        if (startedNs != 0 && worker != null) {
            worker(worker).runningNanos += Math.max(0, atNs - startedNs);
        }
    }

    /**
     * The slots {@code worker} kept busy with tries since its previous load was asked for (for its first,
     * since the monitor started), up to the current sample; NaN for a worker never seen with a try (this JVM)
     * or when no time has passed. Asking marks the worker as sampled: ask once per row written.
     */
    double load(String worker) {
        Worker sums = workers.get(worker);
        if (sums == null || atNs <= sums.sampledAtNs) {
            return Double.NaN;
        }
        long busy = sums.endedNanos + sums.runningNanos;
        double load = Math.max(0, busy - sums.sampledNanos) / (double) (atNs - sums.sampledAtNs);
        sums.sampledNanos = Math.max(sums.sampledNanos, busy);
        sums.sampledAtNs = atNs;
        return load;
    }
}
