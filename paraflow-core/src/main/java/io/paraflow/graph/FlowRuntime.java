package io.paraflow.graph;

import io.paraflow.Flow;
import io.paraflow.FlowBuilder;
import io.paraflow.FlowClosedException;
import io.paraflow.ParaflowException;
import io.paraflow.Task;
import io.paraflow.TaskBuilder;
import io.paraflow.TaskGroup;
import io.paraflow.cache.internal.CheckpointStore;
import io.paraflow.command.CommandExecutor;
import io.paraflow.cache.internal.Fingerprints;
import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.internal.Threads;
import io.paraflow.serial.Serializer;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.exec.ThreadExecutor;
import io.paraflow.exec.WorkerLoad;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime behind a {@link Flow}: validates submissions, creates {@link TaskNode}s, owns the executors,
 * the back-pressure counter, the timer for timeouts and delayed retries, and the event listeners.
 * Public only because {@link FlowBuilder} builds it; not API.
 */
public final class FlowRuntime extends AbstractSubmitter implements Flow {
    static final String CANCELLED_BY_CLOSE = "the flow was closed with cancellation";

    private static final AtomicLong FLOW_IDS = new AtomicLong();
    private static final System.Logger LOG = System.getLogger(FlowRuntime.class.getName());

    private final long id = FLOW_IDS.incrementAndGet();
    private final Map<String, TaskExecutor> executors;
    private final String defaultExecutorLabel;
    private final TaskOptions defaults = TaskOptions.defaults();
    private final TaskOptions collectDefaults;
    private final Executor callbacks;
    private final Admission admission;
    private final boolean cancelOnClose;
    private final TaskListener[] listeners;
    private final TaskCache cache;
    private final AtomicBoolean listenerFailureLogged = new AtomicBoolean();
    private final AtomicBoolean workerLoadsFailureLogged = new AtomicBoolean();
    private final long epochNanosAtStart;
    private final long nanoTimeAtStart;
    private final FlowInfo info;
    /** How many listeners {@link #start()} told that the flow started; only those hear that it closed. */
    private int startedListeners;
    private final Object lifecycleLock = new Object();
    private ScheduledThreadPoolExecutor timer;
    private Thread timerThread;

    /** Whether any listener is registered; read on the hot path before building an event. */
    final boolean listening;
    /** Set when the flow cancels everything (close with cancellation, or an interrupted close). */
    volatile boolean cancelling;
    private volatile boolean closing;
    private boolean closed;

    /**
     * Creates a flow over {@code executors} (by label, including the embedded {@link ThreadExecutor} under
     * {@link FlowBuilder#THREADS}). Use {@link FlowBuilder}.
     */
    public FlowRuntime(Map<String, TaskExecutor> executors, String defaultExecutorLabel, int maxUnfinished,
                       boolean cancelOnClose, List<TaskListener> listeners, Fingerprints fingerprints,
                       CheckpointStore checkpoints, Serializer checkpointSerializer) {
        this.executors = Map.copyOf(executors);
        this.defaultExecutorLabel = defaultExecutorLabel;
        this.collectDefaults = defaults.withExecutor(FlowBuilder.THREADS);
        this.callbacks = ((ThreadExecutor) executors.get(FlowBuilder.THREADS)).callbackExecutor();
        this.admission = new Admission(maxUnfinished);
        this.cancelOnClose = cancelOnClose;
        this.listeners = listeners.toArray(new TaskListener[0]);
        this.listening = !listeners.isEmpty();
        this.cache = new TaskCache(fingerprints, checkpoints, checkpointSerializer);
        Instant now = Instant.now();
        this.epochNanosAtStart = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        this.nanoTimeAtStart = System.nanoTime();
        Map<String, Resources> capacities = new LinkedHashMap<>();
        Map<String, Path> commandRunDirectories = new LinkedHashMap<>();
        executors.forEach((label, executor) -> {
            capacities.put(label, executor.capacity());
            if (executor instanceof CommandExecutor commands) {
                commandRunDirectories.put(label, commands.runDirectory());
            }
        });
        this.info = new FlowInfo(id, epochNanosAtStart, capacities, defaultExecutorLabel, maxUnfinished, cancelOnClose,
                this::workerLoads, commandRunDirectories);
    }

    /**
     * Every executor's {@link TaskExecutor#workerLoads}, for {@link FlowInfo#workerLoads}. An executor that breaks
     * its contract and throws is skipped (and logged once), and null entries are dropped, so that the monitor
     * asking goes on sampling.
     */
    private List<WorkerLoad> workerLoads() {
        List<WorkerLoad> loads = new ArrayList<>();
        for (TaskExecutor executor : executors.values()) {
            try {
                for (WorkerLoad load : executor.workerLoads()) {
                    if (load != null) {
                        loads.add(load);
                    }
                }
            } catch (RuntimeException e) {
                if (workerLoadsFailureLogged.compareAndSet(false, true)) {
                    LOG.log(System.Logger.Level.WARNING, "executor '" + executor.label() + "' failed to tell its"
                            + " workers' loads; skipped (logged once per flow)", e);
                }
            }
        }
        return loads;
    }

    /**
     * Tells the listeners that the flow started; called once by {@link FlowBuilder#build()} before the flow
     * is handed out. If a listener refuses, the flow is closed and the listener's exception is rethrown.
     */
    public void start() {
        for (TaskListener listener : listeners) {
            try {
                listener.flowStarted(info);
            } catch (RuntimeException | Error e) {
                try {
                    close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            startedListeners++;
        }
    }

    @Override
    FlowRuntime runtime() {
        return this;
    }

    @Override
    TaskOptions options() {
        return defaults;
    }

    // ---------------------------------------------------------------- submission

    /** Checks one task argument and returns it as the node it must be. */
    TaskNode<?> argument(TaskOptions options, Object function, int shape, Task<?> argument, int index) {
        if (argument instanceof TaskNode<?> node) {
            return node;
        }
        String task = options.name != null ? options.name : TaskNames.of(function, shape);
        if (argument == null) {
            throw new NullPointerException("task '" + task + "': argument " + (index + 1)
                    + " is null; pass a task, or a plain value through flow.value(v)");
        }
        throw new IllegalArgumentException("task '" + task + "': argument " + (index + 1) + " is a "
                + argument.getClass().getName() + ", not a task of a Paraflow flow");
    }

    <R> Task<R> submit(TaskOptions options, Object function, int shape, Task<?>[] arguments) {
        TaskNode<?>[] nodes = new TaskNode<?>[arguments.length];
        for (int i = 0; i < arguments.length; i++) {
            nodes[i] = argument(options, function, shape, arguments[i], i);
        }
        return submit(options, function, shape, nodes, nodes.length);
    }

    /**
     * Submits one task. {@code inputs} is null, a single input, or an array; {@code dependencies} is how
     * many of them are tasks to wait for.
     */
    <R> Task<R> submit(TaskOptions options, Object function, int shape, Object inputs, int dependencies) {
        if (function == null) {
            throw new NullPointerException("task '" + (options.name != null ? options.name : "?")
                    + "': function is null");
        }
        boolean inTask = inTaskOfThisFlow();
        refuseIfClosing(inTask, options, function, shape);
        TaskExecutor executor = options.executor(this, function);
        if (!(executor instanceof ThreadExecutor)) {
            checkSubmission(executor, options, function, shape, inputs, dependencies);
        }
        long taskId;
        try {
            taskId = admission.enter(!inTask);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParaflowException("interrupted while submit waited for room: " + admission.bound()
                    + " tasks are unfinished (maxUnfinished)", e);
        }
        try {
            // the flow may have started closing while this submitter waited for room
            refuseIfClosing(inTask, options, function, shape);
        } catch (FlowClosedException e) {
            admission.exit();
            throw e;
        }
        TaskNode<R> node = options.cache == null ? new TaskNode<>(this, taskId, options, function, shape, inputs)
                : new CachedTaskNode<>(this, taskId, options, function, shape, inputs);
        long submittedAt = 0;
        if (listening) {
            submittedAt = nowEpochNanos();
            node.submittedAt(submittedAt);
            emit(TaskEvent.Kind.SUBMITTED, node, 0, null, null, submittedAt);
        }
        if (options.group != null) {
            options.group.joined(node);
        }
        node.wire(inputs, dependencies, submittedAt);
        return node;
    }

    /** Lets an executor that runs tasks elsewhere refuse the submission; out of line, off the path of thread tasks. */
    private static void checkSubmission(TaskExecutor executor, TaskOptions options, Object function, int shape,
                                        Object inputs, int dependencies) {
        executor.checkSubmission(options.name != null ? options.name : TaskNames.of(function, shape), function,
                knownArguments(inputs, shape, dependencies));
    }

    /** The argument values known at submission: raw inputs, and results of inputs that already succeeded. */
    private static List<Object> knownArguments(Object inputs, int shape, int dependencies) {
        if (inputs == null) {
            return List.of();
        }
        if ((shape & TaskNode.RAW_INPUTS) != 0) {
            return Collections.singletonList(inputs);
        }
        Object[] nodes = dependencies == 1 && !(inputs instanceof Object[]) ? new Object[] {inputs} : (Object[]) inputs;
        List<Object> values = new ArrayList<>(nodes.length);
        for (Object input : nodes) {
            TaskNode<?> node = (TaskNode<?>) input;
            values.add(node.resultIfKnown());
        }
        return values;
    }

    private void refuseIfClosing(boolean inTask, TaskOptions options, Object function, int shape) {
        if (closing && (!inTask || closed)) {
            throw new FlowClosedException("flow " + id + " is " + (closed ? "closed" : "closing")
                    + "; task '" + (options.name != null ? options.name : TaskNames.of(function, shape))
                    + "' was not submitted");
        }
    }

    TaskOptions collectOptions(TaskOptions options) {
        return options.group == null && options.name == null ? collectDefaults
                : options.withExecutor(FlowBuilder.THREADS).withResources(defaults.resources);
    }

    TaskCache cache() {
        return cache;
    }

    void taskEnded() {
        admission.exit();
    }

    ParaflowException refused(TaskNode<?> task, TaskExecutor executor, RuntimeException cause) {
        return new ParaflowException("executor '" + executor.label() + "' refused task " + task + ": " + cause, cause);
    }

    // ---------------------------------------------------------------- Flow

    @Override
    public long id() {
        return id;
    }

    @Override
    public <T> Task<T> value(T value) {
        long id;
        try {
            id = admission.enter(false);
        } catch (InterruptedException impossible) {
            throw new AssertionError("enter(false) never waits", impossible);
        }
        admission.exit();
        return TaskNode.completed(this, id, defaults, value);
    }

    @Override
    public TaskBuilder task(String name) {
        Objects.requireNonNull(name, "name");
        return new TaskBuilderImpl(this, defaults.withName(name));
    }

    @Override
    public TaskGroup group(String name) {
        return new GroupImpl(this, name, false);
    }

    @Override
    public TaskGroup groupCancelOnFailure(String name) {
        return new GroupImpl(this, name, true);
    }

    /**
     * Whether the calling thread runs a task of this flow, or is a worker of one of its executors (where
     * stages chained on tasks run): such a thread must never wait for the flow.
     */
    private boolean inTaskOfThisFlow() {
        TaskExecutor workerOf = ThreadExecutor.currentExecutor();
        if (workerOf != null) {
            return executors.get(workerOf.label()) == workerOf;
        }
        TaskNode<?> current = TaskNode.current();
        return current != null && current.flow() == this;
    }

    @Override
    public void awaitAll() throws InterruptedException {
        if (inTaskOfThisFlow()) {
            throw new IllegalStateException("awaitAll() was called from inside a task; it would wait for itself."
                    + " Return a task (compose) or wait for specific tasks instead");
        }
        admission.awaitAllEnded();
    }

    @Override
    public long unfinished() {
        return admission.unfinished();
    }

    @Override
    public void close() {
        if (inTaskOfThisFlow()) {
            throw new IllegalStateException("close() was called from inside a task; it would wait for itself");
        }
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closing = true;
        }
        if (cancelOnClose) {
            cancelEverything();
        }
        boolean interrupted = false;
        while (true) {
            try {
                admission.awaitAllEnded();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                cancelEverything();
            }
        }
        synchronized (lifecycleLock) {
            closed = true;
        }
        RuntimeException failure = null;
        for (TaskExecutor executor : executors.values()) {
            try {
                executor.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = new ParaflowException("closing executor '" + executor.label() + "' failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        stopTimer();
        try {
            cache.close();
        } catch (IOException | RuntimeException e) {
            ParaflowException closing = new ParaflowException("writing the checkpoint store at close failed; tasks"
                    + " whose checkpoints were not written will run again on resume", e);
            if (failure == null) {
                failure = closing;
            } else {
                failure.addSuppressed(closing);
            }
        }
        failure = tellListenersClosed(failure);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private RuntimeException tellListenersClosed(RuntimeException failure) {
        long now = nowEpochNanos();
        for (TaskListener listener : Arrays.asList(listeners).subList(0, startedListeners)) {
            try {
                listener.flowClosed(info, now);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        return failure;
    }

    private void cancelEverything() {
        cancelling = true;
        for (TaskExecutor executor : executors.values()) {
            executor.interruptAll();
        }
    }

    // ---------------------------------------------------------------- executors

    TaskExecutor executor(String label) {
        return executors.get(label);
    }

    List<String> executorLabels() {
        return new ArrayList<>(executors.keySet());
    }

    /** Where {@code *Async} stages chained on tasks run: the embedded thread executor's threads. */
    Executor callbackExecutor() {
        return callbacks;
    }

    String defaultExecutorLabel() {
        return defaultExecutorLabel;
    }

    // ---------------------------------------------------------------- timer for timeouts and delayed retries

    ScheduledFuture<?> schedule(Runnable action, Duration delay) {
        return timer().schedule(action, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized ScheduledThreadPoolExecutor timer() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "paraflow-timer-" + id);
                thread.setDaemon(true);
                timerThread = thread;
                return thread;
            });
            timer.setRemoveOnCancelPolicy(true);
        }
        return timer;
    }

    private void stopTimer() {
        Thread thread;
        synchronized (this) {
            if (timer == null) {
                return;
            }
            timer.shutdownNow();
            thread = timerThread;
        }
        Threads.joinUninterruptibly(thread);
    }

    // ---------------------------------------------------------------- events

    /** Delivers a step that happens now; only called when {@link #listening}. */
    void emit(TaskEvent.Kind step, TaskNode<?> task, int attempt, String worker, Throwable error) {
        emit(step, task, attempt, worker, error, nowEpochNanos());
    }

    /** Delivers a step to every listener; a listener that throws is logged (once per flow) and skipped. */
    void emit(TaskEvent.Kind step, TaskNode<?> task, int attempt, String worker, Throwable error, long epochNanos) {
        for (TaskListener listener : listeners) {
            try {
                listener.onStep(task, step, attempt, worker, epochNanos, error);
            } catch (RuntimeException | Error e) {
                listenerFailed(listener, e);
            }
        }
    }

    private void listenerFailed(TaskListener listener, Throwable e) {
        if (listenerFailureLogged.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "task listener " + listener + " threw; further failures"
                    + " of listeners of flow " + id + " are not logged", e);
        }
    }

    long nowEpochNanos() {
        return epochNanosAtStart + (System.nanoTime() - nanoTimeAtStart);
    }

    @Override
    public String toString() {
        return "Flow[" + id + ", executors=" + executors.keySet() + ", unfinished=" + admission.unfinished() + "]";
    }
}
