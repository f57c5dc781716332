package io.paraflow.exec.process;

import io.paraflow.ParaflowException;
import io.paraflow.WorkerLostException;
import io.paraflow.exec.Invocation;
import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.Resources;
import io.paraflow.exec.SubmissionCheck;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.SerializationException;
import io.paraflow.serial.Serializer;
import io.paraflow.serial.SerializerFactory;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Runs tasks in a pool of worker processes: child JVMs started on demand with this JVM's classpath.
 * Users pick it by label:
 *
 * <pre>{@code
 * Flow flow = Flow.builder()
 *         .executor(ProcessExecutor.builder().label("isolated").workers(2).jvmOptions("-Xmx256m").build())
 *         .build();
 * Task<Model> model = flow.task("fit").on("isolated").submit(Calibration::fit, data);
 * }</pre>
 *
 * <p>What users can rely on:
 * <ul>
 *   <li>The function and its argument values are serialized (by default with {@link ForySerializer}; see
 *       {@link Builder#serializer}), and only classes on an allow-list are deserialized: the classes of
 *       your tasks must be {@link Builder#allow allowed}. One that cannot be serialized fails its task,
 *       naming the type.</li>
 *   <li>An exception thrown by the task reaches the driver as a {@link io.paraflow.RemoteTaskException}
 *       with the original class name, message, stack trace and causes.</li>
 *   <li>A worker that dies (exit, crash, out of memory, killed) is replaced; its task's attempt fails
 *       with {@link WorkerLostException} (worker, exit status, tail of its stderr), which the task's
 *       retry policy may retry on a fresh worker.</li>
 *   <li>A timeout or a cancellation of a running task kills its worker, which is replaced.</li>
 *   <li>{@link #close()} leaves no process behind; workers also exit by themselves when the driver dies.</li>
 * </ul>
 *
 * <p>Implementation notes. Each worker runs one task at a time; the capacity is one core slot per worker
 * (a task asking for k cores holds k slots and runs on one worker). Dispatch state (waiting attempts by
 * priority, idle workers, free slots) is guarded by one lock, never held while serializing, writing to a
 * pipe or starting a process. A worker is started when a task waits and no worker is idle or starting for
 * it; it says it is ready with a frame (see {@code Frames}), and only then gets tasks, so JVM start-up does
 * not count against a task's timeout. Each worker has a thread that reads its answers: on an answer it
 * first gives the worker its next task, then decodes and reports the answer, so decoding overlaps the
 * next task. At the end of a worker's stdout (it died) the same thread reports the loss of its task and
 * starts a replacement if tasks wait. A second thread per worker keeps the tail of its stderr and
 * forwards the lines to this JVM's stderr, prefixed with the worker's name.
 *
 * <p>Thread-safe. {@link #execute} may start a process (milliseconds) but never waits for one.
 */
public final class ProcessExecutor implements TaskExecutor {

    /** The label of a process executor unless {@link Builder#label} says otherwise. */
    public static final String DEFAULT_LABEL = "processes";

    private static final long EXIT_GRACE_MILLIS = 5_000;
    private static final long THREAD_JOIN_MILLIS = 2_000;
    /** How long a worker whose stdout broke may take to finish writing a crash report before it is killed. */
    private static final long CRASH_REPORT_GRACE_MILLIS = 2_000;
    private static final Comparator<Assignment> ORDER = Comparator.comparingInt((Assignment a) -> a.task().priority())
            .reversed().thenComparingLong(a -> a.task().id());

    private final String label;
    private final int size;
    private final int recycleAfter;
    private final List<String> command;
    private final Map<String, String> environment;
    private final PrintStream forwardStderr;
    private final Serializer serializer;
    /** Failures travel as Java-serialized {@link io.paraflow.RemoteTaskException}s, whatever the serializer of values. */
    private final Serializer failures = JavaSerializer.allowing(List.of());
    private final SubmissionCheck submissionCheck;
    private final Resources capacity;

    private final Object lock = new Object();
    private final PriorityQueue<Assignment> waiting = new PriorityQueue<>(ORDER);
    private final ArrayDeque<WorkerProcess> idle = new ArrayDeque<>();
    private final Set<WorkerProcess> live = new LinkedHashSet<>();
    /** Every worker whose threads may still run, for close to join them. */
    private final List<WorkerProcess> started = new ArrayList<>();
    private int freeSlots;
    /** Workers alive or starting. */
    private int workerCount;
    /** Workers started that have not said they are ready. */
    private int starting;
    private int numbered;
    private boolean closed;

    private ProcessExecutor(Builder builder) {
        this.label = builder.label;
        this.size = builder.workers;
        this.recycleAfter = builder.recycleAfter;
        this.serializer = builder.serializerFactory.create(List.copyOf(builder.allowed));
        this.submissionCheck = new SubmissionCheck(serializer, label, "a worker process");
        this.environment = Map.copyOf(builder.environment);
        this.forwardStderr = builder.forwardStderr ? System.err : null;
        this.capacity = new Resources(size, 0, 0);
        this.freeSlots = size;
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        // stdout carries the frames: the JVM's own messages and logs go to stderr (a crash report still
        // goes to stdout; the executor shows it as the lost worker's last lines)
        cmd.add("-XX:+DisplayVMOutputToStderr");
        cmd.add("-Xlog:disable");
        cmd.add("-Xlog:all=warning:stderr");
        cmd.addAll(builder.jvmOptions);
        cmd.add("-cp");
        cmd.add(builder.classpath);
        cmd.add(WorkerMain.class.getName());
        cmd.add(builder.serializerFactory.getClass().getName());
        cmd.addAll(builder.allowed);
        this.command = List.copyOf(cmd);
    }

    /** A builder with the defaults: label {@value #DEFAULT_LABEL}, one worker per available processor. */
    public static Builder builder() {
        return new Builder();
    }

    /** An attempt as received: the same task object comes back for each retry, so its attempt travels with it. */
    record Assignment(ReadyTask task, int attempt, int cores) {
    }

    @Override
    public String label() {
        return label;
    }

    /** One core slot per worker; no memory or GPUs to offer. */
    @Override
    public Resources capacity() {
        return capacity;
    }

    /** The worker processes alive now (for tests and monitoring). */
    public List<ProcessHandle> workers() {
        synchronized (lock) {
            List<ProcessHandle> handles = new ArrayList<>(live.size());
            for (WorkerProcess worker : live) {
                handles.add(worker.process.toHandle());
            }
            return handles;
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

    @Override
    public void execute(ReadyTask task) {
        Assignment assignment = new Assignment(task, task.attempt(), task.resources().cores());
        synchronized (lock) {
            if (!closed) {
                waiting.add(assignment);
                assignment = null;
            }
        }
        if (assignment != null) {
            task.failed(assignment.attempt(), new IllegalStateException("executor '" + label + "' is closed"), label);
            return;
        }
        pump();
    }

    /** Gives waiting attempts to idle workers, and starts workers for attempts no worker is there for. */
    private void pump() {
        while (true) {
            Assignment next;
            WorkerProcess worker;
            synchronized (lock) {
                next = waiting.peek();
                if (next == null || closed || next.cores() > freeSlots) {
                    return;
                }
                worker = idle.pollLast();
                if (worker == null) {
                    if (workerCount >= size || starting >= waiting.size()) {
                        return;
                    }
                    workerCount++;
                    starting++;
                } else {
                    waiting.poll();
                    freeSlots -= next.cores();
                    worker.running = next;
                    worker.tasksGiven++;
                }
            }
            if (worker == null) {
                launch();
            } else {
                send(worker, next);
            }
        }
    }

    private void launch() {
        WorkerProcess worker;
        int number;
        synchronized (lock) {
            number = ++numbered;
        }
        try {
            worker = new WorkerProcess(label, number, command, environment, forwardStderr);
        } catch (IOException | RuntimeException e) {
            List<Assignment> failed;
            synchronized (lock) {
                workerCount--;
                starting--;
                failed = live.isEmpty() ? drainWaiting() : List.of();
            }
            ParaflowException error = new ParaflowException("executor '" + label + "' could not start a worker process ("
                    + String.join(" ", command.subList(0, command.indexOf("-cp"))) + " ...): " + e, e);
            for (Assignment a : failed) {
                a.task().failed(a.attempt(), error, label);
            }
            return;
        }
        boolean refused;
        synchronized (lock) {
            refused = closed;
            if (!refused) {
                live.add(worker);
                started.removeIf(ended -> !ended.threadsAlive());
                started.add(worker);
            } else {
                workerCount--;
                starting--;
            }
        }
        if (refused) {
            worker.kill();
            worker.awaitExit(EXIT_GRACE_MILLIS);
            worker.joinThreads(THREAD_JOIN_MILLIS);
            return;
        }
        worker.startReader(() -> readAnswers(worker));
    }

    /** Ships an attempt to the worker it was assigned to. */
    private void send(WorkerProcess worker, Assignment assignment) {
        ReadyTask task = assignment.task();
        byte[] bytes;
        try {
            Invocation invocation = task.invocation();
            bytes = serializer.toBytes(invocation);
        } catch (IllegalStateException cancelled) {
            release(worker, assignment);
            return;
        } catch (SerializationException e) {
            release(worker, assignment);
            task.failed(assignment.attempt(), new SerializationException(e.type(), "task " + task.name()
                    + " cannot be sent to a worker process: " + e.getMessage(), e), worker.name);
            return;
        }
        task.started(assignment.attempt(), worker.name);
        try {
            worker.send(bytes);
        } catch (IOException gone) {
            // the worker died: the thread reading its answers sees the end of its stdout and reports the loss
        }
    }

    /** Takes back a worker whose assignment was not sent. */
    private void release(WorkerProcess worker, Assignment assignment) {
        synchronized (lock) {
            worker.running = null;
            worker.tasksGiven--;
            freeSlots += assignment.cores();
            if (!worker.retired) {
                idle.addLast(worker);
            }
        }
    }

    /** The body of a worker's answer thread. */
    private void readAnswers(WorkerProcess worker) {
        IOException broken = null;
        try {
            Frames.Frame hello = Frames.read(worker.answers);
            if (hello != null && hello.kind() == Frames.READY) {
                synchronized (lock) {
                    starting--;
                    worker.ready = true;
                    if (!worker.retired) {
                        idle.addLast(worker);
                    }
                }
                pump();
                for (Frames.Frame frame; (frame = Frames.read(worker.answers)) != null; ) {
                    answered(worker, frame);
                }
            } else if (hello != null) {
                broken = new IOException("the worker's first frame was not READY but kind " + hello.kind());
            }
        } catch (IOException e) {
            broken = e;
        }
        workerEnded(worker, broken);
    }

    private void answered(WorkerProcess worker, Frames.Frame frame) {
        Assignment done;
        boolean recycle;
        synchronized (lock) {
            done = worker.running;
            worker.running = null;
            if (done != null) {
                freeSlots += done.cores();
            }
            recycle = !worker.retired && recycleAfter > 0 && worker.tasksGiven >= recycleAfter;
            worker.retired |= recycle;
            if (!worker.retired) {
                idle.addLast(worker);
            }
        }
        if (recycle) {
            worker.endInput();
        }
        pump();
        if (done == null) {
            return;
        }
        ReadyTask task = done.task();
        try {
            Object value = (frame.kind() == Frames.RESULT ? serializer : failures)
                    .fromBytes(frame.payload(), 0, frame.payload().length);
            if (frame.kind() == Frames.RESULT) {
                task.succeeded(done.attempt(), value, worker.name);
            } else {
                task.failed(done.attempt(), (Throwable) value, worker.name);
            }
        } catch (SerializationException e) {
            task.failed(done.attempt(), new SerializationException(e.type(), "the "
                    + (frame.kind() == Frames.RESULT ? "result" : "failure") + " of task " + task.name()
                    + " cannot be received from worker " + worker.name + ": " + e.getMessage(), e), worker.name);
        }
    }

    /** The worker's stdout ended (it died or was told to exit): reports its lost task and replaces it. */
    private void workerEnded(WorkerProcess worker, IOException broken) {
        worker.endInput();
        int status = worker.awaitExit(broken != null ? CRASH_REPORT_GRACE_MILLIS : EXIT_GRACE_MILLIS);
        worker.awaitStderr(THREAD_JOIN_MILLIS);
        List<String> tail = worker.stderrTail.lines();
        if (broken != null) {
            // a JVM that crashes writes its report to stdout: show it rather than the protocol error alone
            tail.add("(paraflow: the worker's stdout stopped being frames: " + broken.getMessage() + "; what followed:)");
            tail.addAll(worker.remainingStdout());
        }
        Assignment lost;
        List<Assignment> neverStarted = List.of();
        synchronized (lock) {
            lost = worker.running;
            worker.running = null;
            if (lost != null) {
                freeSlots += lost.cores();
            }
            worker.retired = true;
            idle.remove(worker);
            live.remove(worker);
            workerCount--;
            if (!worker.ready) {
                starting--;
                if (live.stream().noneMatch(w -> w.ready)) {
                    neverStarted = drainWaiting();
                }
            }
        }
        WorkerLostException error = new WorkerLostException(worker.name, status, tail, worker.ready);
        if (lost != null) {
            lost.task().failed(lost.attempt(), error, worker.name);
        }
        for (Assignment a : neverStarted) {
            a.task().failed(a.attempt(), error, worker.name);
        }
        pump();
    }

    private List<Assignment> drainWaiting() {
        List<Assignment> drained = new ArrayList<>(waiting);
        waiting.clear();
        return drained;
    }

    /** Kills the worker running {@code task}, if any: the pool replaces it. */
    @Override
    public void stop(ReadyTask task) {
        WorkerProcess victim = null;
        synchronized (lock) {
            for (WorkerProcess worker : live) {
                if (worker.running != null && worker.running.task() == task) {
                    victim = worker;
                    worker.retired = true;
                    break;
                }
            }
        }
        if (victim != null) {
            victim.kill();
        }
    }

    /** Kills every worker that runs a task; their attempts fail as lost, which a cancelling flow turns into cancellations. */
    @Override
    public void interruptAll() {
        List<WorkerProcess> busy = new ArrayList<>();
        synchronized (lock) {
            for (WorkerProcess worker : live) {
                if (worker.running != null) {
                    worker.retired = true;
                    busy.add(worker);
                }
            }
        }
        busy.forEach(WorkerProcess::kill);
    }

    /**
     * Fails the attempts that still wait, tells every worker to exit, and returns when every worker
     * process has exited (killed after a grace period) and every thread of this executor has ended.
     */
    @Override
    public void close() {
        List<Assignment> left;
        List<WorkerProcess> workers;
        synchronized (lock) {
            closed = true;
            left = drainWaiting();
            for (WorkerProcess worker : live) {
                worker.retired = true;
            }
            idle.clear();
            workers = new ArrayList<>(started);
        }
        for (Assignment a : left) {
            a.task().failed(a.attempt(), new IllegalStateException("executor '" + label + "' was closed before the task ran"),
                    label);
        }
        workers.forEach(WorkerProcess::endInput);
        for (WorkerProcess worker : workers) {
            worker.awaitExit(EXIT_GRACE_MILLIS);
        }
        for (WorkerProcess worker : workers) {
            worker.joinThreads(THREAD_JOIN_MILLIS);
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ProcessExecutor[" + label + ", workers=" + live.size() + "/" + size + ", waiting=" + waiting.size() + "]";
        }
    }

    /**
     * Configures a {@link ProcessExecutor}. Setters validate their argument at once and name the setting
     * in the error. Not thread-safe.
     */
    public static final class Builder {
        private String label = DEFAULT_LABEL;
        private int workers = Runtime.getRuntime().availableProcessors();
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private int recycleAfter;
        private final List<String> allowed = new ArrayList<>();
        private boolean forwardStderr = true;
        private SerializerFactory serializerFactory = new ForySerializer.Factory();
        private String classpath = System.getProperty("java.class.path");

        private Builder() {
        }

        /** The label tasks choose this executor by; default {@value #DEFAULT_LABEL}. */
        public Builder label(String label) {
            Objects.requireNonNull(label, "label");
            if (label.isBlank()) {
                throw new IllegalArgumentException("label must not be blank");
            }
            this.label = label;
            return this;
        }

        /** The most worker processes alive at once, which is also the number of core slots; default: available processors. */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * Options for each worker JVM, e.g. {@code -Xmx256m}; added to those given before. The worker's
         * stdout carries the protocol: JVM logging must go to stderr or a file ({@code -Xlog:gc:stderr}).
         */
        public Builder jvmOptions(String... options) {
            for (String option : options) {
                Objects.requireNonNull(option, "jvm option");
                if (!option.startsWith("-")) {
                    throw new IllegalArgumentException("jvmOptions: '" + option + "' is not a JVM option (they start with '-')");
                }
                jvmOptions.add(option);
            }
            return this;
        }

        /** Sets an environment variable of the worker processes (they inherit this JVM's environment otherwise). */
        public Builder environment(String name, String value) {
            Objects.requireNonNull(name, "environment variable name");
            Objects.requireNonNull(value, "value of environment variable " + name);
            if (name.isEmpty() || name.contains("=")) {
                throw new IllegalArgumentException("environment: '" + name + "' is not a variable name");
            }
            environment.put(name, value);
            return this;
        }

        /**
         * Replaces a worker after it ran {@code tasks} tasks (to bound leaks in task code); 0, the default,
         * keeps workers for the executor's life.
         */
        public Builder recycleAfter(int tasks) {
            if (tasks < 0) {
                throw new IllegalArgumentException("recycleAfter must be 0 (never) or a number of tasks, got " + tasks);
            }
            this.recycleAfter = tasks;
            return this;
        }

        /**
         * Allows the classes of tasks, arguments and results to be serialized and deserialized, in addition
         * to the serializer's defaults ({@link ForySerializer#DEFAULT_ALLOWED}, {@link JavaSerializer#DEFAULT_ALLOWED}): {@code com.example.Point}, {@code com.example.*} (a
         * package) or {@code com.example.**} (a package and its subpackages). The classes that define task
         * lambdas must be allowed too.
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
         * How functions, arguments and results travel: {@link ForySerializer.Factory} (the default, and the
         * faster) or {@link JavaSerializer.Factory} (only {@link java.io.Serializable} classes). The workers
         * create the same factory by its class name: a public class with a public no-argument constructor,
         * on the workers' classpath. Failures always travel with Java serialization.
         *
         * @throws IllegalArgumentException if the factory cannot be created by class name
         */
        public Builder serializer(Class<? extends SerializerFactory> factory) {
            this.serializerFactory = SerializerFactory.instantiate(factory);
            return this;
        }

        /** Whether the workers' stderr (and what tasks print) is copied to this JVM's stderr; default true. */
        public Builder forwardStderr(boolean forward) {
            this.forwardStderr = forward;
            return this;
        }

        /** The classpath of the worker JVMs; default: this JVM's ({@code java.class.path}). */
        public Builder classpath(List<Path> entries) {
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("classpath must name at least one entry");
            }
            List<String> names = new ArrayList<>();
            for (Path entry : entries) {
                names.add(entry.toString());
            }
            this.classpath = String.join(File.pathSeparator, names);
            return this;
        }

        /** Builds the executor; it starts workers when the first task arrives. */
        public ProcessExecutor build() {
            if (classpath == null || classpath.isEmpty()) {
                throw new IllegalStateException("java.class.path is empty: set the workers' classpath(...)");
            }
            return new ProcessExecutor(this);
        }
    }
}
