package io.paraflow;

import io.paraflow.cache.Fingerprinter;
import io.paraflow.cache.FlushPolicy;
import io.paraflow.cache.internal.CheckpointStore;
import io.paraflow.cache.internal.Fingerprints;

import io.paraflow.command.CommandExecutor;
import io.paraflow.event.TaskListener;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.exec.ThreadExecutor;
import io.paraflow.graph.FlowRuntime;
import io.paraflow.serial.JavaSerializer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Configures and builds a {@link Flow}. Setters validate their argument at once; {@link #build()} checks
 * the combination and names the conflicting settings. Not thread-safe; build once per flow.
 */
public final class FlowBuilder {

    /** The label of the embedded thread executor. */
    public static final String THREADS = "threads";

    /** Default bound on unfinished tasks before {@code submit} blocks. */
    public static final int DEFAULT_MAX_UNFINISHED = 1 << 18;

    private int threads = Runtime.getRuntime().availableProcessors();
    private long memoryBytes = Runtime.getRuntime().maxMemory();
    private int maxUnfinished = DEFAULT_MAX_UNFINISHED;
    private boolean cancelOnClose;
    private String defaultExecutor = THREADS;
    private final List<TaskExecutor> executors = new ArrayList<>();
    private final List<TaskListener> listeners = new ArrayList<>();
    private final Fingerprints fingerprints = new Fingerprints();
    private Path checkpoints;
    private boolean resume;
    private FlushPolicy flushPolicy;
    private final List<String> checkpointAllowList = new ArrayList<>();

    FlowBuilder() {
    }

    /** Number of threads (and core slots) of the embedded {@value #THREADS} executor; default: available processors. */
    public FlowBuilder threads(int threads) {
        if (threads < 1 || threads > ThreadExecutor.MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 1 and " + ThreadExecutor.MAX_THREADS + ", got " + threads);
        }
        this.threads = threads;
        return this;
    }

    /** Memory the {@value #THREADS} executor offers to tasks that state their need; default: the JVM's max heap. */
    public FlowBuilder memory(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("memory must not be negative, got " + bytes);
        }
        this.memoryBytes = bytes;
        return this;
    }

    /**
     * Bound on submitted tasks that have not ended: {@code submit} from outside a task blocks while it is
     * reached. Default {@value #DEFAULT_MAX_UNFINISHED}.
     */
    public FlowBuilder maxUnfinished(int maxUnfinished) {
        if (maxUnfinished < 1) {
            throw new IllegalArgumentException("maxUnfinished must be at least 1, got " + maxUnfinished);
        }
        this.maxUnfinished = maxUnfinished;
        return this;
    }

    /** Whether {@link Flow#close()} cancels unfinished tasks instead of waiting for them; default {@code false}. */
    public FlowBuilder cancelOnClose(boolean cancelOnClose) {
        this.cancelOnClose = cancelOnClose;
        return this;
    }

    /**
     * Adds an executor that tasks choose with {@link TaskBuilder#on(String)}; the flow closes it. One labelled
     * {@value CommandExecutor#LABEL} replaces the flow's default {@link CommandExecutor}.
     */
    public FlowBuilder executor(TaskExecutor executor) {
        executors.add(Objects.requireNonNull(executor, "executor"));
        return this;
    }

    /** The label of the executor for tasks that do not choose one; default {@value #THREADS}. */
    public FlowBuilder defaultExecutor(String label) {
        this.defaultExecutor = Objects.requireNonNull(label, "label");
        return this;
    }

    /** Adds a listener for task lifecycle events; see {@link TaskListener} for its rules. */
    public FlowBuilder listener(TaskListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Keeps the results of memoized tasks ({@link TaskBuilder#cache}) in a checkpoint store in
     * {@code directory} (created if missing; one directory per workflow), written as tasks finish, so that
     * a later run with {@link #resume} skips them. One run at a time may use a directory. Default: none;
     * memoized results then live in memory for the flow's life.
     */
    public FlowBuilder checkpoints(Path directory) {
        this.checkpoints = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /**
     * Whether memoized tasks reuse what earlier runs recorded in the {@link #checkpoints} store: re-running
     * a program that crashed with resume on skips every memoized task that had finished. Without it the
     * run starts afresh and records over the earlier results. Default {@code false}; needs
     * {@link #checkpoints}.
     */
    public FlowBuilder resume(boolean resume) {
        this.resume = resume;
        return this;
    }

    /**
     * When the {@link #checkpoints} store writes finished tasks to disk; default
     * {@code FlushPolicy.periodic(1 s)}. Needs {@link #checkpoints}.
     */
    public FlowBuilder flushPolicy(FlushPolicy policy) {
        this.flushPolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Lets the {@link #checkpoints} store read back results of these classes: a class name, a package
     * ({@code com.example.*}) or a package tree ({@code com.example.**}). Results are stored with Java
     * serialization, and only classes on this list (besides the JDK's value types and collections, and
     * Paraflow's own) are ever deserialized from a store; a result that needs others is not reused, with a
     * warning that names the class, and its task runs again.
     *
     * @throws IllegalArgumentException if a pattern is malformed or would allow every class
     */
    public FlowBuilder allowInCheckpoints(String... patterns) {
        for (String pattern : patterns) {
            checkpointAllowList.add(JavaSerializer.checkPattern(pattern));
        }
        return this;
    }

    /**
     * Tells memoized tasks how to fingerprint arguments of {@code type} (and its subtypes), which they
     * could not otherwise; see {@link Fingerprinter}.
     */
    public <T> FlowBuilder fingerprinter(Class<T> type, Fingerprinter<? super T> fingerprinter) {
        fingerprints.register(Objects.requireNonNull(type, "type"), Objects.requireNonNull(fingerprinter, "fingerprinter"));
        return this;
    }

    /**
     * Builds and starts the flow.
     *
     * @throws IllegalArgumentException if two executors share a label, the default executor label is unknown,
     *                                  or resume or a flush policy is set without checkpoints
     * @throws ParaflowException        if the checkpoint store cannot be opened (the message says why)
     * @throws RuntimeException         what a listener's {@link TaskListener#flowStarted} threw (the flow is closed),
     *                                  or what an {@link io.paraflow.exec.ExecutorProvider} threw when the system
     *                                  property {@value io.paraflow.exec.ExecutorProvider#PROPERTY} asks for
     *                                  executors that every flow gets (see there), or what an
     *                                  {@link io.paraflow.event.ListenerProvider} threw when
     *                                  {@value io.paraflow.event.ListenerProvider#PROPERTY} asks for listeners
     */
    public Flow build() {
        Map<String, TaskExecutor> byLabel = new LinkedHashMap<>();
        for (TaskExecutor e : executors) {
            if (e.label().equals(THREADS) || byLabel.putIfAbsent(e.label(), e) != null) {
                throw new IllegalArgumentException("two executors are labelled '" + e.label()
                        + "'; give each executor(...) a unique label ('" + THREADS + "' is the embedded one)");
            }
        }
        byLabel.computeIfAbsent(CommandExecutor.LABEL, label -> CommandExecutor.createDefault());
        if (!defaultExecutor.equals(THREADS) && !byLabel.containsKey(defaultExecutor)) {
            throw new IllegalArgumentException("defaultExecutor('" + defaultExecutor + "') names no executor; known: "
                    + THREADS + ", " + String.join(", ", byLabel.keySet()));
        }
        if (checkpoints == null && (resume || flushPolicy != null)) {
            throw new IllegalArgumentException((resume ? "resume(true)" : "flushPolicy(...)")
                    + " needs a checkpoint store; set checkpoints(directory)");
        }
        CheckpointStore store = null;
        if (checkpoints != null) {
            try {
                store = CheckpointStore.open(checkpoints,
                        flushPolicy != null ? flushPolicy : FlushPolicy.periodic(Duration.ofSeconds(1)), resume);
            } catch (IOException e) {
                throw new ParaflowException("cannot open the checkpoint store in " + checkpoints + ": " + e.getMessage(), e);
            }
        }
        List<TaskListener> allListeners = new ArrayList<>(listeners);
        try {
            allListeners.addAll(ProvidedListeners.create());
            ProvidedExecutors.addMissing(byLabel);
        } catch (RuntimeException e) {
            closeOnFailure(store, e);
            throw e;
        }
        Map<String, TaskExecutor> all = new LinkedHashMap<>();
        all.put(THREADS, ThreadExecutor.create(THREADS, threads, memoryBytes));
        all.putAll(byLabel);
        FlowRuntime flow = new FlowRuntime(all, defaultExecutor, maxUnfinished, cancelOnClose, List.copyOf(allListeners),
                fingerprints.copy(), store, JavaSerializer.allowing(checkpointAllowList));
        flow.start();
        return flow;
    }

    private static void closeOnFailure(CheckpointStore store, RuntimeException failure) {
        if (store != null) {
            try {
                store.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
