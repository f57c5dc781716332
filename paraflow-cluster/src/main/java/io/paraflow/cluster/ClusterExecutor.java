package io.paraflow.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.paraflow.cluster.internal.Batches;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Greeting;
import io.paraflow.cluster.internal.Hazelcasts;
import io.paraflow.cluster.internal.MemberOptions;
import io.paraflow.cluster.internal.GridRef;
import io.paraflow.cluster.internal.RemoteResult;
import io.paraflow.cluster.internal.ResultStore;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.cluster.internal.Placement;
import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.RemoteValue;
import io.paraflow.exec.Resources;
import io.paraflow.exec.SubmissionCheck;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.exec.WorkerLoad;
import io.paraflow.internal.Threads;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.SerializationException;
import io.paraflow.serial.Serializer;
import io.paraflow.serial.SerializerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs tasks on {@link ClusterWorker}s, on this machine or many: the driver side of a cluster. It joins the
 * cluster as a member that holds no data, and tasks choose it by label like any executor:
 *
 * <pre>{@code
 * ClusterExecutor cluster = ClusterExecutor.builder().join("10.0.0.7:5701", "10.0.0.8:5701").bind("10.0.0.1")
 *         .allow("com.example.**").build();
 * try (Flow flow = Flow.builder().executor(cluster).build()) {
 *     Task<Model> model = flow.task("fit").on("cluster").submit(Calibration::fit, data);
 * }
 * }</pre>
 *
 * <p>What users can rely on:
 * <ul>
 *   <li>Functions, arguments and results travel like those of worker processes: serialized with
 *       {@link ForySerializer} (or {@link JavaSerializer}, see {@link Builder#serializer}) and only classes on
 *       the allow-list are deserialized; workers use the driver's serializer and allow-list. An exception thrown
 *       by a task reaches the driver as a {@link io.paraflow.RemoteTaskException}.</li>
 *   <li>Placement is resource-aware: a task asking for k cores and m bytes goes to a worker whose cores and
 *       free memory fit it, the one with the most free slots; {@link #capacity()} is the largest worker present
 *       when the executor was built.</li>
 *   <li>A worker that is lost (killed, crashed, cut off) is noticed within the {@link Builder#detection detection
 *       time}; the tasks it was running or had been sent are placed again on other workers, without counting as
 *       a failed attempt. Results already received are kept: they live in the driver, or in the data grid with a
 *       backup. A worker that joins during a run gets tasks at once; one that leaves cleanly hands back what it
 *       has not started.</li>
 *   <li>Results of at least {@link Builder#gridThreshold} bytes (serialized) stay in the cluster's data grid,
 *       encrypted, with one backup, until something on the driver needs them ({@code get}, a stage, a local
 *       task; see {@link io.paraflow.exec.RemoteValue}); cluster tasks that take them read them where they
 *       run, preferably on the worker that computed them. {@link #close()} deletes them: fetch what you need
 *       before.</li>
 *   <li>Each worker reports its load (CPU, heap) about once per second; {@link #workerLoads()} gives the latest
 *       of each worker present, for a monitor's samples.</li>
 *   <li>{@link #close()} fails the tasks that have not finished and leaves the cluster; workers then drop
 *       this driver's tasks and interrupt those still running.</li>
 * </ul>
 *
 * <p>Implementation notes. Waiting attempts, the placement and the workers' reservations are guarded by one
 * lock. One dispatcher thread takes every waiting attempt that fits somewhere, serializes them outside the
 * lock and sends one batch per worker, so that the per-message cost of Hazelcast is shared by many small
 * tasks; workers send their outcomes back in batches too. Each worker is sent its cores plus
 * {@link Builder#prefetch} tasks, so that it does not idle while outcomes and new tasks cross the network;
 * a task counts as started when its worker says it took it from its queue (a notice sent with outcomes), so
 * that its timeout does not count the time it waited there ({@link Builder#startWithin} bounds that wait).
 * Outcomes arrive on Hazelcast's executor threads, which open them and pass them to one reporting thread of
 * the driver's ({@code paraflow-cluster-outcomes}), which reports them to the flow: user callbacks of tasks
 * run there (a callback that blocks holds up the reporting of later outcomes, not Hazelcast).
 *
 * <p>Thread-safe. {@link #execute} never blocks on the network.
 */
public final class ClusterExecutor implements TaskExecutor {

    /** The label of a cluster executor, and of workers, unless told otherwise. */
    public static final String DEFAULT_LABEL = "cluster";
    /** Results whose serialized form is at least this large stay in the data grid: 64 KiB. */
    public static final long DEFAULT_GRID_THRESHOLD = 64 << 10;

    private static final System.Logger LOG = System.getLogger(ClusterExecutor.class.getName());
    private static final Comparator<Pending> ORDER = Comparator.comparingInt((Pending p) -> p.task.priority()).reversed()
            .thenComparingLong(p -> p.key);
    /** The most attempts placed in one round of the dispatcher, so that a huge backlog does not hold the lock long. */
    private static final int MAX_PER_ROUND = 4096;
    /** Ends {@link #reporter}. */
    private static final Arrival STOP_REPORTING = new Arrival("", new byte[0]);
    /** The size above which the tasks for one worker are split into several batches. */
    private static final long BATCH_BYTES = 8L << 20;

    private final String label;
    private final int prefetch;
    /** {@link Builder#startWithin}, in nanoseconds; 0 if not set. */
    private final long startWithinNanos;
    private final Serializer serializer;
    private final String serializerName;
    private final List<String> allowed;
    /** Failures travel as Java-serialized {@link io.paraflow.RemoteTaskException}s, whatever the serializer of values. */
    private final Serializer failures = JavaSerializer.allowing(List.of());
    private final HazelcastInstance hazelcast;
    private final Envelopes envelopes;
    /** Where workers keep large results; the driver reads it when something here needs one. */
    private final ResultStore grid;
    private final String driver;
    private final Resources capacity;
    private final AtomicLong keys = new AtomicLong();
    private final Map<Long, Pending> outstanding = new ConcurrentHashMap<>();
    /** The latest attempt of each task handed over and not yet ended, for {@link #stop}. Guarded by {@link #lock}. */
    private final Map<ReadyTask, Pending> latest = new HashMap<>();
    private final Thread dispatcher;
    /** Result batches opened on Hazelcast's threads, reported to the flow by {@link #reporter}. */
    private final LinkedBlockingQueue<Arrival> results = new LinkedBlockingQueue<>();
    private final Thread reporter;
    private final SubmissionCheck submissionCheck;

    private final Object lock = new Object();
    private final PriorityQueue<Pending> waiting = new PriorityQueue<>(ORDER);
    private final Placement<Node> placement = new Placement<>();
    private final Map<UUID, Placement.Slots<Node>> workers = new HashMap<>();
    /**
     * The latest load report of each worker in {@link #workers}, for {@link #workerLoads}: read without the lock,
     * changed under it (so that a report cannot bring back a worker that left).
     */
    private final Map<UUID, WorkerLoad> loads = new ConcurrentHashMap<>();
    /** The greeting sent to each worker that joined: it gets tasks once it answered it. */
    private final Map<UUID, Greeting> greeted = new ConcurrentHashMap<>();
    private final GreetingRetries greetingRetries = new GreetingRetries();
    private boolean changed;
    private boolean closed;
    /** Cancellations {@link #stop} and {@link #withdraw} left for the dispatcher to send, by worker. */
    private final Map<Cancels, List<Long>> cancels = new LinkedHashMap<>();
    /** The last attempt {@link #warnIfNoWorkerFits} warned about. */
    private Pending lastUnfit;
    /** Why this executor can run nothing any more (it was cut off from its workers); null while it can. */
    private String cutOff;

    /** A worker as the driver sees it. */
    private record Node(Member member, String name, Set<Pending> assigned) {
    }

    /** An attempt from the moment it is handed over until its outcome is reported. */
    private static final class Pending {
        final ReadyTask task;
        final int attempt;
        final long key;
        final int cores;
        final long memory;
        /** Where it is placed; null while it waits. Guarded by the executor's lock. */
        Placement.Slots<Node> at;
        /** Whether {@link #stop} ended it: it is never placed again. Guarded by the executor's lock. */
        boolean stopped;
        /** The worker that holds its largest kept input, which it prefers; null if none. */
        UUID near;
        /** When it was placed on its worker, if {@link Builder#startWithin} is set. Guarded by the executor's lock. */
        long placedAt;
        /** Whether its worker said it started it. Guarded by the executor's lock. */
        boolean started;

        Pending(ReadyTask task, long key) {
            this.task = task;
            this.attempt = task.attempt();
            this.key = key;
            this.cores = Math.max(1, task.resources().cores());
            this.memory = task.resources().memoryBytes();
        }
    }

    private ClusterExecutor(Builder builder) {
        this.label = builder.label;
        this.prefetch = builder.prefetch;
        this.startWithinNanos = builder.startWithin == null ? 0 : builder.startWithin.toNanos();
        this.allowed = List.copyOf(builder.allowed);
        this.serializer = builder.serializerFactory.create(allowed);
        this.serializerName = builder.serializerFactory.getClass().getName();
        this.submissionCheck = new SubmissionCheck(serializer, label, "a cluster worker");
        Hazelcasts.Settings settings = builder.options.settings(true, Map.of(Hazelcasts.ROLE, "driver",
                ResultStore.THRESHOLD, Long.toString(builder.gridThreshold)));
        this.envelopes = Envelopes.ofDriver(settings.secret().cipher(), "cluster executor '" + label + "'");
        this.hazelcast = Hazelcasts.start(settings, this::receive);
        this.grid = new ResultStore(hazelcast, settings.secret().cipher(), "cluster executor '" + label + "'", 0);
        try {
            this.driver = hazelcast.getCluster().getLocalMember().getUuid().toString();
            envelopes.connect(hazelcast, "cluster executor '" + label + "'");
            hazelcast.getCluster().addMembershipListener(new MembershipListener() {
                @Override
                public void memberAdded(MembershipEvent event) {
                    workerJoined(event.getMember());
                }

                @Override
                public void memberRemoved(MembershipEvent event) {
                    workerLeft(event.getMember());
                }
            });
            hazelcast.getCluster().getMembers().forEach(this::workerJoined);
            hazelcast.getLifecycleService().addLifecycleListener(event -> {
                if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                    merged();
                }
            });
            this.capacity = awaitWorkers(builder);
        } catch (RuntimeException | Error e) {
            // a member left running would keep the JVM alive (Hazelcast's threads are not daemons)
            greetingRetries.close();
            hazelcast.shutdown();
            throw e;
        }
        this.dispatcher = new Thread(this::dispatch, "paraflow-cluster-dispatch");
        dispatcher.setDaemon(true);
        dispatcher.start();
        this.reporter = new Thread(this::reportResults, "paraflow-cluster-outcomes");
        reporter.setDaemon(true);
        reporter.start();
    }

    /** A builder with the defaults: label {@value #DEFAULT_LABEL}, bind 127.0.0.1, at least one worker within 30 s. */
    public static Builder builder() {
        return new Builder();
    }

    private Resources awaitWorkers(Builder builder) {
        long deadline = System.nanoTime() + builder.awaitTime.toNanos();
        synchronized (lock) {
            while (workers.size() < builder.awaitCount && System.nanoTime() < deadline) {
                try {
                    lock.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (workers.size() < builder.awaitCount) {
                int found = workers.size();
                throw new IllegalStateException("cluster executor '" + label + "': " + found + " worker(s) with label '"
                        + label + "' joined within " + builder.awaitTime + ", " + builder.awaitCount + " needed (joined "
                        + builder.options.joinAddresses() + " bound to " + builder.options.bindAddress() + "); start"
                        + " workers with `paraflow worker --join ... --label " + label + "` and the same secret, check that"
                        + " bind(...) is this machine's address on the workers' network (127.0.0.1 reaches this machine"
                        + " only), or lower awaitWorkers(...)");
            }
            int cores = 0;
            long memory = 0;
            for (Placement.Slots<Node> slots : workers.values()) {
                cores = Math.max(cores, Integer.parseInt(slots.worker().member().getAttribute(Hazelcasts.CORES)));
                memory = Math.max(memory, Long.parseLong(slots.worker().member().getAttribute(Hazelcasts.MEMORY)));
            }
            return new Resources(cores, memory, 0);
        }
    }

    @Override
    public String label() {
        return label;
    }

    /** The largest worker (cores, memory) present when the executor was built; no GPUs. */
    @Override
    public Resources capacity() {
        return capacity;
    }

    /** The names of the workers this executor uses now (for tests and monitoring). */
    public List<String> workers() {
        synchronized (lock) {
            List<String> names = new ArrayList<>();
            for (Placement.Slots<Node> slots : workers.values()) {
                names.add(slots.worker().name());
            }
            return names;
        }
    }

    /**
     * Refuses at submission what cannot reach a worker (see {@link SubmissionCheck}).
     *
     * @throws SerializationException naming the task and the type at fault
     */
    @Override
    public void checkSubmission(String taskName, Object function, List<Object> knownArguments) {
        submissionCheck.check(taskName, function, knownArguments);
    }

    /** Tasks of this executor take the results its workers kept in the grid as they are: workers read them. */
    @Override
    public boolean acceptsRemote(RemoteValue value) {
        return value instanceof RemoteResult kept && kept.isIn(grid);
    }

    @Override
    public void execute(ReadyTask task) {
        Pending pending = new Pending(task, keys.incrementAndGet());
        if (task.largestRemoteArgument() instanceof RemoteResult kept && kept.isIn(grid)) {
            pending.near = kept.worker();
        }
        String refused;
        synchronized (lock) {
            refused = closed ? "executor '" + label + "' is closed" : cutOff;
            if (refused == null) {
                waiting.add(pending);
                latest.put(task, pending);
                changed = true;
                lock.notifyAll();
                return;
            }
        }
        task.failed(pending.attempt, new IllegalStateException(refused), label);
    }

    /**
     * Hazelcast merged this member back into the cluster after a network split. Its workers on the other side
     * took it for lost and forgot its session, and if its member id changed, nothing sealed for it opens: it
     * cannot be trusted to get answers any more, so its tasks fail now, loudly, rather than wait for ever.
     */
    private void merged() {
        String now = hazelcast.getCluster().getLocalMember().getUuid().toString();
        String reason = "cluster executor '" + label + "' was cut off from its workers by a network split and merged"
                + " back into the cluster" + (now.equals(driver) ? "" : " under a new member id (" + driver + " became "
                + now + ")") + ": workers no longer answer it; close it and build a new one";
        List<Pending> left;
        synchronized (lock) {
            if (closed || cutOff != null) {
                return;
            }
            cutOff = reason;
            left = new ArrayList<>(waiting);
            waiting.clear();
            for (Pending pending : outstanding.values()) {
                if (pending.at != null) {
                    placement.release(pending.at, pending.cores, pending.memory);
                    pending.at.worker().assigned().remove(pending);
                    pending.at = null;
                }
                left.add(pending);
            }
            outstanding.clear();
            latest.clear();
        }
        LOG.log(System.Logger.Level.ERROR, reason);
        IllegalStateException error = new IllegalStateException(reason);
        for (Pending pending : left) {
            pending.task.failed(pending.attempt, error, label);
        }
    }

    // ---------------------------------------------------------------- membership

    /**
     * A member joined: if it is a worker for this label, greet it; it gets tasks once it answered (see
     * {@link Greeting}), so a member that joined without the secret never does.
     */
    private void workerJoined(Member member) {
        if (!"worker".equals(member.getAttribute(Hazelcasts.ROLE))) {
            return;
        }
        String labels = member.getAttribute(Hazelcasts.LABELS);
        if (labels == null || !Arrays.asList(labels.split(",")).contains(label)) {
            return;
        }
        Greeting hello = Greeting.fresh(driver);
        if (greeted.putIfAbsent(member.getUuid(), hello) == null) {
            Runnable greet = () -> envelopes.send(member, Envelopes.HELLO, hello.encode());
            greet.run();
            greetingRetries.retry(Hazelcasts.name(member), () -> isUnanswered(member, hello), greet);
        }
    }

    /** Whether {@code hello}, sent to {@code member}, still waits for its answer (the member is still there). */
    private boolean isUnanswered(Member member, Greeting hello) {
        synchronized (lock) {
            return !closed && greeted.get(member.getUuid()) == hello && !workers.containsKey(member.getUuid());
        }
    }

    /** A worker answered its greeting: it holds the secret, so it gets tasks from now on. */
    private void workerAnswered(Greeting welcome) {
        Member member = null;
        for (Member candidate : hazelcast.getCluster().getMembers()) {
            if (candidate.getUuid().toString().equals(welcome.member())) {
                member = candidate;
            }
        }
        Greeting hello = member == null ? null : greeted.get(member.getUuid());
        if (hello == null || !hello.isAnsweredBy(welcome)) {
            LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' ignored an answer to a greeting"
                    + " it did not send (member " + welcome.member() + ")");
            return;
        }
        int cores = Integer.parseInt(member.getAttribute(Hazelcasts.CORES));
        long memory = Long.parseLong(member.getAttribute(Hazelcasts.MEMORY));
        synchronized (lock) {
            // workerLeft may have run since the check above: it removes the greeting first
            if (closed || workers.containsKey(member.getUuid()) || greeted.get(member.getUuid()) != hello) {
                return;
            }
            Node node = new Node(member, Hazelcasts.name(member), new LinkedHashSet<>());
            workers.put(member.getUuid(), placement.add(node, cores, prefetch, memory));
            changed = true;
            lock.notifyAll();
        }
    }

    /** A worker left or was lost: what it was sent is placed again. */
    private void workerLeft(Member member) {
        envelopes.forget(member.getUuid());
        greeted.remove(member.getUuid());
        int replaced;
        synchronized (lock) {
            loads.remove(member.getUuid());
            Placement.Slots<Node> slots = workers.remove(member.getUuid());
            if (slots == null) {
                return;
            }
            placement.remove(slots);
            replaced = slots.worker().assigned().size();
            for (Pending pending : slots.worker().assigned()) {
                pending.at = null;
                waiting.add(pending);
            }
            slots.worker().assigned().clear();
            changed = true;
            lock.notifyAll();
        }
        if (replaced > 0) {
            LOG.log(System.Logger.Level.INFO, "cluster executor '" + label + "': worker " + Hazelcasts.name(member)
                    + " left; its " + replaced + " task(s) are placed again");
        }
    }

    // ---------------------------------------------------------------- dispatching

    private void dispatch() {
        Map<Placement.Slots<Node>, List<Pending>> batches = new LinkedHashMap<>();
        List<Unstarted> unstarted = new ArrayList<>();
        Map<Cancels, List<Long>> cancelling = new LinkedHashMap<>();
        long checkEvery = Math.max(TimeUnit.MILLISECONDS.toNanos(10), startWithinNanos / 4);
        long nextCheck = System.nanoTime() + checkEvery;
        while (true) {
            synchronized (lock) {
                while (!changed && !closed && !(startWithinNanos > 0 && System.nanoTime() - nextCheck >= 0)) {
                    try {
                        lock.wait(startWithinNanos == 0 ? 0
                                : Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextCheck - System.nanoTime())));
                    } catch (InterruptedException ignored) {
                        // only close ends this thread
                    }
                }
                if (closed) {
                    return;
                }
                if (startWithinNanos > 0 && System.nanoTime() - nextCheck >= 0) {
                    takeBackUnstarted(unstarted);
                    nextCheck = System.nanoTime() + checkEvery;
                }
                changed = false;
                cancelling.putAll(cancels);
                cancels.clear();
                int placed = 0;
                while (!waiting.isEmpty() && placed < MAX_PER_ROUND) {
                    Pending next = waiting.peek();
                    if (next.stopped || next.attempt != next.task.attempt()) {
                        // its attempt ended meanwhile (stopped, timed out, retried): placing it would run it twice
                        waiting.poll();
                        forget(next);
                        continue;
                    }
                    Placement.Slots<Node> slots = place(next);
                    if (slots == null) {
                        warnIfNoWorkerFits(next);
                        break;
                    }
                    waiting.poll();
                    next.at = slots;
                    if (startWithinNanos > 0) {
                        next.placedAt = System.nanoTime();
                        next.started = false;
                    }
                    slots.worker().assigned().add(next);
                    outstanding.put(next.key, next);
                    batches.computeIfAbsent(slots, s -> new ArrayList<>()).add(next);
                    placed++;
                }
                changed |= placed == MAX_PER_ROUND;
            }
            cancelling.forEach(this::sendCancels);
            cancelling.clear();
            unstarted.forEach(this::failUnstarted);
            unstarted.clear();
            batches.forEach(this::send);
            batches.clear();
        }
    }

    /** An attempt taken back from the worker it was sent to, which did not start it in time. */
    private record Unstarted(Pending pending, Member member, String worker) {
    }

    /**
     * Takes back the attempts sent to a worker more than {@link Builder#startWithin} ago that it has not
     * started: their batch was lost, or the worker's cores are held by tasks that do not end. Holds {@link #lock};
     * O(attempts sent), once per quarter of that time.
     */
    private void takeBackUnstarted(List<Unstarted> unstarted) {
        long now = System.nanoTime();
        for (Pending pending : outstanding.values()) {
            if (pending.at != null && !pending.started && now - pending.placedAt > startWithinNanos) {
                unstarted.add(new Unstarted(pending, pending.at.worker().member(), pending.at.worker().name()));
                placement.release(pending.at, pending.cores, pending.memory);
                pending.at.worker().assigned().remove(pending);
                pending.at = null;
                forget(pending);
                changed = true;
            }
        }
    }

    /** Takes {@code taken} out of its worker's queue, if it is there, and fails it. */
    private void failUnstarted(Unstarted taken) {
        Pending pending = taken.pending();
        sendCancels(new Cancels(taken.member(), true), List.of(pending.key));
        pending.task.failed(pending.attempt, new IllegalStateException("task " + pending.task.name() + " was sent to"
                + " cluster worker " + taken.worker() + " more than " + Duration.ofNanos(startWithinNanos) + " ago and has"
                + " not started there (its message was lost, or the worker's cores are held by tasks that do not end):"
                + " taken back (see ClusterExecutor.Builder.startWithin)"), taken.worker());
    }

    /**
     * Places an attempt near the worker that holds its largest kept input ({@link Placement#placeNear}: there
     * if it can start it now, or if no other worker can either), else on the worker with the most free slots.
     * Holds {@link #lock}.
     */
    private Placement.Slots<Node> place(Pending pending) {
        Placement.Slots<Node> holder = pending.near == null ? null : workers.get(pending.near);
        return holder != null ? placement.placeNear(holder, pending.cores, pending.memory)
                : placement.place(pending.cores, pending.memory);
    }

    /**
     * Says, once per attempt, that no worker present can ever take it (the large ones left): it waits for one
     * that can, rather than silently. Holds {@link #lock}.
     */
    private void warnIfNoWorkerFits(Pending pending) {
        if (pending != lastUnfit && !placement.fitsAny(pending.cores, pending.memory)) {
            lastUnfit = pending;
            LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "': task " + pending.task.name()
                    + " asks for " + pending.task.resources() + ", more than any of the " + workers.size()
                    + " worker(s) present offers; it (and the tasks behind it) wait for a worker that can take it");
        }
    }

    /**
     * Serializes and sends attempts placed on one worker, in batches of about {@link #BATCH_BYTES} at most. An
     * attempt that cannot be sent fails, naming its task and the worker; the dispatcher carries on.
     */
    private void send(Placement.Slots<Node> slots, List<Pending> placed) {
        Node node = slots.worker();
        List<Pending> sending = new ArrayList<>();
        List<Batches.Job> jobs = new ArrayList<>();
        long bytesInBatch = 0;
        for (Pending pending : placed) {
            ReadyTask task = pending.task;
            byte[] bytes;
            try {
                bytes = serializer.toBytes(RemoteResult.forWorkers(task.invocation()));
            } catch (IllegalStateException cancelled) {
                release(pending);
                continue;
            } catch (SerializationException e) {
                release(pending);
                task.failed(pending.attempt, new SerializationException(e.type(), "task " + task.name()
                        + " cannot be sent to a cluster worker: " + e.getMessage(), e), node.name());
                continue;
            } catch (RuntimeException e) {
                release(pending);
                task.failed(pending.attempt, new IllegalStateException("task " + task.name() + " cannot be sent to"
                        + " cluster worker " + node.name() + ": " + e, e), node.name());
                continue;
            }
            if (bytesInBatch + bytes.length > BATCH_BYTES && !jobs.isEmpty()) {
                sendBatch(node, sending, jobs);
                bytesInBatch = 0;
            }
            sending.add(pending);
            jobs.add(new Batches.Job(pending.key, pending.cores, pending.memory, task.name(), bytes));
            bytesInBatch += bytes.length;
        }
        if (!jobs.isEmpty()) {
            sendBatch(node, sending, jobs);
        }
    }

    /** Sends one batch and clears both lists; if it cannot be sent at all, its attempts fail. */
    private void sendBatch(Node node, List<Pending> sending, List<Batches.Job> jobs) {
        try {
            // if the worker is gone, its loss places these attempts again
            envelopes.send(node.member(), Envelopes.TASKS, Batches.encode(new Batches.TaskBatch(driver, serializerName,
                    allowed, jobs)));
        } catch (RuntimeException e) {
            for (Pending pending : sending) {
                release(pending);
                pending.task.failed(pending.attempt, new IllegalStateException("task " + pending.task.name()
                        + " cannot be sent to cluster worker " + node.name() + ": " + e, e), node.name());
            }
        }
        sending.clear();
        jobs.clear();
    }

    /** Ends an attempt's placement, also if its worker was lost meanwhile and it waits to be placed again. */
    private void release(Pending pending) {
        synchronized (lock) {
            forget(pending);
            if (pending.at == null) {
                waiting.remove(pending);
                return;
            }
            placement.release(pending.at, pending.cores, pending.memory);
            pending.at.worker().assigned().remove(pending);
            pending.at = null;
            changed = true;
            lock.notifyAll();
        }
    }

    // ---------------------------------------------------------------- outcomes

    private void receive(byte kind, byte[] payload) {
        byte[] plain = envelopes.open(kind, payload);
        if (plain == null) {
            return;
        }
        String sender = Envelopes.sender(payload).toString();
        if (kind == Envelopes.WELCOME) {
            try {
                Greeting welcome = Greeting.decode(plain);
                if (welcome.member().equals(sender)) {
                    workerAnswered(welcome);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' dropped an answer to a"
                            + " greeting in the name of member " + welcome.member() + " sent by member " + sender);
                }
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' dropped a malformed greeting");
            }
            return;
        }
        if (kind == Envelopes.LOAD) {
            loadReported(sender, plain);
            return;
        }
        if (kind != Envelopes.RESULTS) {
            LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' dropped a message meant for a worker");
            return;
        }
        results.add(new Arrival(sender, plain));
    }

    /**
     * Keeps a worker's load report as its latest, stamped with this JVM's clock (workers' clocks may differ), if
     * the worker is one of this executor's; on Hazelcast's thread, as it costs little.
     */
    private void loadReported(String sender, byte[] plain) {
        Batches.Load load;
        try {
            load = Batches.decodeLoad(plain);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' dropped a malformed load report: "
                    + e.getMessage());
            return;
        }
        if (!load.worker().equals(sender)) {
            LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' dropped a load report in the name of"
                    + " member " + load.worker() + " sent by member " + sender);
            return;
        }
        long now = ChronoUnit.NANOS.between(Instant.EPOCH, Instant.now());
        UUID worker = UUID.fromString(sender);
        synchronized (lock) {
            Placement.Slots<Node> slots = workers.get(worker);
            if (slots != null && !closed) {
                loads.put(worker, new WorkerLoad(slots.worker().name(), now, load.cpuLoad(), load.cpuTimeNanos(),
                        load.memoryUsedBytes(), load.memoryMaxBytes()));
            }
        }
    }

    /**
     * The latest load each worker of this executor reported (CPU time and load of its process, heap used and
     * maximum; about once per second), named as in task events; workers that left are forgotten. Never blocks.
     */
    @Override
    public List<WorkerLoad> workerLoads() {
        return List.copyOf(loads.values());
    }

    /** A result batch opened, and the member that sealed it. */
    private record Arrival(String sender, byte[] plain) {
    }

    /**
     * Reports outcomes on a thread of the driver's own: completing a task runs the user's callbacks, which
     * must neither hold up Hazelcast's few delivery threads nor see them.
     */
    private void reportResults() {
        while (true) {
            Arrival arrival;
            try {
                arrival = results.take();
            } catch (InterruptedException e) {
                continue;
            }
            if (arrival == STOP_REPORTING) {
                return;
            }
            try {
                reportResults(arrival);
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "cluster executor '" + label + "': a message of outcomes could"
                        + " not be reported; its tasks may never end", e);
            }
        }
    }

    private void reportResults(Arrival arrival) {
        Batches.ResultBatch batch;
        try {
            batch = Batches.decodeResults(arrival.plain());
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' dropped a malformed message: "
                    + e.getMessage());
            return;
        }
        if (!batch.worker().equals(arrival.sender())) {
            LOG.log(System.Logger.Level.WARNING, "cluster executor '" + label + "' dropped outcomes in the name of member "
                    + batch.worker() + " sent by member " + arrival.sender());
            return;
        }
        for (Batches.Outcome outcome : batch.outcomes()) {
            Pending pending = outstanding.get(outcome.key());
            if (outcome.kind() == Batches.STARTED) {
                reportStarted(pending, batch.worker());
                continue;
            }
            String worker = accept(pending, batch.worker(), outcome.kind());
            if (worker == null) {
                continue;
            }
            try {
                report(pending, outcome, worker, batch.worker());
            } catch (Throwable e) {
                // the flow's paths do not throw; whatever does must not end the reporting of every later outcome
                LOG.log(System.Logger.Level.ERROR, "cluster executor '" + label + "': reporting the outcome of task "
                        + pending.task.name() + " from worker " + worker + " failed; the task may never end", e);
            }
        }
    }

    /**
     * The worker says it started an attempt: the flow counts its timeout from now. A notice from a worker the
     * attempt was taken from, or that arrives after the attempt's outcome, is ignored.
     */
    private void reportStarted(Pending pending, String fromWorker) {
        if (pending == null) {
            return;
        }
        String worker;
        synchronized (lock) {
            if (pending.at == null || !pending.at.worker().member().getUuid().toString().equals(fromWorker)) {
                return;
            }
            pending.started = true;
            worker = pending.at.worker().name();
        }
        pending.task.started(pending.attempt, worker);
    }

    /**
     * Takes an outcome's attempt off its worker if that worker is the one it was placed on (else the outcome
     * comes from a worker the attempt was taken from, and is ignored); places it again if it was handed
     * back. Returns the worker's name if the outcome is to be reported.
     */
    private String accept(Pending pending, String fromWorker, byte kind) {
        if (pending == null) {
            return null;
        }
        synchronized (lock) {
            if (pending.at == null || !pending.at.worker().member().getUuid().toString().equals(fromWorker)) {
                return null;
            }
            String worker = pending.at.worker().name();
            placement.release(pending.at, pending.cores, pending.memory);
            if (kind == Batches.HANDED_BACK) {
                // the worker is leaving: it gets nothing new, but what it still runs is accepted from it
                placement.remove(pending.at);
            }
            pending.at.worker().assigned().remove(pending);
            pending.at = null;
            changed = true;
            lock.notifyAll();
            if (kind == Batches.HANDED_BACK) {
                waiting.add(pending);
                return null;
            }
            forget(pending);
            return worker;
        }
    }

    /** Drops an attempt that will not be reported again. Holds {@link #lock}. */
    private void forget(Pending pending) {
        outstanding.remove(pending.key);
        latest.remove(pending.task, pending);
    }

    private void report(Pending pending, Batches.Outcome outcome, String worker, String workerUuid) {
        ReadyTask task = pending.task;
        if (outcome.kind() == Batches.KEPT) {
            reportKept(pending, outcome, worker, workerUuid);
            return;
        }
        boolean result = outcome.kind() == Batches.RESULT;
        Object value;
        try {
            value = (result ? serializer : failures).fromBytes(outcome.bytes(), 0, outcome.bytes().length);
        } catch (SerializationException e) {
            task.failed(pending.attempt, new SerializationException(e.type(), "the " + (result ? "result" : "failure")
                    + " of task " + task.name() + " cannot be received from worker " + worker + ": " + e.getMessage(), e),
                    worker);
            return;
        }
        if (result) {
            task.succeeded(pending.attempt, value, worker);
        } else {
            task.failed(pending.attempt, (Throwable) value, worker);
        }
    }

    /** The task's result stays in the grid: it ends holding a handle, fetched when something here needs it. */
    private void reportKept(Pending pending, Batches.Outcome outcome, String worker, String workerUuid) {
        ReadyTask task = pending.task;
        long size;
        try {
            size = ResultStore.keptSize(outcome);
        } catch (IllegalArgumentException e) {
            task.failed(pending.attempt, new IllegalStateException("the result of task " + task.name() + " cannot be"
                    + " received from worker " + worker + ": " + e.getMessage(), e), worker);
            return;
        }
        GridRef ref = new GridRef(driver, outcome.key(), size, workerUuid, worker, task.id(), task.name());
        task.succeeded(pending.attempt, new RemoteResult(task, ref, grid, serializer), worker);
    }

    // ---------------------------------------------------------------- stopping

    /**
     * Ends the current attempt of {@code task}: interrupts it on its worker if it was sent to one (the worker
     * answers, and its slots are freed then; one still in the worker's queue leaves it), else drops it. It is
     * never placed again. Does not wait for the network: the dispatcher thread sends the cancellation.
     */
    @Override
    public void stop(ReadyTask task) {
        end(task, true);
    }

    /**
     * An attempt cancelled before its worker started it leaves the worker's queue, as with {@link #stop}; one
     * that its worker started (its start notice may still be on its way) is not interrupted, and its outcome is
     * ignored. One still waiting here is dropped by the dispatcher when it comes to it (a flow cancelling a
     * large backlog would otherwise pay a search of the queue per task).
     */
    @Override
    public void withdraw(ReadyTask task) {
        end(task, false);
    }

    /**
     * Ends the current attempt of {@code task}: if {@code interrupt}, drops it from the waiting attempts now and
     * interrupts it on its worker; else only takes it from its worker's queue, if it is still there.
     */
    private void end(ReadyTask task, boolean interrupt) {
        synchronized (lock) {
            Pending pending = latest.get(task);
            if (pending == null || pending.attempt != task.attempt()) {
                return;
            }
            pending.stopped = true;
            if (pending.at == null) {
                if (interrupt) {
                    waiting.remove(pending);
                    forget(pending);
                } else if (waiting.peek() == pending) {
                    // the dispatcher drops it only when woken: at the head, it may hold back the attempts behind it
                    changed = true;
                    lock.notifyAll();
                }
                return;
            }
            // sent by the dispatcher, with the other cancellations for that worker: the caller does not wait
            cancels.computeIfAbsent(new Cancels(pending.at.worker().member(), !interrupt), c -> new ArrayList<>())
                    .add(pending.key);
            changed = true;
            lock.notifyAll();
        }
    }

    /** The tasks to cancel on one worker, only if queued there or also if running. */
    private record Cancels(Member member, boolean queuedOnly) {
    }

    /** Sends the cancellations for one worker. */
    private void sendCancels(Cancels cancels, List<Long> keys) {
        envelopes.send(cancels.member(), Envelopes.CANCEL, Batches.encode(new Batches.Cancel(driver, false,
                cancels.queuedOnly(), keys.stream().mapToLong(Long::longValue).toArray())));
    }

    /** How many results the driver read from the data grid (for tests). */
    long gridReads() {
        return grid.reads();
    }

    /** How many results of this driver are in the data grid now (for tests). */
    int gridEntries() {
        return grid.size(driver);
    }

    /** The keys of this driver's results in the data grid now (for tests). */
    Set<Long> gridKeys() {
        return grid.keys(driver);
    }

    /** This driver's member UUID (for tests). */
    String driverUuid() {
        return driver;
    }

    /** Whether the grid map of {@code driverUuid}'s results exists in the cluster, as this member sees it (for tests). */
    boolean gridHasMapOf(String driverUuid) {
        return grid.hasMap(driverUuid);
    }

    /** The addresses of the workers holding the primary copies of this driver's results in the grid (for tests). */
    Set<String> gridOwners() {
        return grid.owners(driver);
    }

    /** The attempts sent to workers whose outcome has not arrived yet (for tests). */
    int unanswered() {
        return outstanding.size();
    }

    /** Interrupts every attempt of this executor on every worker. */
    @Override
    public void interruptAll() {
        List<Member> members = new ArrayList<>();
        synchronized (lock) {
            workers.values().forEach(slots -> members.add(slots.worker().member()));
        }
        byte[] cancel = Batches.encode(new Batches.Cancel(driver, true, false, new long[0]));
        members.forEach(member -> envelopes.send(member, Envelopes.CANCEL, cancel));
    }

    /**
     * Fails the attempts that have not finished, leaves the cluster (workers then drop this driver's tasks)
     * and returns when the executor's threads have ended. Idempotent.
     */
    @Override
    public void close() {
        List<Pending> left;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            left = new ArrayList<>(waiting);
            waiting.clear();
            left.addAll(outstanding.values());
            outstanding.clear();
            latest.clear();
            loads.clear();
            lock.notifyAll();
        }
        IllegalStateException error = new IllegalStateException("executor '" + label + "' was closed before the task ended");
        for (Pending pending : left) {
            pending.task.failed(pending.attempt, error, label);
        }
        Threads.joinUninterruptibly(dispatcher);
        results.add(STOP_REPORTING);
        Threads.joinUninterruptibly(reporter);
        greetingRetries.close();
        grid.forget(driver);
        hazelcast.shutdown();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ClusterExecutor[" + label + ", workers=" + workers.size() + ", waiting=" + waiting.size()
                    + ", outstanding=" + outstanding.size() + "]";
        }
    }

    /**
     * Configures a {@link ClusterExecutor}. Setters validate their argument at once and name the setting in
     * the error. Not thread-safe.
     */
    public static final class Builder {
        private final MemberOptions options = new MemberOptions();
        private String label = DEFAULT_LABEL;
        private int prefetch = 64;
        private Duration startWithin;
        private int awaitCount = 1;
        private Duration awaitTime = Duration.ofSeconds(30);
        private final List<String> allowed = new ArrayList<>();
        private SerializerFactory serializerFactory = new ForySerializer.Factory();
        private long gridThreshold = DEFAULT_GRID_THRESHOLD;

        private Builder() {
            options.port(0);
        }

        /** Workers to join, {@code host} or {@code host:port}: at least one. */
        public Builder join(String... addresses) {
            options.join(Arrays.asList(addresses));
            return this;
        }

        /** The interface address the driver binds to and announces; default 127.0.0.1 (one machine only). */
        public Builder bind(String address) {
            options.bind(address);
            return this;
        }

        /** The port the driver listens on; default 0: the first free one from 5701. */
        public Builder port(int port) {
            options.port(port);
            return this;
        }

        /**
         * The cluster secret (see {@code paraflow secret}): it names the cluster and seals every message.
         * Default: the secret in the environment variable {@value ClusterSecret#ENVIRONMENT_VARIABLE}.
         */
        public Builder secret(ClusterSecret secret) {
            options.secret(secret);
            return this;
        }

        /**
         * How long a worker may stay silent before it counts as lost and its tasks are placed again; default
         * 10 s. Shorter notices crashes sooner but may mistake a long garbage-collection pause for a crash.
         * The time that counts is the cluster master's (the oldest member, usually the first worker): give
         * every member the same value.
         */
        public Builder detection(Duration time) {
            options.detection(time);
            return this;
        }

        /** The label tasks choose this executor by, and that its workers carry; default {@value #DEFAULT_LABEL}. */
        public Builder label(String label) {
            Objects.requireNonNull(label, "label");
            if (label.isBlank() || label.contains(",")) {
                throw new IllegalArgumentException("label must be a non-blank word without commas, got '" + label + "'");
            }
            this.label = label;
            return this;
        }

        /**
         * How many task slots each worker is sent beyond its cores (queued there, so that it never waits for
         * the network); default 64. Fewer spreads long tasks better over workers that join later.
         */
        public Builder prefetch(int slots) {
            if (slots < 0) {
                throw new IllegalArgumentException("prefetch must not be negative, got " + slots);
            }
            this.prefetch = slots;
            return this;
        }

        /**
         * How long a task sent to a worker may wait there before it starts: past that, the driver takes it back
         * (out of the worker's queue if it is still there) and fails the attempt, naming the task and the worker
         * (its retries then apply). A task's {@code timeout} counts from its start on the worker, so it does not
         * cover a batch of tasks lost on the way or stuck behind tasks that ignore interrupts; this does. Choose
         * it above the longest wait in a worker's queue (its prefetched tasks run before): default none, tasks
         * wait as long as their worker is a member.
         */
        public Builder startWithin(Duration time) {
            Objects.requireNonNull(time, "startWithin");
            if (time.isNegative() || time.isZero()) {
                throw new IllegalArgumentException("startWithin must be positive, got " + time);
            }
            this.startWithin = time;
            return this;
        }

        /** How many workers {@link #build()} waits for, and for how long; default 1 within 30 s. */
        public Builder awaitWorkers(int count, Duration within) {
            if (count < 1) {
                throw new IllegalArgumentException("awaitWorkers: count must be at least 1 (the capacity is the largest"
                        + " worker), got " + count);
            }
            Objects.requireNonNull(within, "awaitWorkers time");
            this.awaitCount = count;
            this.awaitTime = within;
            return this;
        }

        /**
         * Allows the classes of tasks, arguments and results, as for worker processes
         * ({@code com.example.Point}, {@code com.example.*}, {@code com.example.**}).
         *
         * @throws IllegalArgumentException if a pattern is malformed or would allow every class
         */
        public Builder allow(String... patterns) {
            for (String pattern : patterns) {
                allowed.add(JavaSerializer.checkPattern(pattern));
            }
            return this;
        }

        /**
         * How functions, arguments and results travel: {@link ForySerializer.Factory} (the default) or
         * {@link JavaSerializer.Factory}; workers create the same factory by class name.
         */
        public Builder serializer(Class<? extends SerializerFactory> factory) {
            this.serializerFactory = SerializerFactory.instantiate(factory);
            return this;
        }

        /**
         * The size (of the serialized form, in bytes) from which a task's result stays in the cluster's data
         * grid until something on the driver needs it, instead of coming back with its completion; default
         * {@value ClusterExecutor#DEFAULT_GRID_THRESHOLD} (64 KiB). Smaller results come back at once, which is cheaper.
         * {@code Long.MAX_VALUE} brings every result back.
         */
        public Builder gridThreshold(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("gridThreshold must not be negative, got " + bytes);
            }
            this.gridThreshold = bytes;
            return this;
        }

        /**
         * Joins the cluster and waits for the workers (see {@link #awaitWorkers}).
         *
         * @throws IllegalStateException if no address to join was given, or too few workers joined in time
         */
        public ClusterExecutor build() {
            if (options.joinAddresses().isEmpty()) {
                throw new IllegalStateException("cluster executor '" + label + "': join(...) must name at least one worker"
                        + " address, HOST:PORT");
            }
            return new ClusterExecutor(this);
        }
    }
}
