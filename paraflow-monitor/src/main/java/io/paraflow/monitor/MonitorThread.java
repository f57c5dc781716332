package io.paraflow.monitor;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent;
import io.paraflow.monitor.internal.Threads;
import io.paraflow.monitor.progress.Progress;
import io.paraflow.monitor.progress.ProgressLine;
import io.paraflow.monitor.store.RunWriter;
import io.paraflow.monitor.store.SampleRow;
import io.paraflow.monitor.store.TryRow;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The monitor's own thread. Listeners on workers only put events into a bounded lock-free queue
 * ({@link #offer}); this thread takes them in batches, keeps the state of unfinished tasks and the counts,
 * writes rows for ended tries and tasks, draws the progress line and samples resources.
 *
 * <p>Ordering: the queue is one linearizable multi-producer queue, and the events of a task are published
 * one after the other (each happens before the next), so they come out of it in the order of the task's
 * life even when they were published on different threads.
 *
 * <p>Back-pressure: when the queue is full, a publishing thread waits for room, so a run that produces
 * events faster than the database takes them slows down instead of filling the heap.
 *
 * <p>Errors: if the database fails, the thread stops writing, keeps counting and draining (publishers
 * never wait for a dead consumer), and {@link #stop} reports the failure.
 */
final class MonitorThread implements Runnable, MessagePassingQueue.Consumer<TaskEvent> {

    private static final int QUEUE_CAPACITY = 1 << 16;
    private static final int DRAIN_BATCH = 4096;
    private static final long IDLE_PARK_NANOS = Duration.ofMillis(2).toNanos();
    private static final long FULL_QUEUE_PARK_NANOS = 20_000;
    private static final long TICK_NANOS = Duration.ofMillis(100).toNanos();
    private static final long FLUSH_NANOS = Duration.ofMillis(250).toNanos();

    private final MpscAtomicArrayQueue<TaskEvent> queue = new MpscAtomicArrayQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private final ProgressLine progressLine;
    private final LocalSampler sampler;
    private final long sampleEveryNanos;
    private final long startNanos = System.nanoTime();
    private final long epochNanosAtStart = epochNanosNow();
    private final Map<Long, LiveTask> live = new HashMap<>();
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
    private volatile boolean alive = true;
    private long endedNs;
    /** The first failure of the database or of this thread; read after {@link Thread#join()}. */
    private Throwable failure;

    MonitorThread(FlowInfo flow, RunWriter writer, ProgressLine progressLine, Duration sampleEvery, String host) {
        this.writer = writer;
        this.progressLine = progressLine;
        this.sampler = writer != null ? new LocalSampler(host) : null;
        this.sampleEveryNanos = sampleEvery.toNanos();
        this.thread = new Thread(this, "paraflow-monitor-" + flow.flowId());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Hands one event to the monitor. Called on any thread; waits only while the queue is full. */
    void offer(TaskEvent event) {
        while (!queue.offer(event)) {
            if (!alive) {
                return;
            }
            LockSupport.parkNanos(FULL_QUEUE_PARK_NANOS);
        }
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
                // read before draining: every event offered before stop() is then in the queue
                boolean last = stopping;
                int drained = queue.drain(this, DRAIN_BATCH);
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
        } catch (RuntimeException | Error e) {
            failed(e);
            alive = false;
            queue.clear();
            write(() -> writer.close());
        }
    }

    private static long epochNanosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public void accept(TaskEvent event) {
        switch (event.kind()) {
            case SUBMITTED -> {
                live.put(event.taskId(), new LiveTask(event));
                submitted++;
            }
            case READY -> {
                LiveTask task = task(event);
                task.readyNs = event.epochNanos();
                task.state = LiveTask.READY;
            }
            case STARTED -> {
                LiveTask task = task(event);
                task.state = LiveTask.RUNNING;
                task.attempt = event.attempt();
                task.worker = event.worker();
                task.tryStartedNs = event.epochNanos();
                running++;
                workers.add(event.worker());
            }
            case RETRIED -> {
                LiveTask task = task(event);
                endTry(task, event, "retried");
                task.state = LiveTask.READY;
            }
            case FINISHED -> ended(event, "finished");
            case FAILED -> ended(event, "failed");
            case CANCELLED -> ended(event, "cancelled");
        }
    }

    /** The live task an event belongs to; one whose submission was not seen is recorded from this event. */
    private LiveTask task(TaskEvent event) {
        LiveTask task = live.get(event.taskId());
        if (task == null) {
            task = new LiveTask(event);
            live.put(event.taskId(), task);
            submitted++;
        }
        return task;
    }

    private void ended(TaskEvent event, String outcome) {
        LiveTask task = task(event);
        live.remove(task.id);
        endTry(task, event, outcome);
        switch (outcome) {
            case "finished" -> finished++;
            case "failed" -> failed++;
            default -> cancelled++;
        }
        int attempts = Math.max(event.attempt(), task.attempt);
        write(() -> writer.task(task.row(outcome, attempts, event.epochNanos())));
    }

    /** Ends the running try of {@code task}, if any, and records the event's error. */
    private void endTry(LiveTask task, TaskEvent event, String outcome) {
        if (task.running()) {
            running--;
            TryRow row = new TryRow(task.id, task.attempt, task.worker, task.tryStartedNs, event.epochNanos(), outcome);
            write(() -> writer.attempt(row));
        }
        if (event.error() != null) {
            write(() -> writer.failure(ErrorRecords.of(task.id, event.attempt(), outcome, event.error())));
        }
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
            if (task.running() && task.recordedAttempt != task.attempt) {
                task.recordedAttempt = task.attempt;
                write(() -> writer.attempt(new TryRow(task.id, task.attempt, task.worker, task.tryStartedNs, 0,
                        LiveTask.RUNNING)));
                write(() -> writer.task(task.row(LiveTask.RUNNING, task.attempt, 0)));
            }
        }
    }

    private Progress progress() {
        return new Progress(submitted, running, finished, failed, cancelled);
    }

    /** Writes what was left (tasks that never ended), the run's end, and closes the database. */
    private void end() {
        for (LiveTask task : live.values()) {
            if (task.running()) {
                write(() -> writer.attempt(new TryRow(task.id, task.attempt, task.worker, task.tryStartedNs, 0,
                        LiveTask.RUNNING)));
            }
            write(() -> writer.task(task.row(task.state, task.attempt, 0)));
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
