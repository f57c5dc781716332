package io.paraflow.command;

import io.paraflow.ParaflowException;
import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.internal.Threads;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * Runs command tasks ({@link CommandBuilder}): each attempt runs on a thread of this executor, which starts
 * the program and waits for it. The flow's timeouts and cancellation interrupt that thread, which then kills
 * the program's whole process tree; retries, fallbacks and events work as for any task.
 *
 * <p>Every flow has one, labelled {@value #LABEL}, with as many core slots as the machine has processors
 * and the run directory {@code ./paraflow-runs/<date>-<time>-<pid>-<n>}; to choose other settings, add one
 * labelled {@value #LABEL} to the builder: {@code Flow.builder().executor(CommandExecutor.create(LABEL,
 * new Resources(8, Long.MAX_VALUE, 0), Path.of("runs")))}. An attempt holds the cores, memory and GPUs its
 * task asks for while its program runs; these are accounting only (and passed to the program as environment
 * variables), the executor does not confine the program.
 *
 * <p>Layout of the run directory, created when the first command starts: for a task named {@code sort} with
 * id 7, the program runs in {@code sort-7/} (unless the command chose a working directory) and writes its
 * standard output and error to {@code sort-7.stdout} and {@code sort-7.stderr} beside it; a retry uses
 * {@code sort-7-attempt2} and so on, so a failed attempt's files stay for inspection.
 *
 * <p>Threads: one per running command, kept for a few seconds when idle; {@link #close()} stops them.
 * Processes still running when the JVM exits (without the flow being closed) are killed by a shutdown hook.
 * Thread-safe.
 */
public final class CommandExecutor implements TaskExecutor {

    /** The label of every flow's command executor, which {@link CommandBuilder} uses by default. */
    public static final String LABEL = "commands";

    private static final AtomicLong RUNS = new AtomicLong();
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String label;
    private final Resources capacity;
    private final Path runDirectory;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition admittedOrClosed = lock.newCondition();
    /** Attempts waiting for resources: higher priority first, then in arrival order. */
    private final PriorityQueue<Waiting> waiting = new PriorityQueue<>(
            Comparator.comparingInt((Waiting w) -> -w.task.priority()).thenComparingLong(w -> w.sequence));
    /** Attempts whose resources are reserved, waiting for a thread to take them. */
    private final ArrayDeque<ReadyTask> admitted = new ArrayDeque<>();
    private final Set<Runner> runners = new HashSet<>();
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    /** Held shared while a process starts, exclusively by the shutdown hook. */
    private final ReentrantReadWriteLock spawning = new ReentrantReadWriteLock();
    /** Set by the shutdown hook under the exclusive lock: no process may start after it. */
    private boolean exiting;
    private final AtomicLong threadNumbers = new AtomicLong();
    private int busy;
    private int freeCores;
    private long freeMemory;
    private int freeGpus;
    private long sequence;
    private boolean closed;
    private Thread shutdownHook;

    private CommandExecutor(String label, Resources capacity, Path runDirectory) {
        this.label = label;
        this.capacity = capacity;
        this.runDirectory = runDirectory.toAbsolutePath().normalize();
        this.freeCores = capacity.cores();
        this.freeMemory = capacity.memoryBytes();
        this.freeGpus = capacity.gpus();
    }

    /**
     * A command executor.
     *
     * @param label        how tasks choose it; {@value #LABEL} replaces the flow's default one
     * @param capacity     the resources its commands share: at least one core; memory {@code Long.MAX_VALUE}
     *                     means "not limited"
     * @param runDirectory where the commands' directories and output files go; created on first use. It must
     *                     not hold anything yet: task directories are named after task ids, which restart with
     *                     every flow, so an earlier run's files would pass for this run's outputs.
     *                     {@link #newRunDirectory} gives a fresh one.
     * @throws IllegalArgumentException if the capacity has no core, or the run directory is not empty
     */
    public static CommandExecutor create(String label, Resources capacity, Path runDirectory) {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(capacity, "capacity");
        Objects.requireNonNull(runDirectory, "runDirectory");
        if (capacity.cores() < 1) {
            throw new IllegalArgumentException("command executor '" + label + "' needs at least 1 core, got "
                    + capacity);
        }
        if (hasEntries(runDirectory)) {
            throw new IllegalArgumentException("command executor '" + label + "': run directory " + runDirectory
                    + " is not empty; an earlier run's files there would mix with this run's (task directories are"
                    + " named after task ids, which restart with every flow). Use a new directory, e.g."
                    + " CommandExecutor.newRunDirectory(" + runDirectory + ")");
        }
        return new CommandExecutor(label, capacity, runDirectory);
    }

    private static boolean hasEntries(Path directory) {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run directory " + directory, e);
        }
    }

    /**
     * The executor every flow gets unless given one labelled {@value #LABEL}: a core slot per available
     * processor, memory not limited, no GPU, and a new run directory under {@code ./paraflow-runs}.
     */
    public static CommandExecutor createDefault() {
        return create(LABEL, new Resources(Runtime.getRuntime().availableProcessors(), Long.MAX_VALUE, 0),
                newRunDirectory(Path.of("paraflow-runs")));
    }

    /**
     * A fresh run directory name under {@code parent}, unique across runs and flows:
     * {@code <yyyyMMdd-HHmmss>-<pid>-<n>}. Nothing is created.
     */
    public static Path newRunDirectory(Path parent) {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return parent.resolve(stamp + "-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet());
    }

    /**
     * The name an attempt's files take in its run directory (the layout above), for the executor and for
     * tools that look for them afterwards: {@code <name>-<id>}, with characters of the task's name other than
     * letters, digits, '.', '_' and '-' replaced by '_', and {@code -attempt<n>} after the first attempt.
     * The attempt's directory has this name; its output files add {@code .stdout} and {@code .stderr}. This and
     * the two methods below are pure functions of their arguments (but {@link #output} reads the files), safe
     * on any thread.
     *
     * @param taskName the task's name
     * @param taskId   the task's id
     * @param attempt  the attempt, from 1
     * @throws NullPointerException     if {@code taskName} is null
     * @throws IllegalArgumentException if {@code attempt} is less than 1
     */
    public static String attemptName(String taskName, long taskId, int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts are numbered from 1, got " + attempt);
        }
        String name = Objects.requireNonNull(taskName, "taskName").replaceAll("[^A-Za-z0-9._-]", "_");
        return name + "-" + taskId + (attempt > 1 ? "-attempt" + attempt : "");
    }

    /**
     * The file in {@code runDirectory} that holds an attempt's standard output ({@code stream} "stdout") or
     * error ("stderr"): {@code runDirectory/<attemptName>.<stream>}. It may not exist (yet, or any more).
     *
     * @throws IllegalArgumentException if {@code stream} is neither "stdout" nor "stderr", or as
     *                                  {@link #attemptName}
     */
    public static Path outputFile(Path runDirectory, String taskName, long taskId, int attempt, String stream) {
        if (!stream.equals("stdout") && !stream.equals("stderr")) {
            throw new IllegalArgumentException("stream must be \"stdout\" or \"stderr\", got \"" + stream + "\"");
        }
        return runDirectory.resolve(attemptName(taskName, taskId, attempt) + "." + stream);
    }

    /**
     * Reads now the last lines of an attempt's output files in {@code runDirectory} (see {@link CommandOutput}):
     * what a command wrote so far if it still runs, all it wrote if it ended. A file that does not exist gives
     * an empty tail; this blocks only on reading at most 8 KiB of each file, and never throws for a missing
     * or unreadable one (its tail then says so).
     */
    public static CommandOutput output(Path runDirectory, String taskName, long taskId, int attempt) {
        return CommandOutput.readStdoutAndStderr(outputFile(runDirectory, taskName, taskId, attempt, "stdout"),
                outputFile(runDirectory, taskName, taskId, attempt, "stderr"));
    }

    /** The absolute run directory (it may not exist yet). */
    public Path runDirectory() {
        return runDirectory;
    }

    @Override
    public String label() {
        return label;
    }

    /** What the timed-out command wrote to its stderr and stdout so far. */
    @Override
    public CommandOutput timeoutOutput(ReadyTask task) {
        return output(runDirectory, task.name(), task.id(), task.attempt());
    }

    @Override
    public Resources capacity() {
        return capacity;
    }

    @Override
    public void execute(ReadyTask task) {
        lock.lock();
        try {
            if (closed) {
                throw new RejectedExecutionException("command executor '" + label + "' is closed");
            }
            waiting.add(new Waiting(task, sequence++));
            admit();
        } finally {
            lock.unlock();
        }
    }

    /** Reserves resources for waiting attempts in order while they fit, and makes sure a thread takes each. */
    private void admit() {
        while (!waiting.isEmpty() && fits(waiting.peek().task.resources())) {
            ReadyTask task = waiting.poll().task;
            Resources r = task.resources();
            freeCores -= r.cores();
            freeMemory -= r.memoryBytes();
            freeGpus -= r.gpus();
            admitted.add(task);
        }
        if (admitted.isEmpty()) {
            return;
        }
        // threads that are not busy wait for work or are about to look for it; each takes one attempt
        for (int idle = runners.size() - busy; idle < admitted.size(); idle++) {
            Runner runner = new Runner(this, "paraflow-" + label + "-" + threadNumbers.incrementAndGet());
            runners.add(runner);
            runner.start();
        }
        admittedOrClosed.signalAll();
    }

    private boolean fits(Resources r) {
        return r.cores() <= freeCores && r.memoryBytes() <= freeMemory && r.gpus() <= freeGpus;
    }

    /** A runner's loop: takes admitted attempts until idle for a while or closed. */
    private void work(Runner runner) {
        while (true) {
            ReadyTask task;
            lock.lock();
            try {
                long idleNanos = IDLE_NANOS;
                while (admitted.isEmpty()) {
                    if (closed || idleNanos <= 0) {
                        runners.remove(runner);
                        return;
                    }
                    try {
                        idleNanos = admittedOrClosed.awaitNanos(idleNanos);
                    } catch (InterruptedException stray) {
                        // an interruptAll that arrived after the attempt ended: it has nothing to stop
                    }
                }
                task = admitted.poll();
                busy++;
                runner.task = task;
            } finally {
                lock.unlock();
            }
            try {
                task.run();
            } finally {
                runner.task = null;
                finished(task);
            }
        }
    }

    private void finished(ReadyTask task) {
        Resources r = task.resources();
        lock.lock();
        try {
            busy--;
            freeCores += r.cores();
            freeMemory += r.memoryBytes();
            freeGpus += r.gpus();
            admit();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void interruptAll() {
        lock.lock();
        try {
            for (Runner runner : runners) {
                if (runner.task != null) {
                    runner.interrupt();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the threads, after their programs ended, and fails attempts that were still waiting (the flow
     * closes its executors only after its tasks ended, so normally there are none).
     */
    @Override
    public void close() {
        List<Runner> toJoin;
        List<ReadyTask> abandoned = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            waiting.forEach(w -> abandoned.add(w.task));
            waiting.clear();
            admitted.clear();
            toJoin = new ArrayList<>(runners);
            admittedOrClosed.signalAll();
        } finally {
            lock.unlock();
        }
        for (ReadyTask task : abandoned) {
            task.failed(task.attempt(), new ParaflowException("command executor '" + label + "' was closed before "
                    + "the command started", null), "none");
        }
        for (Runner runner : toJoin) {
            Threads.joinUninterruptibly(runner);
        }
        removeShutdownHook();
    }

    // ---------------------------------------------------------------- processes of running commands

    /**
     * Starts a command's process and remembers it until {@link #ended}, for the JVM's shutdown hook. Starts
     * run concurrently; the hook waits for those under way, so that a process that started just before the
     * JVM began to exit is killed too.
     */
    Process start(ProcessBuilder builder) throws IOException {
        installShutdownHook();
        spawning.readLock().lock();
        try {
            if (exiting) {
                throw new IllegalStateException("the JVM is exiting; the command was not started");
            }
            Process process = builder.start();
            processes.add(process);
            return process;
        } finally {
            spawning.readLock().unlock();
        }
    }

    private void killAllForExit() {
        spawning.writeLock().lock();
        try {
            exiting = true;
            processes.forEach(ProcessTree::killNow);
        } finally {
            spawning.writeLock().unlock();
        }
    }

    void ended(Process process) {
        processes.remove(process);
    }

    private synchronized void installShutdownHook() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::killAllForExit, "paraflow-" + label + "-reaper");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    private synchronized void removeShutdownHook() {
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs (or ran) and kills what is left
            }
            shutdownHook = null;
        }
    }

    /** The runner thread the caller runs on, or null if it is not a thread of a command executor. */
    static Runner currentRunner() {
        return Thread.currentThread() instanceof Runner runner ? runner : null;
    }

    @Override
    public String toString() {
        return "CommandExecutor[" + label + ", " + capacity + ", " + runDirectory + "]";
    }

    private record Waiting(ReadyTask task, long sequence) {
    }

    /** A thread of a command executor; a command task finds its attempt and executor through it. */
    static final class Runner extends Thread {
        final CommandExecutor executor;
        /** The attempt running on this thread; written by this thread, read by {@link #interruptAll} under the lock. */
        volatile ReadyTask task;

        Runner(CommandExecutor executor, String name) {
            super(name);
            this.executor = executor;
            setDaemon(true);
        }

        @Override
        public void run() {
            executor.work(this);
        }
    }
}
