package io.paraflow.monitor;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;
import io.paraflow.exec.Resources;
import io.paraflow.exec.WorkerLoad;
import io.paraflow.internal.Threads;
import io.paraflow.monitor.progress.Progress;
import io.paraflow.monitor.progress.ProgressLine;
import io.paraflow.monitor.store.RunWriter;
import io.paraflow.monitor.store.SampleRow;
import io.paraflow.monitor.store.TaskRow;
import io.paraflow.monitor.store.TryRow;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The monitor's own thread. Listeners on workers only append submissions and the ends of tasks and tries
 * to their thread's lanes (submissions in lanes of their own) and count starts there ({@link EventLanes});
 * this thread reads the lanes, writes the rows of each ended task and try as it reads its record (a record
 * holds all of them), keeps the counts, draws the progress line and samples resources (this JVM's, its
 * worker threads' and processes', and the figures executors heard from workers elsewhere), running tries and
 * waiting tasks.
 *
 * <p>Running tries: once per sample, every try started and not ended (see {@link EventLanes#running()}),
 * whichever threads start and end it, gets a {@code running} row for it and its task, unless one is there
 * already; a task's end replaces them, and a running row never replaces an end, so it does not matter which
 * of the two is written first.
 *
 * <p>Waiting tasks: a submitted task is kept here (a reference to its view) from its submission record,
 * read at once whatever the lag of the database, until the next sample, unless it has ended by the time
 * its record is read, so that a run of short tasks keeps almost none. At the sample, each kept task that
 * has neither started nor ended gets a {@code waiting} row (and its dependencies) and is forgotten: the
 * row is written once, and the rows of its try and its end replace it. At most
 * {@value #MAX_WAITING_ROWS_PER_SAMPLE} such rows are written per sample; the tasks beyond wait for the
 * next samples, and the kept ones are pruned of ended tasks whenever they double, so the memory they take
 * stays proportional to the tasks that wait. A retried try sends its task's row back to {@code waiting}
 * ({@link RunWriter#waitingForNextTry}), or gives it a waiting row if it has none (no sample saw it, or it
 * was pruned), until its next try's running row, so a task in its retry delay does not show as running.
 *
 * <p>Busy workers: each ended try read and the tries running at each sample feed {@link WorkerBusy}, which
 * gives every worker's sample (threads, worker processes, cluster workers) the slots it kept busy with tries.
 *
 * <p>Back-pressure: the lanes hold at most their capacity; a publishing thread that needs room waits for
 * this thread to free some, so memory stays bounded. A run that does not outpace the database never waits.
 *
 * <p>Errors: if the database fails, the thread stops writing, keeps counting and draining (publishers
 * never wait for a dead consumer), passes the failure at once to the consumer it was given (the live
 * dashboard says so), and {@link #stop} reports it. If this thread itself fails, publishers drop their steps
 * from then on, and the lanes, which stay in the publishing threads' {@code ThreadLocal} maps, give up every
 * task they held ({@link EventLanes#consumerDied}), so that a thread that lives on does not keep the flow.
 */
final class MonitorThread implements Runnable, EventLanes.Consumer {

    private static final int DRAIN_BATCH = 16_384;
    private static final long IDLE_PARK_NANOS = Duration.ofMillis(2).toNanos();
    private static final long TICK_NANOS = Duration.ofMillis(100).toNanos();
    private static final long FLUSH_NANOS = Duration.ofMillis(250).toNanos();
    private static final String RUNNING = "running";
    private static final String WAITING = "waiting";
    /** Waiting rows written per sample: a run where millions wait gets them over several samples. */
    static final int MAX_WAITING_ROWS_PER_SAMPLE = 10_000;
    /** Tasks kept before the first pruning of the ended ones. */
    private static final int MIN_PRUNE_SIZE = 65_536;
    /** How long {@link #recordInterruption} waits past its deadline for the end to be written. */
    private static final long INTERRUPTION_GRACE_NANOS = Duration.ofSeconds(1).toNanos();

    private final FlowInfo flow;
    private final EventLanes lanes;
    /**
     * The submissions, in lanes of their own: read at once, however far the ends lag behind the database,
     * so that their references hold the tasks only briefly.
     */
    private final EventLanes submissions;
    private final Thread thread;
    private final ProgressLine progressLine;
    private final LocalSampler sampler;
    /** How busy each worker was with tries, written with its samples; null without a database. */
    private final WorkerBusy busy;
    private final long sampleEveryNanos;
    private final long startNanos = System.nanoTime();
    private final long epochNanosAtStart = epochNanosNow();
    private final Set<String> workers = new HashSet<>();
    /** When the figures last written for each remote worker were measured, so that each report is written once. */
    private final Map<String, Long> remoteWritten = new HashMap<>();
    /** The worker of the record read last, so that the set above is not looked up per record. */
    private String lastWorker;
    /** The running tries already written, each task with its attempt, so that each try is written once. */
    private Map<TaskInfo, Integer> runningWritten = Map.of();
    /** Submitted tasks not yet shown as waiting, nor seen started or ended; see the class comment. */
    private final ArrayDeque<TaskInfo> submitted = new ArrayDeque<>();
    /** The size of {@link #submitted} at which its ended and started tasks are dropped. */
    private int pruneAt = MIN_PRUNE_SIZE;
    /** Workers in {@link #workers} when resources were last sampled: a new one is sampled at the next tick. */
    private int workersSampled;
    private RunWriter writer;
    /** Due times on the {@link System#nanoTime()} clock, which may be negative: compared by difference. */
    private long nextTick = startNanos;
    private long nextFlush = startNanos;
    private long nextSample = startNanos;

    private volatile boolean stopping;
    /** Set before {@link #stopping}, read after it. */
    private long endedNs;
    /** When {@link #stop} was called, on the {@link System#nanoTime()} clock; set and read as {@link #endedNs}. */
    private long stoppedNanos;
    /** Whether the progress line has had its last line; this thread's. */
    private boolean progressEnded;
    /** The latest {@link #recordInterruption} request, and the one this thread handled last. */
    private volatile Interruption interruption;
    private Interruption interruptionHandled;
    /** The first failure of the database or of this thread; read after {@link Thread#join()}. */
    private Throwable failure;
    /** Told of {@link #failure} at once, on this thread. */
    private final Consumer<Throwable> onFailure;

    /** {@code onFailure} is told of the first failure at once, on this thread, and must not throw. */
    MonitorThread(FlowInfo flow, RunWriter writer, ProgressLine progressLine, Duration sampleEvery, String host,
                  long bufferBytes, Consumer<Throwable> onFailure) {
        this.flow = flow;
        this.onFailure = onFailure;
        this.writer = writer;
        this.progressLine = progressLine;
        this.sampler = writer != null ? new LocalSampler(host) : null;
        this.busy = writer != null ? new WorkerBusy(epochNanosAtStart) : null;
        this.sampleEveryNanos = sampleEvery.toNanos();
        this.lanes = new EventLanes(bufferBytes, writer != null);
        // Each lane of a live thread holds a chunk, so a share of the memory would bound the threads that
        // may submit; read at once, the submissions' chunks rarely hold more than that one each. Without a
        // database, waiting tasks are shown nowhere: submissions only count.
        this.submissions = new EventLanes(bufferBytes, writer != null);
        this.thread = new Thread(this, "paraflow-monitor-" + flow.flowId());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Hands a step to the monitor, on any thread: a submission to the lanes of submissions, any other step
     * to the others; see {@link EventLanes#publish}.
     */
    void publish(TaskInfo task, TaskEvent.Kind step, int attempt, long epochNanos, Throwable error) {
        (step == TaskEvent.Kind.SUBMITTED ? submissions : lanes).publish(task, step, attempt, epochNanos, error);
    }

    /**
     * Processes every step published so far, writes the run's end and closes the database, then returns
     * the first failure of the database or of the monitor, or null. Called after the last step; a second
     * call waits for the first to finish and returns the same.
     */
    synchronized Throwable stop(long epochNanos) {
        if (!stopping) {
            endedNs = epochNanos;
            stoppedNanos = System.nanoTime();
            stopping = true;
            LockSupport.unpark(thread);
        }
        Threads.joinUninterruptibly(thread);
        return failure;
    }

    /**
     * Records the run's end as {@code outcome} while tasks may still run, because the JVM shuts down: this
     * thread writes what was published for at most {@code withinNanos}, rows for the tries that run, and the
     * end, and goes on. If the flow still closes (a program whose own shutdown hook closes it), {@link #stop}
     * records the real end over it. Waits until that is written, the time is up, or this thread ended.
     */
    void recordInterruption(long epochNanos, String outcome, long withinNanos) {
        Interruption interruption = new Interruption(epochNanos, outcome, System.nanoTime() + withinNanos);
        this.interruption = interruption;
        LockSupport.unpark(thread);
        long waitUntil = interruption.deadline() + INTERRUPTION_GRACE_NANOS;
        try {
            while (thread.isAlive() && System.nanoTime() - waitUntil < 0
                    && !interruption.written().await(IDLE_PARK_NANOS, TimeUnit.NANOSECONDS)) {
                // this thread may have ended before it saw the request: checked again each turn
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A request of {@link #recordInterruption}. */
    private record Interruption(long epochNanos, String outcome, long deadline, CountDownLatch written) {
        Interruption(long epochNanos, String outcome, long deadline) {
            this(epochNanos, outcome, deadline, new CountDownLatch(1));
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                // read before draining: every step published before stop() is then in the lanes
                boolean last = stopping;
                if (last) {
                    // the counts are final once the flow stops: shown at once, not after the rows are written
                    endProgressLine(stoppedNanos);
                }
                long now = System.nanoTime();
                boolean due = now - nextTick >= 0;
                // between ticks only filled chunks: see EventLanes.drain
                int drained = lanes.drain(this, DRAIN_BATCH, last || due);
                int submissionsRead = submissions.drain(this, Integer.MAX_VALUE, last || due);
                if (due) {
                    tick(now, last);
                }
                Interruption requested = interruption;
                if (requested != interruptionHandled) {
                    interruptionHandled = requested;
                    writeInterruption(requested);
                }
                if (drained == 0 && submissionsRead == 0 && last) {
                    break;
                }
                if (drained < DRAIN_BATCH && !last) {
                    // not behind: let records gather rather than wake for each filled chunk, which would
                    // take a core from the tasks for little work each time
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
            end();
            lanes.close();
            submissions.close();
        } catch (RuntimeException | Error e) {
            failed(e);
            lanes.consumerDied();
            submissions.consumerDied();
            write(() -> writer.close());
        } finally {
            Interruption requested = interruption;
            if (requested != null) {
                requested.written().countDown();
            }
        }
    }

    /** Writes what was published until the request's deadline, the tries that run and the run's end, keeping the file open. */
    private void writeInterruption(Interruption requested) {
        // the JVM shuts down: the line gets its last form and its end now, or the shell's prompt follows it
        endProgressLine(System.nanoTime());
        submissions.drain(this, Integer.MAX_VALUE, true);
        while (System.nanoTime() - requested.deadline() < 0 && lanes.drain(this, DRAIN_BATCH, true) > 0) {
            // drains until nothing is left or the time is up
        }
        if (writer != null) {
            recordRunning();
            recordWaiting();
            Progress counts = progress();
            write(() -> writer.progress(requested.epochNanos(), counts));
            write(() -> writer.recordEnd(requested.epochNanos(), requested.outcome(), counts.submitted(), counts.finished(),
                    counts.failed(), counts.cancelled()));
        }
        requested.written().countDown();
    }

    /** Now, on the clock of the run's samples (and close to the flow's). */
    long nowEpochNanos() {
        return epochNanos(System.nanoTime());
    }

    private static long epochNanosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void sawWorker(String worker) {
        if (worker != lastWorker && worker != null) {
            lastWorker = worker;
            workers.add(worker);
        }
    }

    @Override
    public void submitted(TaskInfo task) {
        if (writer == null || task.ended()) {
            return;
        }
        submitted.add(task);
        if (submitted.size() >= pruneAt) {
            submitted.removeIf(MonitorThread::notWaiting);
            pruneAt = Math.max(MIN_PRUNE_SIZE, 2 * submitted.size());
        }
    }

    private static boolean notWaiting(TaskInfo task) {
        return task.ended() || task.startedNanos() != 0;
    }

    @Override
    public void retried(TaskInfo task, int attempt, String worker, long startedNs, long endedNs, Throwable error) {
        sawWorker(worker);
        if (writer == null) {
            return;
        }
        long taskId = task.id();
        busy.tryEnded(worker, startedNs, endedNs);
        write(() -> writer.attempt(new TryRow(taskId, attempt, worker, startedNs, endedNs, "retried")));
        // the task may have no row yet (no sample saw it wait or run): it gets one, which a row of a later
        // state (its next try running, its end) keeps out or replaces, and then waits for its next try
        write(() -> writer.waiting(unendedRow(task, WAITING, attempt)));
        write(() -> writer.waitingForNextTry(taskId, attempt));
        write(() -> writer.failure(ErrorRecords.of(taskId, attempt, "retried", error)));
    }

    @Override
    public void ended(TaskEvent.Kind end, long taskId, int attempt, String name, String executor, int cores,
                      int gpus, long memoryBytes, long[] dependencies, long submittedNs, long readyNs, long startedNs,
                      String worker, long endedNs, Throwable error) {
        String outcome = switch (end) {
            case FINISHED -> "finished";
            case FAILED -> "failed";
            case CANCELLED -> "cancelled";
            default -> throw new IllegalArgumentException(end + " does not end a task");
        };
        if (startedNs != 0) {
            sawWorker(worker);
        }
        if (writer == null) {
            return;
        }
        if (startedNs != 0) {
            busy.tryEnded(worker, startedNs, endedNs);
            write(() -> writer.attempt(new TryRow(taskId, attempt, worker, startedNs, endedNs, outcome)));
        }
        if (error != null) {
            write(() -> writer.failure(ErrorRecords.of(taskId, attempt, outcome, error)));
        }
        write(() -> writer.task(new TaskRow(taskId, name, executor, cores, gpus, memoryBytes, outcome, attempt, submittedNs,
                readyNs, endedNs, ids(dependencies))));
    }

    private static List<Long> ids(long[] dependencies) {
        return dependencies.length == 0 ? List.of() : Arrays.stream(dependencies).boxed().toList();
    }

    /**
     * Redraws the progress line (until its last line), and samples when a sample is due. Once the flow has
     * {@code stopped}, the counts are those of the flow's end: they are written as of that end (which
     * {@link #end()} writes again), not later, where the overview would average over them.
     */
    private void tick(long now, boolean stopped) {
        nextTick = now + TICK_NANOS;
        if (progressLine != null && !progressEnded) {
            progressLine.show(progress(), now);
        }
        if (sampler != null && now - nextSample >= 0) {
            nextSample = now + sampleEveryNanos;
            // first: the workers of running tries are sampled with the others
            recordRunning();
            recordWaiting();
            sampleResources(now);
            recordRemoteWorkers();
            Progress counts = progress();
            long at = stopped ? endedNs : epochNanos(now);
            write(() -> writer.progress(at, counts));
        } else if (sampler != null) {
            for (TaskInfo task : lanes.running()) {
                sawWorker(task.worker());
            }
            if (workers.size() > workersSampled) {
                // a worker seen for the first time is sampled now, while it is alive, even if the run is short
                sampleResources(now);
            }
        }
        if (now - nextFlush >= 0) {
            nextFlush = now + FLUSH_NANOS;
            write(() -> writer.flush());
        }
    }

    private long epochNanos(long now) {
        return epochNanosAtStart + (now - startNanos);
    }

    private void sampleResources(long now) {
        workersSampled = workers.size();
        long at = epochNanos(now);
        busy.sampleAt(at);
        for (TaskInfo task : lanes.running()) {
            busy.running(task.worker(), task.startedNanos());
        }
        for (SampleRow row : sampler.sample(at, workers)) {
            write(() -> writer.sample(row.withBusy(busy.load(row.worker()))));
        }
    }

    /**
     * Writes a sample of each worker outside this JVM (cluster workers) whose executor heard new figures from it
     * since the last sample: their executors measure them, this thread cannot (see {@link FlowInfo#workerLoads}).
     */
    private void recordRemoteWorkers() {
        for (WorkerLoad load : flow.workerLoads().get()) {
            Long written = remoteWritten.put(load.worker(), load.epochNanos());
            if (written == null || written != load.epochNanos()) {
                SampleRow row = new SampleRow(load.worker(), load.epochNanos(), load.cpuLoad(), load.cpuTimeNanos(),
                        load.memoryUsedBytes(), load.memoryMaxBytes()).withBusy(busy.load(load.worker()));
                write(() -> writer.sample(row));
            }
        }
    }

    /**
     * Writes a row for each try that runs now (on a thread of this JVM or elsewhere) and has none yet, so
     * that the dashboard and a post-mortem of a program that died see what was running. Rows of their ends
     * replace them.
     */
    private void recordRunning() {
        Map<TaskInfo, Integer> now = new HashMap<>();
        for (TaskInfo task : lanes.running()) {
            // read once: the task may go on meanwhile, and a try that is over is skipped. The attempt is read
            // (volatile) before and after its fields: a retry clears them, then numbers the next attempt, so
            // fields read between two equal numbers are that attempt's, or cleared
            int attempt = task.attempt();
            long startedNs = task.startedNanos();
            String worker = task.worker();
            if (startedNs == 0 || worker == null || task.attempt() != attempt) {
                continue;
            }
            now.put(task, attempt);
            sawWorker(worker);
            if (Integer.valueOf(attempt).equals(runningWritten.get(task))) {
                continue;
            }
            TryRow tryRow = new TryRow(task.id(), attempt, worker, startedNs, 0, RUNNING);
            TaskRow taskRow = unendedRow(task, RUNNING, attempt);
            write(() -> writer.running(taskRow, tryRow));
        }
        runningWritten = now;
    }

    /**
     * Writes a {@code waiting} row for each task kept since its submission that has neither started nor
     * ended, up to {@value #MAX_WAITING_ROWS_PER_SAMPLE}, and forgets it; see the class comment.
     */
    private void recordWaiting() {
        int written = 0;
        while (written < MAX_WAITING_ROWS_PER_SAMPLE && !submitted.isEmpty()) {
            TaskInfo task = submitted.poll();
            // read before the rest: a task that starts meanwhile gets a running row, which replaces this one
            if (notWaiting(task)) {
                continue;
            }
            TaskRow row = unendedRow(task, WAITING, task.attempt() - 1);
            write(() -> writer.waiting(row));
            written++;
        }
    }

    /** The row of a task that has not ended, as it is now, in {@code state} after {@code attempts} attempts. */
    private static TaskRow unendedRow(TaskInfo task, String state, int attempts) {
        Resources asked = task.resources();
        return new TaskRow(task.id(), task.name(), task.executorLabel(), asked.cores(), asked.gpus(), asked.memoryBytes(),
                state, attempts, task.submittedNanos(), task.readyNanos(), 0, ids(task.dependencyIds()));
    }

    /** The counts of tasks now, as published: they run ahead of the rows while the database lags behind. */
    private Progress progress() {
        long[] counts = lanes.counts();
        return new Progress(submissions.counts()[EventLanes.Count.SUBMITTED.ordinal()],
                // lanes are read one after the other: a try's end may be counted before its start
                Math.max(0, counts[EventLanes.Count.STARTED.ordinal()] - counts[EventLanes.Count.TRIES_ENDED.ordinal()]),
                counts[EventLanes.Count.FINISHED.ordinal()], counts[EventLanes.Count.FAILED.ordinal()],
                counts[EventLanes.Count.CANCELLED.ordinal()]);
    }

    /** Writes the tries still running (there are some if the JVM shuts down first), the run's end, and closes the database. */
    private void end() {
        submitted.clear();
        if (writer != null) {
            recordRunning();
        }
        if (sampler != null) {
            sampleResources(System.nanoTime());
        }
        Progress counts = progress();
        String outcome = counts.failed() > 0 ? "failed" : counts.cancelled() > 0 ? "cancelled"
                : counts.submitted() > counts.ended() ? "unfinished" : "succeeded";
        write(() -> writer.progress(endedNs, counts));
        write(() -> writer.finish(endedNs, outcome, counts.submitted(), counts.finished(), counts.failed(),
                counts.cancelled()));
        writer = null;
    }

    /** Shows the progress line's last line, once: at the flow's stop, or when the JVM shuts down before it. */
    private void endProgressLine(long nowNanos) {
        if (progressLine != null && !progressEnded) {
            progressEnded = true;
            progressLine.finish(progress(), nowNanos);
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
            onFailure.accept(e);
        }
    }
}
