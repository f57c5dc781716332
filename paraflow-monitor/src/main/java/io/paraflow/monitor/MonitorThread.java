package io.paraflow.monitor;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent;
import io.paraflow.internal.Threads;
import io.paraflow.monitor.progress.Progress;
import io.paraflow.monitor.progress.ProgressLine;
import io.paraflow.monitor.store.RunWriter;
import io.paraflow.monitor.store.SampleRow;
import io.paraflow.monitor.store.TryRow;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The monitor's own thread. Listeners on workers only append events to their thread's lane
 * ({@link EventLanes}); this thread reads the lanes, keeps the state of tasks whose rows are not final, the
 * counts, writes rows for ended tasks and their tries, draws the progress line and samples resources.
 *
 * <p>Order: records of one lane come in the order they were published, but the lanes of different threads
 * are read one after the other, so the events of a task published on different threads (submitted on the
 * program's thread, run on a worker, retried on another) may come in any order. Each event therefore only
 * fills in what it knows ({@link LiveTask}); a task's rows are written once its last event is known and
 * nothing can be missing: at once for a task that finished (its life is then fully known), otherwise
 * (failed, cancelled: an attempt may or may not have started) once the lanes have been read past where
 * they stood after its end was read, since every event of the task was published before its end.
 *
 * <p>Back-pressure: the lanes hold at most their capacity; a publishing thread that needs room waits for
 * this thread to free some, so memory stays bounded. A normal run never waits.
 *
 * <p>Errors: if the database fails, the thread stops writing, keeps counting and draining (publishers
 * never wait for a dead consumer), and {@link #stop} reports the failure.
 */
final class MonitorThread implements Runnable, EventLanes.Consumer {

    private static final int DRAIN_BATCH = 16_384;
    private static final long IDLE_PARK_NANOS = Duration.ofMillis(2).toNanos();
    private static final long TICK_NANOS = Duration.ofMillis(100).toNanos();
    private static final long FLUSH_NANOS = Duration.ofMillis(250).toNanos();

    private final EventLanes lanes;
    private final Thread thread;
    private final ProgressLine progressLine;
    private final LocalSampler sampler;
    private final long sampleEveryNanos;
    private final long startNanos = System.nanoTime();
    private final long epochNanosAtStart = epochNanosNow();
    private final Map<Long, LiveTask> live = new HashMap<>();
    /** Ended tasks whose rows wait until the lanes are read past their mark. */
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** Ended tasks found incomplete during the current pass over the lanes. */
    private List<LiveTask> endedThisPass = new ArrayList<>();
    private final Set<String> workers = new HashSet<>();
    private RunWriter writer;
    private long submitted;
    private long running;
    private long finished;
    private long failed;
    private long cancelled;
    /** Due times on the {@link System#nanoTime()} clock, which may be negative: compared by difference. */
    private long nextTick = startNanos;
    private long nextFlush = startNanos;
    private long nextSample = startNanos;

    private volatile boolean stopping;
    private long endedNs;
    /** The first failure of the database or of this thread; read after {@link Thread#join()}. */
    private Throwable failure;

    private record Waiting(EventLanes.Mark mark, List<LiveTask> tasks) {
    }

    MonitorThread(FlowInfo flow, RunWriter writer, ProgressLine progressLine, Duration sampleEvery, String host,
                  long bufferBytes) {
        this.writer = writer;
        this.progressLine = progressLine;
        this.sampler = writer != null ? new LocalSampler(host) : null;
        this.sampleEveryNanos = sampleEvery.toNanos();
        this.lanes = new EventLanes(bufferBytes);
        this.thread = new Thread(this, "paraflow-monitor-" + flow.flowId());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Where steps are handed to the monitor, on any thread; see {@link EventLanes#publish}. */
    EventLanes lanes() {
        return lanes;
    }

    /**
     * Processes every event offered so far, writes the run's end and closes the database, then returns the
     * first failure of the database or of the monitor, or null. Called once, after the last event.
     */
    Throwable stop(long epochNanos) {
        endedNs = epochNanos;
        stopping = true;
        LockSupport.unpark(thread);
        Threads.joinUninterruptibly(thread);
        return failure;
    }

    @Override
    public void run() {
        try {
            while (true) {
                // read before draining: every event offered before stop() is then in the lanes
                boolean last = stopping;
                int drained = lanes.drain(this, DRAIN_BATCH);
                if (!endedThisPass.isEmpty()) {
                    waiting.add(new Waiting(lanes.mark(), endedThisPass));
                    endedThisPass = new ArrayList<>();
                }
                while (!waiting.isEmpty() && lanes.readPast(waiting.peek().mark())) {
                    for (LiveTask task : waiting.poll().tasks()) {
                        record(task);
                    }
                }
                long now = System.nanoTime();
                if (now - nextTick >= 0) {
                    tick(now);
                }
                if (drained == 0) {
                    if (last) {
                        break;
                    }
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
            end();
            lanes.close();
        } catch (RuntimeException | Error e) {
            failed(e);
            lanes.consumerDied();
            write(() -> writer.close());
        }
    }

    private static long epochNanosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** The task an event belongs to; the first event seen of a task counts it as submitted. */
    private LiveTask task(long taskId) {
        LiveTask task = live.get(taskId);
        if (task == null) {
            task = new LiveTask(taskId);
            live.put(taskId, task);
            submitted++;
        }
        return task;
    }

    @Override
    public void submitted(long taskId, long epochNanos, String name, String executor, int cores, long memoryBytes,
                          long[] dependencies) {
        LiveTask task = task(taskId);
        task.submitted = true;
        task.submittedNs = epochNanos;
        task.name = name;
        task.executor = executor;
        task.cores = cores;
        task.memoryBytes = memoryBytes;
        task.dependencies = dependencies;
        if (task.complete()) {
            record(task);
        }
    }

    @Override
    public void ready(long taskId, long epochNanos) {
        LiveTask task = task(taskId);
        task.readyNs = epochNanos;
        if (task.complete()) {
            record(task);
        }
    }

    @Override
    public void started(long taskId, int attempt, long epochNanos, String worker) {
        LiveTask task = task(taskId);
        LiveTask.Try started = task.attempt(attempt);
        started.worker = worker;
        started.startedNs = epochNanos;
        if (started.outcome == null) {
            running++;
        }
        workers.add(worker);
        if (task.complete()) {
            record(task);
        }
    }

    @Override
    public void ended(TaskEvent.Kind kind, long taskId, int attempt, long epochNanos, String worker, Throwable error) {
        LiveTask task = task(taskId);
        if (kind == TaskEvent.Kind.RETRIED) {
            endTry(task.attempt(attempt), "retried", epochNanos, error);
            if (task.complete()) {
                record(task);
            }
            return;
        }
        String outcome = outcome(kind);
        task.end = kind;
        task.endAttempt = attempt;
        task.endedNs = epochNanos;
        task.endError = error;
        switch (kind) {
            case FINISHED -> finished++;
            case FAILED -> failed++;
            default -> cancelled++;
        }
        LiveTask.Try last = attempt >= 1 && attempt <= task.tries.length ? task.tries[attempt - 1] : null;
        if (last != null && last.startedNs != 0 || kind == TaskEvent.Kind.FINISHED) {
            endTry(task.attempt(attempt), outcome, epochNanos, null);
        }
        if (task.complete()) {
            record(task);
        } else {
            endedThisPass.add(task);
        }
    }

    private static String outcome(TaskEvent.Kind kind) {
        return switch (kind) {
            case FINISHED -> "finished";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            default -> throw new IllegalArgumentException(kind + " does not end a task");
        };
    }

    private void endTry(LiveTask.Try ended, String outcome, long epochNanos, Throwable error) {
        if (ended.outcome != null) {
            return;
        }
        if (ended.startedNs != 0) {
            running--;
        }
        ended.outcome = outcome;
        ended.endedNs = epochNanos;
        ended.error = error;
    }

    /** Writes the rows of an ended task (the task, its tries and their errors) once; it is then forgotten. */
    private void record(LiveTask task) {
        if (live.remove(task.id) == null) {
            return;
        }
        String outcome = outcome(task.end);
        for (int i = 0; i < task.tries.length; i++) {
            LiveTask.Try t = task.tries[i];
            if (t == null) {
                continue;
            }
            int attempt = i + 1;
            if (t.startedNs != 0) {
                if (t.outcome == null) {
                    // an end without its own attempt number ended this running try: a cancellation
                    t.outcome = outcome;
                    t.endedNs = task.endedNs;
                    running--;
                }
                TryRow row = new TryRow(task.id, attempt, t.worker, t.startedNs, t.endedNs, t.outcome);
                write(() -> writer.attempt(row));
            }
            if (t.error != null) {
                write(() -> writer.failure(ErrorRecords.of(task.id, attempt, "retried", t.error)));
            }
        }
        if (task.endError != null) {
            write(() -> writer.failure(ErrorRecords.of(task.id, task.endAttempt, outcome, task.endError)));
        }
        int attempts = Math.max(task.endAttempt, task.lastStarted());
        write(() -> writer.task(task.row(outcome, attempts, task.endedNs)));
    }

    private void tick(long now) {
        nextTick = now + TICK_NANOS;
        if (progressLine != null) {
            progressLine.show(progress(), now);
        }
        if (sampler != null && now - nextSample >= 0) {
            nextSample = now + sampleEveryNanos;
            long epochNanos = epochNanosAtStart + (now - startNanos);
            for (SampleRow row : sampler.sample(epochNanos, workers)) {
                write(() -> writer.sample(row));
            }
            Progress counts = progress();
            write(() -> writer.progress(epochNanos, counts));
            recordRunning();
        }
        if (now - nextFlush >= 0) {
            nextFlush = now + FLUSH_NANOS;
            write(() -> writer.flush());
        }
    }

    /**
     * Writes a row for each try that is running and has none yet, so that the dashboard and a post-mortem
     * of a program that died see what was running. The rows of its end replace them.
     */
    private void recordRunning() {
        for (LiveTask task : live.values()) {
            int attempt = task.runningAttempt();
            // a task whose submission is still in a lane that was not read yet has no name to show
            if (task.submitted && task.end == null && attempt != 0 && task.recordedAttempt != attempt) {
                task.recordedAttempt = attempt;
                LiveTask.Try t = task.tries[attempt - 1];
                write(() -> writer.attempt(new TryRow(task.id, attempt, t.worker, t.startedNs, 0, LiveTask.RUNNING)));
                write(() -> writer.task(task.row(LiveTask.RUNNING, attempt, 0)));
            }
        }
    }

    private Progress progress() {
        return new Progress(submitted, running, finished, failed, cancelled);
    }

    /** Writes what was left (tasks that never ended), the run's end, and closes the database. */
    private void end() {
        for (LiveTask task : List.copyOf(live.values())) {
            if (task.end != null) {
                record(task);
                continue;
            }
            int attempt = task.runningAttempt();
            if (attempt != 0) {
                LiveTask.Try t = task.tries[attempt - 1];
                write(() -> writer.attempt(new TryRow(task.id, attempt, t.worker, t.startedNs, 0, LiveTask.RUNNING)));
            }
            write(() -> writer.task(task.row(task.liveState(), Math.max(attempt, task.lastStarted()), 0)));
        }
        String outcome = failed > 0 ? "failed" : cancelled > 0 ? "cancelled" : !live.isEmpty() ? "unfinished" : "succeeded";
        Progress counts = progress();
        write(() -> writer.progress(endedNs, counts));
        write(() -> writer.finish(endedNs, outcome, submitted, finished, failed, cancelled));
        writer = null;
        if (progressLine != null) {
            progressLine.finish(progress(), System.nanoTime());
        }
    }

    /** A write to the database, which may fail. */
    private interface Write {
        void run() throws SQLException;
    }

    private void write(Write write) {
        if (writer == null) {
            return;
        }
        try {
            write.run();
        } catch (SQLException | RuntimeException e) {
            failed(e);
            try {
                writer.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            writer = null;
        }
    }

    private void failed(Throwable e) {
        if (failure == null) {
            failure = e;
        }
    }
}
