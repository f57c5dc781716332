package io.paraflow.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.paraflow.RemoteTaskException;
import io.paraflow.ResultUnavailableException;
import io.paraflow.cluster.internal.Batches;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Greeting;
import io.paraflow.cluster.internal.Hazelcasts;
import io.paraflow.cluster.internal.MemberOptions;
import io.paraflow.cluster.internal.RecentSet;
import io.paraflow.cluster.internal.ResultStore;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.exec.Invocation;
import io.paraflow.fn.Fn0;
import io.paraflow.internal.Threads;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.SerializationException;
import io.paraflow.serial.Serializer;
import io.paraflow.serial.SerializerFactory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A cluster worker: a member of the cluster that runs the tasks drivers ({@link ClusterExecutor}s) send it,
 * up to its cores at once. Start one per machine, from the command line ({@code paraflow worker --join ...})
 * or from code:
 *
 * <pre>{@code
 * try (ClusterWorker worker = ClusterWorker.builder().join("10.0.0.1:5701").bind("10.0.0.7").cores(16).start()) {
 *     worker.awaitClosed();
 * }
 * }</pre>
 *
 * <p>What users can rely on:
 * <ul>
 *   <li>Tasks arrive serialized with their driver's serializer and allow-list; the classes of task functions,
 *       arguments and results must be on the worker's classpath. A class the worker cannot load fails its task
 *       with a message naming the class and the worker.</li>
 *   <li>A result at least as large as its driver's grid threshold is stored, sealed, in the cluster's data
 *       grid (with one backup) and kept in the worker's memory for the next tasks placed on it; only its size
 *       goes back to the driver. The worker's own copies are bounded by their serialized size (an eighth of its
 *       maximum heap, the least recently used dropped first) and held softly, so that the collector drops them
 *       (they are read from the grid again) rather than run out of memory; the grid's share of the heap (the
 *       primary and backup copies of the partitions this member holds) is not bounded. Tasks on this worker
 *       that take the same kept value may get the very same object (as tasks on a flow's threads do), others a
 *       copy: task arguments are to be read, not changed.</li>
 *   <li>When a driver leaves or is lost, the worker drops its queued tasks and interrupts its running ones at
 *       once, and forgets its results in the grid: no worker stays busy for a driver that is gone.</li>
 *   <li>About once per second, the worker tells each driver it works for its process's CPU time and load and its
 *       heap used and maximum (sealed like its outcomes), so that a monitored flow samples it
 *       ({@link ClusterExecutor#workerLoads()}).</li>
 *   <li>{@link #close()} leaves cleanly: tasks not started are handed back to their drivers (which place them
 *       elsewhere), running tasks finish (or, after {@link Builder#drainTime}, are interrupted and handed
 *       back), then the worker leaves the cluster.</li>
 * </ul>
 *
 * <p>Outcomes go back to drivers in batches, without waiting; once the worker is leaving, it waits for each
 * batch to be received, so that closing its connections loses none.
 *
 * <p>Thread-safe. Tasks run on threads named {@code paraflow-cluster-task-*}.
 */
public final class ClusterWorker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterWorker.class.getName());
    private static final Run STOP_SENDING = new Run(null, null, null);
    /** How long a leaving worker waits for each driver to receive its last outcomes. */
    private static final Duration LAST_SEND_TIMEOUT = Duration.ofSeconds(5);
    /** How long a leaving worker waits for its interrupted tasks to end before it leaves without them. */
    private static final Duration INTERRUPTED_GRACE = Duration.ofSeconds(5);
    /** How long start notices with no outcome to travel with wait for one (see {@link #sendOutcomes}). */
    private static final long START_NOTICE_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How many cancelled tasks a worker remembers that it did not hold when their cancellation came. */
    private static final int CANCELLED_REMEMBERED = 4096;
    /** How many driver configurations (serializer and allow-list) a worker keeps a serializer for. */
    private static final int MAX_SERIALIZERS = 16;
    /** How long a greeting waits for its sender to appear in this worker's view of the members. */
    private static final long GREETING_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How often a worker tells its drivers its load (see {@link #reportLoad}). */
    private static final Duration LOAD_EVERY = Duration.ofSeconds(1);

    private final String name;
    private final int cores;
    private final Duration drainTime;
    private final ClassLoader classLoader;
    private final HazelcastInstance hazelcast;
    private final Envelopes envelopes;
    private final String uuid;
    /** Large results: kept in the data grid and in this worker's memory. */
    private final ResultStore grid;
    /** Failures travel as Java-serialized {@link RemoteTaskException}s, whatever the driver's serializer. */
    private final Serializer failures = JavaSerializer.allowing(List.of());
    private final SerializerCache serializers = new SerializerCache(MAX_SERIALIZERS, this::createSerializer);
    private final Map<RunKey, Run> active = new ConcurrentHashMap<>();
    /**
     * Tasks a driver cancelled that this worker did not hold: finished, or not arrived yet (their cancellation
     * overtook them), in which case they are answered as cancelled when they arrive; by driver, the last
     * {@value #CANCELLED_REMEMBERED} each, forgotten when the driver leaves. Guarded by {@link #lock} (with
     * {@link #active}'s additions).
     */
    private final Map<String, RecentSet<Long>> cancelledBeforeArrival = new HashMap<>();
    private final LinkedBlockingQueue<Run> outbox = new LinkedBlockingQueue<>();
    private final Thread sender;
    private final Thread warmUp;
    /** The drivers this worker answered and that have not left: those it reports its load to. */
    private final Set<String> drivers = ConcurrentHashMap.newKeySet();
    private final Thread loadReporter;
    private final CountDownLatch stopReportingLoad = new CountDownLatch(1);
    private final List<Thread> taskThreads = new ArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private final Object lock = new Object();
    private final ArrayDeque<Run> queued = new ArrayDeque<>();
    private final ArrayDeque<Run> startable = new ArrayDeque<>();
    private final Set<Run> running = new LinkedHashSet<>();
    private int freeCores;
    /** Task threads waiting for a run. */
    private int idleThreads;
    private boolean leaving;

    private ClusterWorker(Builder builder) {
        this.cores = builder.cores;
        this.freeCores = builder.cores;
        this.drainTime = builder.drainTime;
        this.classLoader = builder.classLoader;
        Map<String, String> attributes = new HashMap<>();
        attributes.put(Hazelcasts.ROLE, "worker");
        attributes.put(Hazelcasts.CORES, Integer.toString(builder.cores));
        attributes.put(Hazelcasts.MEMORY, Long.toString(builder.memory));
        attributes.put(Hazelcasts.LABELS, String.join(",", builder.labels));
        if (builder.name != null) {
            attributes.put(Hazelcasts.NAME, builder.name);
        }
        Hazelcasts.Settings settings = builder.options.settings(false, attributes);
        this.envelopes = Envelopes.ofWorker(settings.secret().cipher(), "a starting worker");
        // loading and first use of the default serializer take a second or more: do it while joining
        this.warmUp = new Thread(ClusterWorker::warmUpSerializer, "paraflow-cluster-warmup");
        warmUp.setDaemon(true);
        warmUp.start();
        this.hazelcast = Hazelcasts.start(settings, this::receive);
        this.name = Hazelcasts.name(hazelcast.getCluster().getLocalMember());
        this.uuid = hazelcast.getCluster().getLocalMember().getUuid().toString();
        // the budget counts serialized bytes, and a value takes several times that on the heap: an eighth of it
        this.grid = new ResultStore(hazelcast, settings.secret().cipher(), name, Runtime.getRuntime().maxMemory() / 8);
        envelopes.connect(hazelcast, "worker " + name);
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                envelopes.forget(event.getMember().getUuid());
                if ("driver".equals(event.getMember().getAttribute(Hazelcasts.ROLE))) {
                    driverGone(event.getMember().getUuid().toString());
                }
            }
        });
        hazelcast.getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                merged();
            }
        });
        for (int i = 0; i < cores; i++) {
            Thread thread = new Thread(this::runTasks, "paraflow-cluster-task-" + (i + 1));
            thread.setDaemon(true);
            thread.setContextClassLoader(classLoader);
            taskThreads.add(thread);
            thread.start();
        }
        this.sender = new Thread(this::sendOutcomes, "paraflow-cluster-sender");
        sender.setDaemon(true);
        sender.start();
        this.loadReporter = new Thread(this::reportLoad, "paraflow-cluster-load");
        loadReporter.setDaemon(true);
        loadReporter.start();
    }

    /**
     * Hazelcast merged this worker back into the cluster after a network split: drivers took it for lost and
     * refuse its messages from then on (and if its member id changed, nothing sealed for it opens), so it
     * cannot work for them any more. It says so and leaves; start it again to rejoin.
     */
    private void merged() {
        LOG.log(System.Logger.Level.ERROR, "worker " + name + " was cut off from the cluster by a network split and"
                + " merged back (member id " + uuid + ", now " + hazelcast.getCluster().getLocalMember().getUuid()
                + "): drivers no longer accept its messages, so it leaves; start it again");
        Thread leaving = new Thread(this::close, "paraflow-cluster-leave");
        leaving.setDaemon(true);
        leaving.start();
    }

    /** A builder with the defaults: bind 127.0.0.1, port 5701 or the next free one, all processors, label "cluster". */
    public static Builder builder() {
        return new Builder();
    }

    /** The worker's name in task events and messages ({@code address:port} unless set). */
    public String name() {
        return name;
    }

    /** The address and port other members join this worker at, e.g. {@code 10.0.0.7:5701}. */
    public String address() {
        return Hazelcasts.address(hazelcast.getCluster().getLocalMember());
    }

    /** Blocks until {@link #close()} has completed (for a process whose only job is to be a worker). */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    private record RunKey(String driver, long key) {
    }

    /** One task on this worker, from arrival to its outcome. */
    private static final class Run {
        final String driver;
        final Batches.Job job;
        final Serializer serializer;
        Thread thread;
        boolean cancelled;
        /** Interrupted because the worker leaves: its outcome is a hand-back, whatever it threw. */
        boolean handingBack;
        Batches.Outcome outcome;

        Run(String driver, Batches.Job job, Serializer serializer) {
            this.driver = driver;
            this.job = job;
            this.serializer = serializer;
        }
    }

    // ---------------------------------------------------------------- receiving

    private void receive(byte kind, byte[] payload) {
        byte[] plain = envelopes.open(kind, payload);
        if (plain == null) {
            return;
        }
        String sender = Envelopes.sender(payload).toString();
        try {
            if (kind == Envelopes.TASKS) {
                Batches.TaskBatch batch = Batches.decodeTasks(plain);
                if (isFrom(sender, batch.driver(), "tasks")) {
                    accept(batch);
                }
            } else if (kind == Envelopes.CANCEL) {
                Batches.Cancel cancel = Batches.decodeCancel(plain);
                if (isFrom(sender, cancel.driver(), "cancellation")) {
                    cancel(cancel);
                }
            } else if (kind == Envelopes.HELLO) {
                Greeting hello = Greeting.decode(plain);
                if (isFrom(sender, hello.member(), "greeting")) {
                    answer(hello);
                }
            } else {
                LOG.log(System.Logger.Level.WARNING, "worker " + name + " dropped a message meant for a driver");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "worker " + name + " dropped a malformed message: " + e.getMessage());
        }
    }

    /**
     * Whether a message of {@code what} that {@code sender} sealed names that same member as its driver: one
     * member holding the secret cannot send tasks or cancellations in another's name.
     */
    private boolean isFrom(String sender, String named, String what) {
        if (sender.equals(named)) {
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "worker " + name + " dropped a " + what + " of member " + named + " sent by"
                + " member " + sender);
        return false;
    }

    /** Proves to a driver that this worker holds the secret (see {@link Greeting}). */
    private void answer(Greeting hello) {
        if (!envelopes.awaitConnected()) {
            return;
        }
        // A driver greets a worker as soon as it sees it; this worker may learn of the driver a moment later
        long deadline = System.nanoTime() + GREETING_WAIT_NANOS;
        Member driver = member(hello.member());
        while (driver == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            driver = member(hello.member());
        }
        if (driver == null) {
            LOG.log(System.Logger.Level.WARNING, "worker " + name + " could not answer a greeting: its sender "
                    + hello.member() + " did not become a member within "
                    + TimeUnit.NANOSECONDS.toSeconds(GREETING_WAIT_NANOS) + " s");
            return;
        }
        if (envelopes.send(driver, Envelopes.WELCOME, hello.answeredBy(uuid).encode())) {
            drivers.add(hello.member());
        }
    }

    private void accept(Batches.TaskBatch batch) {
        Member driver = member(batch.driver());
        if (driver == null || !"driver".equals(driver.getAttribute(Hazelcasts.ROLE))) {
            // a driver that left (or a batch replayed in its name): nobody waits for these tasks
            LOG.log(System.Logger.Level.WARNING, "worker " + name + " dropped " + batch.jobs().size() + " task(s) of "
                    + batch.driver() + ", which is not a driver of the cluster now");
            return;
        }
        Serializer serializer;
        try {
            serializer = serializers.get(batch.serializer(), batch.allowed());
        } catch (RuntimeException e) {
            for (Batches.Job job : batch.jobs()) {
                outbox.add(failed(new Run(batch.driver(), job, null), e));
            }
            return;
        }
        List<Run> handBack = new ArrayList<>();
        List<Run> cancelled = new ArrayList<>();
        synchronized (lock) {
            for (Batches.Job job : batch.jobs()) {
                Run run = new Run(batch.driver(), job, serializer);
                if (leaving) {
                    handBack.add(run);
                } else if (cancelledBeforeArrival.containsKey(batch.driver())
                        && cancelledBeforeArrival.get(batch.driver()).remove(job.key())) {
                    cancelled.add(run);
                } else if (active.putIfAbsent(new RunKey(batch.driver(), job.key()), run) == null) {
                    queued.add(run);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "worker " + name + " dropped task '" + job.name() + "' of "
                            + batch.driver() + ": it has it already (a replayed batch?)");
                }
            }
            startQueued();
        }
        handBack.forEach(this::handBack);
        cancelled.forEach(run -> outbox.add(cancelledBeforeStart(run)));
    }

    /** Creates the driver's serializer, accepting only {@link SerializerFactory} classes. */
    private Serializer createSerializer(String factoryName, List<String> allowed) {
        try {
            Class<?> type = Class.forName(factoryName, false, classLoader);
            if (!SerializerFactory.class.isAssignableFrom(type)) {
                throw new IllegalArgumentException(factoryName + " is not a " + SerializerFactory.class.getName());
            }
            return ((SerializerFactory) type.getConstructor().newInstance()).create(allowed, classLoader);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("worker " + name + " cannot create serializer " + factoryName + ": " + e, e);
        }
    }

    /**
     * Interrupts the runs a driver cancels. A run not started yet leaves the queue and is answered at once, so
     * that the driver frees its slots; one that reaches a task thread is answered there (see {@link #runTasks}).
     * A run that has started is left alone if the cancellation is {@link Batches.Cancel#queuedOnly}.
     */
    private void cancel(Batches.Cancel cancel) {
        List<Run> victims = new ArrayList<>();
        List<Run> notStarted = new ArrayList<>();
        synchronized (lock) {
            if (cancel.all()) {
                active.values().stream().filter(r -> r.driver.equals(cancel.driver())).forEach(victims::add);
            } else {
                for (long key : cancel.keys()) {
                    Run run = active.get(new RunKey(cancel.driver(), key));
                    if (run != null) {
                        victims.add(run);
                    } else {
                        // finished, or still on its way (a cancellation can overtake its task): see accept
                        cancelledBeforeArrival.computeIfAbsent(cancel.driver(), d -> new RecentSet<>(CANCELLED_REMEMBERED))
                                .add(key);
                    }
                }
            }
            for (Run run : victims) {
                if (queued.remove(run)) {
                    notStarted.add(run);
                }
            }
        }
        for (Run run : victims) {
            if (notStarted.contains(run)) {
                active.remove(new RunKey(run.driver, run.job.key()));
                outbox.add(cancelledBeforeStart(run));
            } else if (!cancel.queuedOnly()) {
                interrupt(run);
            }
        }
    }

    /** The driver left or was lost: nobody waits for its tasks any more. */
    private void driverGone(String driver) {
        drivers.remove(driver);
        List<Run> victims = new ArrayList<>();
        synchronized (lock) {
            cancelledBeforeArrival.remove(driver);
            queued.removeIf(run -> {
                if (run.driver.equals(driver)) {
                    active.remove(new RunKey(run.driver, run.job.key()));
                    return true;
                }
                return false;
            });
            for (Run run : running) {
                if (run.driver.equals(driver)) {
                    victims.add(run);
                }
            }
        }
        victims.forEach(this::interrupt);
        // destroying the map is a blocking cluster-wide call: not on Hazelcast's event thread
        Thread forgetting = new Thread(() -> grid.forget(driver), "paraflow-cluster-forget");
        forgetting.setDaemon(true);
        forgetting.start();
        LOG.log(System.Logger.Level.DEBUG, () -> "worker " + name + ": driver " + driver + " left; " + victims.size()
                + " running task(s) interrupted");
    }

    private void interrupt(Run run) {
        synchronized (run) {
            run.cancelled = true;
            if (run.thread != null) {
                run.thread.interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- running

    /**
     * Moves queued runs whose cores are free to the task threads, oldest first, waking as many idle task
     * threads as there are new runs (a thread that just finished a run takes the next without waiting).
     * Holds {@link #lock}.
     */
    private void startQueued() {
        int started = 0;
        while (!queued.isEmpty() && Math.min(queued.peek().job.cores(), cores) <= freeCores) {
            Run run = queued.poll();
            freeCores -= Math.min(run.job.cores(), cores);
            running.add(run);
            startable.add(run);
            started++;
        }
        for (int i = Math.min(started, idleThreads); i > 0; i--) {
            lock.notify();
        }
    }

    private void runTasks() {
        Run run = null;
        while (true) {
            synchronized (lock) {
                if (run != null) {
                    running.remove(run);
                    freeCores += Math.min(run.job.cores(), cores);
                    startQueued();
                    if (leaving && running.isEmpty()) {
                        lock.notifyAll();
                    }
                }
                while (startable.isEmpty() && !(leaving && running.isEmpty())) {
                    idleThreads++;
                    try {
                        lock.wait();
                    } catch (InterruptedException ignored) {
                        // only an empty, leaving worker ends this thread
                    } finally {
                        idleThreads--;
                    }
                }
                run = startable.poll();
                if (run == null) {
                    return;
                }
            }
            boolean cancelled;
            synchronized (run) {
                run.thread = Thread.currentThread();
                cancelled = run.cancelled;
            }
            if (!cancelled) {
                outbox.add(startNotice(run));
            }
            // a cancelled run is answered too: its driver holds its slots until it hears of it
            run.outcome = cancelled ? cancelledBeforeStart(run).outcome : executeOrFail(run);
            synchronized (run) {
                run.thread = null;
                Thread.interrupted();
                if (run.handingBack) {
                    run.outcome = handedBack(run);
                }
            }
            active.remove(new RunKey(run.driver, run.job.key()));
            outbox.add(run);
        }
    }

    /** Runs {@code run}; whatever goes wrong becomes its failure, so that the task thread lives on. */
    private Batches.Outcome executeOrFail(Run run) {
        try {
            return execute(run);
        } catch (Throwable error) {
            return failed(run, error).outcome;
        }
    }

    private Batches.Outcome execute(Run run) {
        Invocation invocation;
        try {
            invocation = (Invocation) run.serializer.fromBytes(run.job.invocation(), 0, run.job.invocation().length);
        } catch (SerializationException | ClassCastException e) {
            String missing = missingClass(e);
            String type = missing != null ? missing : e instanceof SerializationException s ? s.type()
                    : Invocation.class.getName();
            return failed(run, new SerializationException(type, "task '" + run.job.name() + "' cannot be loaded on worker "
                    + name + ": " + (missing != null ? "class " + missing + " is not on the worker's classpath (start it"
                    + " with the application's classes, e.g. paraflow worker --classpath APP.jar); " : "")
                    + e.getMessage(), e)).outcome;
        }
        try {
            Object result = Invocation.call(invocation.function(), grid.resolve(invocation.arguments(), run.serializer));
            return grid.outcome(run.driver, run.job.key(), result, run.serializer.toBytes(result));
        } catch (Throwable error) {
            return failed(run, error).outcome;
        }
    }

    /** Serializes and deserializes a task with the default serializer, so that the first real task does not wait for it. */
    private static void warmUpSerializer() {
        Serializer serializer = new ForySerializer.Factory().create(List.of());
        Fn0<Integer> task = () -> 1;
        byte[] bytes = serializer.toBytes(new Invocation(task));
        serializer.fromBytes(bytes, 0, bytes.length);
    }

    /** The name of the class whose absence caused {@code error}, or null. */
    private static String missingClass(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ClassNotFoundException && cause.getMessage() != null) {
                return cause.getMessage();
            }
            if (cause instanceof NoClassDefFoundError && cause.getMessage() != null) {
                return cause.getMessage().replace('/', '.');
            }
        }
        return null;
    }

    /** Sets the run's outcome to {@code error}; never throws, even for an exception that breaks when read. */
    private Run failed(Run run, Throwable error) {
        byte[] bytes;
        try {
            // an argument that cannot be read goes back as itself (its cause is captured), so that the driver does
            // not retry the task: reading it again would fail the same way
            bytes = failures.toBytes(error instanceof ResultUnavailableException unavailable ? unavailable
                    : RemoteTaskException.capture(error));
        } catch (Throwable unreadable) {
            bytes = failures.toBytes(new RemoteTaskException(error.getClass().getName(), "task '" + run.job.name()
                    + "' failed on worker " + name + " with an exception that cannot be captured ("
                    + unreadable.getClass().getName() + ")", new StackTraceElement[0], null));
        }
        run.outcome = new Batches.Outcome(run.job.key(), Batches.FAILURE, bytes);
        return run;
    }

    private Run cancelledBeforeStart(Run run) {
        return failed(run, new CancellationException("task '" + run.job.name() + "' was cancelled on worker " + name
                + " before it started"));
    }

    /** Tells the driver that {@code run} starts now (see {@link Batches#STARTED}); sent with the next outcomes. */
    private static Run startNotice(Run run) {
        Run notice = new Run(run.driver, run.job, null);
        notice.outcome = new Batches.Outcome(run.job.key(), Batches.STARTED, new byte[0]);
        return notice;
    }

    private void handBack(Run run) {
        run.outcome = handedBack(run);
        outbox.add(run);
    }

    private static Batches.Outcome handedBack(Run run) {
        return new Batches.Outcome(run.job.key(), Batches.HANDED_BACK, new byte[0]);
    }

    // ---------------------------------------------------------------- answering

    /**
     * Sends outcomes in batches: everything that finished while the previous batch was being sent. Start
     * notices alone wait up to {@link #START_NOTICE_DELAY_NANOS} for company, so that tasks starting one by one
     * do not send a message each.
     */
    private void sendOutcomes() {
        List<Run> drained = new ArrayList<>();
        while (true) {
            try {
                drained.add(outbox.take());
                outbox.drainTo(drained);
                if (onlyStartNotices(drained)) {
                    Run next = outbox.poll(START_NOTICE_DELAY_NANOS, TimeUnit.NANOSECONDS);
                    if (next != null) {
                        drained.add(next);
                        outbox.drainTo(drained);
                    }
                }
            } catch (InterruptedException e) {
                if (drained.isEmpty()) {
                    continue;
                }
            }
            boolean stop = drained.remove(STOP_SENDING);
            Map<String, List<Batches.Outcome>> byDriver = new HashMap<>();
            for (Run run : drained) {
                byDriver.computeIfAbsent(run.driver, d -> new ArrayList<>()).add(run.outcome);
            }
            drained.clear();
            boolean last = isLeaving();
            byDriver.forEach((driver, outcomes) -> {
                Member member = member(driver);
                if (member != null) {
                    byte[] batch = Batches.encode(new Batches.ResultBatch(uuid, outcomes));
                    if (last) {
                        envelopes.sendAndWait(member, Envelopes.RESULTS, batch, LAST_SEND_TIMEOUT);
                    } else {
                        envelopes.send(member, Envelopes.RESULTS, batch);
                    }
                }
            });
            if (stop) {
                return;
            }
        }
    }

    /**
     * Tells each driver this worker works for its process's CPU time and load and its heap, every
     * {@link #LOAD_EVERY} while it has one, so that a monitored flow samples workers on other hosts too. The load
     * is measured here, between this worker's own reports, so that the network's delays do not distort it.
     */
    private void reportLoad() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previousCpu = -1;
        long previousAt = 0;
        while (!awaitUninterruptibly(stopReportingLoad, LOAD_EVERY)) {
            if (drivers.isEmpty()) {
                // measured only when reported, so the first load after an idle spell covers that spell
                continue;
            }
            long now = System.nanoTime();
            long cpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
            double load = cpu < 0 || previousCpu < 0 ? Double.NaN : (double) (cpu - previousCpu) / (now - previousAt);
            previousCpu = cpu;
            previousAt = now;
            MemoryUsage heap = memory.getHeapMemoryUsage();
            byte[] report = Batches.encode(new Batches.Load(uuid, load, cpu, heap.getUsed(), heap.getMax()));
            for (String driver : drivers) {
                Member member = member(driver);
                if (member == null) {
                    // it left (member ids are never reused); its departure may not have been heard yet
                    drivers.remove(driver);
                } else {
                    envelopes.send(member, Envelopes.LOAD, report);
                }
            }
        }
    }

    /** Waits at most {@code time} for {@code latch}, interrupts notwithstanding; true if it reached zero. */
    private static boolean awaitUninterruptibly(CountDownLatch latch, Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        while (true) {
            try {
                return latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // only close ends this thread
            }
        }
    }

    private static boolean onlyStartNotices(List<Run> runs) {
        for (Run run : runs) {
            if (run == STOP_SENDING || run.outcome.kind() != Batches.STARTED) {
                return false;
            }
        }
        return true;
    }

    private boolean isLeaving() {
        synchronized (lock) {
            return leaving;
        }
    }

    private Member member(String uuid) {
        UUID id = UUID.fromString(uuid);
        for (Member member : hazelcast.getCluster().getMembers()) {
            if (member.getUuid().equals(id)) {
                return member;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- leaving

    /**
     * Leaves the cluster cleanly: hands back the tasks not started, lets the running ones finish (for at most
     * the drain time, then interrupts them and hands them back too), sends their outcomes, leaves the cluster
     * and returns when every thread of the worker has ended. A task that ignores the interrupt for 5 s is
     * handed back as well, and the worker leaves without waiting for its thread. Idempotent.
     */
    @Override
    public void close() {
        List<Run> handBack;
        synchronized (lock) {
            if (leaving) {
                handBack = null;
            } else {
                leaving = true;
                handBack = new ArrayList<>(queued);
                queued.clear();
                lock.notifyAll();
            }
        }
        if (handBack == null) {
            awaitClosedUninterruptibly();
            return;
        }
        handBack.forEach(run -> active.remove(new RunKey(run.driver, run.job.key())));
        handBack.forEach(this::handBack);
        long deadline = System.nanoTime() + drainTime.toNanos();
        synchronized (lock) {
            while (!running.isEmpty() && System.nanoTime() < deadline) {
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    break;
                }
            }
            for (Run run : running) {
                synchronized (run) {
                    run.handingBack = true;
                }
                interrupt(run);
            }
        }
        List<Run> stuck = awaitTaskThreads();
        stuck.forEach(this::handBack);
        Threads.joinUninterruptibly(warmUp);
        stopReportingLoad.countDown();
        Threads.joinUninterruptibly(loadReporter);
        outbox.add(STOP_SENDING);
        Threads.joinUninterruptibly(sender);
        hazelcast.shutdown();
        closed.countDown();
    }

    /**
     * Waits at most {@link #INTERRUPTED_GRACE} for the task threads to end once their runs were interrupted;
     * returns the runs of those that did not (tasks that ignore interrupts), so that the worker leaves anyway.
     */
    private List<Run> awaitTaskThreads() {
        long deadline = System.nanoTime() + INTERRUPTED_GRACE.toNanos();
        for (Thread thread : taskThreads) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Run> stuck = new ArrayList<>();
        synchronized (lock) {
            for (Run run : running) {
                synchronized (run) {
                    if (run.thread != null && run.thread.isAlive()) {
                        stuck.add(run);
                    }
                }
            }
        }
        if (!stuck.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "worker " + name + " leaves although " + stuck.size() + " task(s)"
                    + " ignored the interrupt; they are handed back");
        }
        return stuck;
    }

    private void awaitClosedUninterruptibly() {
        boolean interrupted = false;
        while (closed.getCount() > 0) {
            try {
                closed.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ClusterWorker[" + name + ", cores=" + cores + ", running=" + running.size() + ", queued=" + queued.size() + "]";
        }
    }

    /**
     * Configures and starts a {@link ClusterWorker}. Setters validate their argument at once and name the
     * setting in the error. Not thread-safe.
     */
    public static final class Builder {
        private final MemberOptions options = new MemberOptions();
        private int cores = Runtime.getRuntime().availableProcessors();
        private long memory = Runtime.getRuntime().maxMemory();
        private final Set<String> labels = new LinkedHashSet<>();
        private String name;
        private Duration drainTime = Duration.ofMinutes(1);
        private ClassLoader classLoader = ClusterWorker.class.getClassLoader();

        private Builder() {
        }

        /** Members to join, {@code host} or {@code host:port}; none for the first worker (it forms the cluster). */
        public Builder join(String... addresses) {
            options.join(Arrays.asList(addresses));
            return this;
        }

        /** The interface address to bind to and announce; default 127.0.0.1 (one machine only). */
        public Builder bind(String address) {
            options.bind(address);
            return this;
        }

        /** The port to listen on; default 0: the first free one from 5701. */
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
         * How long a silent member may stay silent before it counts as lost; default 10 s. The time that
         * counts is the cluster master's (the oldest member): give every member, drivers included, the same value.
         */
        public Builder detection(Duration time) {
            options.detection(time);
            return this;
        }

        /** The core slots this worker offers (tasks running at once, weighted by their cores); default all processors. */
        public Builder cores(int cores) {
            if (cores < 1) {
                throw new IllegalArgumentException("cores must be at least 1, got " + cores);
            }
            this.cores = cores;
            return this;
        }

        /** The memory tasks may reserve on this worker, in bytes; default the JVM's maximum heap. */
        public Builder memory(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("memory must be positive, got " + bytes);
            }
            this.memory = bytes;
            return this;
        }

        /**
         * Adds a label: executors use the workers that carry their label. Without any, the worker carries
         * {@value ClusterExecutor#DEFAULT_LABEL}.
         */
        public Builder label(String label) {
            Objects.requireNonNull(label, "label");
            if (label.isBlank() || label.contains(",")) {
                throw new IllegalArgumentException("label must be a non-blank word without commas, got '" + label + "'");
            }
            labels.add(label.trim());
            return this;
        }

        /** The worker's name in events and messages; default its address and port. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = name;
            return this;
        }

        /** How long {@link #close()} lets running tasks finish before it interrupts and hands them back; default 1 min. */
        public Builder drainTime(Duration time) {
            Objects.requireNonNull(time, "drain time");
            if (time.isNegative()) {
                throw new IllegalArgumentException("drain time must not be negative, got " + time);
            }
            this.drainTime = time;
            return this;
        }

        /** Where task classes are loaded from; default the class loader of Paraflow (the JVM's classpath). */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "class loader");
            return this;
        }

        /** Starts the worker and joins the cluster; blocks until it has joined (seconds). */
        public ClusterWorker start() {
            if (labels.isEmpty()) {
                labels.add(ClusterExecutor.DEFAULT_LABEL);
            }
            return new ClusterWorker(this);
        }
    }
}
