package io.paraflow.graph;

import io.paraflow.DependencyFailedException;
import io.paraflow.ResultUnavailableException;
import io.paraflow.Task;
import io.paraflow.TaskCancelledException;
import io.paraflow.TaskFailedException;
import io.paraflow.TaskTimeoutException;
import io.paraflow.command.CommandOutput;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;
import io.paraflow.exec.Invocation;
import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.RemoteValue;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.exec.ThreadExecutor;
import io.paraflow.fault.RetryDecision;
import io.paraflow.fn.Fn0;
import io.paraflow.fn.Fn1;

import java.io.Serializable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The record of one task in the graph: its function and inputs, its state, the counter of dependencies
 * not yet finished, and the list of successors to notify when it ends. It is also the task's future
 * (users see it as {@link Task}) and the attempt handed to executors (as {@link ReadyTask}).
 *
 * <p>Implementation notes.
 * <ul>
 *   <li>State: one int, {@code attempt << 3 | phase}. Phases: PENDING (waiting for dependencies) →
 *       READY (handed to the executor) → RUNNING → FINISHING (the runner decides the outcome) → DONE, or
 *       back to READY with attempt + 1 for a retry, or JOINING (a join task waits for the task its
 *       function returned). INTERRUPTING is held by whoever stops a running attempt (cancel, timeout)
 *       while it interrupts the runner; the runner waits for it to pass before it clears its interrupt
 *       status, so an interrupt never leaks into the next task on that thread. The attempt number in the
 *       state makes a late runner of an old attempt fail its CAS instead of touching a newer attempt.</li>
 *   <li>Events: with listeners, READY and STARTED are delivered while the task is ANNOUNCING (entered by
 *       the CAS that would otherwise have made it READY or RUNNING, left by a plain store of that state), so
 *       that a racing cancellation, which waits while a task announces, cannot deliver CANCELLED before
 *       them; every other step is delivered by the owner of the state it leaves (FINISHING, or DONE for the
 *       end). No lock is taken, and without listeners nothing of this happens.</li>
 *   <li>Ownership: whoever moves the state to FINISHING, INTERRUPTING or DONE owns the next step; every
 *       path to DONE goes through {@link #end} exactly once.</li>
 *   <li>Dependencies: {@code pendingDeps} starts at the number of task arguments plus a guard of one,
 *       released after every argument has been wired, so that a fast argument cannot make the task
 *       ready before it is wired. An argument that ended successfully decrements it; the last
 *       decrement makes the task ready. An argument that failed or was cancelled ends the task at once.</li>
 *   <li>Successors: a lock-free stack ({@code null}, one node, or {@link Edge}s) closed with the
 *       {@code ENDED} marker when the task ends; adding to a closed stack tells the adder that the task
 *       already ended. Notification is iterative ({@link #propagate}), so a failure at the head of a
 *       chain of a million tasks uses no stack depth.</li>
 *   <li>Memory: inputs are dropped when the task ends, so finished tasks do not hold their upstream
 *       graph; the runtime keeps no registry of tasks, so an unreferenced finished task is garbage.</li>
 *   <li>Results kept elsewhere: an out-of-process executor may report a {@link RemoteValue} as the result.
 *       The task ends with the handle as its {@code value} (dependents get it, and fetch it only if they
 *       need the value here), but its future is completed only once somebody reads or chains on it:
 *       {@code valueAccess} holds KEPT_REMOTE (set when the future would have been completed) and OBSERVED
 *       (set by a reader before it looks); whoever sets the second bit fetches and completes the future,
 *       so a stage chained just as the task ends is never left waiting.</li>
 * </ul>
 */
public class TaskNode<T> extends CompletableFuture<T> implements Task<T>, ReadyTask, TaskInfo {

    static final int PENDING = 0;
    static final int READY = 1;
    static final int RUNNING = 2;
    static final int INTERRUPTING = 3;
    static final int FINISHING = 4;
    static final int JOINING = 5;
    static final int DONE = 6;
    /** A step (READY or STARTED) is being delivered to listeners; see the implementation notes. */
    static final int ANNOUNCING = 7;
    private static final int PHASE_BITS = 3;
    private static final int PHASE_MASK = (1 << PHASE_BITS) - 1;

    /** Shape flag: inputs are plain values (from {@code map}), not tasks. */
    static final int RAW_INPUTS = 1;
    /** Shape flag: the function returns a task whose result becomes this task's result. */
    static final int COMPOSE = 2;
    /** Shape flag: the result is the list of the inputs' results ({@code all}). */
    static final int ALL = 4;

    /** The function of an {@code all} task, which collects its inputs' results; it never leaves the JVM. */
    static final Object COLLECT_RESULTS = new Object() {
        @Override
        public String toString() {
            return "all";
        }
    };
    private static final Object ENDED = new Object();
    private static final long[] NO_DEPENDENCIES = {};
    /** Spins of a canceller waiting for a step to be delivered before it parks between looks. */
    private static final int ANNOUNCING_SPINS = 1_000;
    private static final long ANNOUNCING_PARK_NANOS = 10_000;
    private static final VarHandle STATE;
    private static final VarHandle PENDING_DEPS;
    private static final VarHandle SUCCESSORS;
    private static final VarHandle VALUE_ACCESS;
    /** {@code valueAccess} bit: the task ended with a {@link RemoteValue}; its future is not completed yet. */
    private static final int KEPT_REMOTE = 1;
    /** {@code valueAccess} bit: somebody reads or chains on the future. */
    private static final int OBSERVED = 2;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            STATE = lookup.findVarHandle(TaskNode.class, "state", int.class);
            PENDING_DEPS = lookup.findVarHandle(TaskNode.class, "pendingDeps", int.class);
            SUCCESSORS = lookup.findVarHandle(TaskNode.class, "successors", Object.class);
            VALUE_ACCESS = lookup.findVarHandle(TaskNode.class, "valueAccess", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The task running on a thread that is not a thread-executor worker (those know their task). */
    private static final ThreadLocal<TaskNode<?>> RUNNING_ON_OTHER_THREADS = new ThreadLocal<>();
    /** Whether any task ever ran on such a thread; until then nobody needs to look at the thread-local. */
    private static volatile boolean tasksRunOnOtherThreads;

    private final FlowRuntime flow;
    private final long id;
    private final TaskOptions options;
    private final Object function;
    private final int shape;
    /** null, one input (a task, or a value with RAW_INPUTS), or an array of inputs; dropped at the end. */
    private Object inputs;
    /**
     * The outcome, written when the task ends and before its successors are notified, which read it
     * from here: the future is completed only after them, so that a stage chained on the future cannot
     * hold up the graph. {@code value} is the result (or the fallback); {@code failure} is null on success.
     */
    private Object value;
    private Throwable failure;
    /** Starts at 0, which is PENDING for attempt 1, so a new task needs no store here. */
    private volatile int state;
    private volatile int pendingDeps;
    private volatile Object successors;
    /** KEPT_REMOTE and OBSERVED; see the implementation notes. */
    private volatile int valueAccess;
    /**
     * The thread running the current in-process attempt. Plain: it is written before the CAS that
     * starts the attempt and read only by whoever moved that attempt's state on afterwards.
     */
    private Thread runner;
    /** The current attempt's timeout; plain, as a stale read only leaves a timer that will find the attempt over. */
    private ScheduledFuture<?> timeoutTimer;
    /**
     * The thread deciding the outcome of an attempt (FINISHING or INTERRUPTING), or delivering a step
     * (ANNOUNCING), while it runs the retry policy and listeners; only that thread compares it with itself.
     */
    private Thread deciding;
    /** When its steps happened, for listeners; null when the flow has none. */
    private StepTimes steps;

    TaskNode(FlowRuntime flow, long id, TaskOptions options, Object function, int shape, Object inputs) {
        this.flow = flow;
        this.id = id;
        this.options = options;
        this.function = function;
        this.shape = shape;
        this.inputs = inputs;
    }

    /** A task already complete with {@code value}: how plain values become arguments. */
    static <T> TaskNode<T> completed(FlowRuntime flow, long id, TaskOptions options, T value) {
        TaskNode<T> node = new TaskNode<>(flow, id, options, null, RAW_INPUTS, null);
        node.state = stateOf(1, DONE);
        node.successors = ENDED;
        node.value = value;
        node.completeFuture();
        return node;
    }

    private static int stateOf(int attempt, int phase) {
        return attempt - 1 << PHASE_BITS | phase;
    }

    private static int phase(int state) {
        return state & PHASE_MASK;
    }

    private static int attemptOf(int state) {
        return (state >>> PHASE_BITS) + 1;
    }

    // ---------------------------------------------------------------- wiring and readiness

    /**
     * Connects the task to its {@code dependencies} task inputs and makes it ready if they all ended.
     * Reads the inputs from the parameter, not the field: a group may cancel the task meanwhile.
     * {@code submittedAt} is when SUBMITTED was delivered (with listeners): a task without dependencies
     * is ready at that time too.
     */
    void wire(Object in, int dependencies, long submittedAt) {
        if (dependencies == 0) {
            if (options.group == null) {
                // Nobody else can see this task yet: no CAS needed, and no race for the event order.
                STATE.set(this, stateOf(1, READY));
                if (flow.listening) {
                    steps.readyNanos = submittedAt;
                    flow.emit(TaskEvent.Kind.READY, this, 0, null, null, submittedAt);
                }
                dispatch(false);
            } else {
                becomeReady(false);
            }
            return;
        }
        pendingDeps = dependencies + 1;
        for (int i = 0; i < dependencies; i++) {
            TaskNode<?> dependency = (TaskNode<?>) (in instanceof Object[] array ? array[i] : in);
            if (!dependency.addSuccessor(this) && dependencyEnded(dependency)) {
                propagate(this);
                return;
            }
        }
        if ((int) PENDING_DEPS.getAndAdd(this, -1) == 1) {
            becomeReady(false);
        }
    }

    private boolean addSuccessor(TaskNode<?> successor) {
        while (true) {
            Object current = successors;
            if (current == ENDED) {
                return false;
            }
            Object next = current == null ? successor : new Edge(successor, current);
            if (SUCCESSORS.compareAndSet(this, current, next)) {
                return true;
            }
        }
    }

    /** One link of the successor stack; {@code next} is another Edge or the last TaskNode. */
    private record Edge(TaskNode<?> node, Object next) {
    }

    private void becomeReady(boolean continuation) {
        if (flow.listening) {
            if (!announce(stateOf(1, PENDING), stateOf(1, READY), TaskEvent.Kind.READY, 0, null)) {
                return;
            }
        } else if (!STATE.compareAndSet(this, stateOf(1, PENDING), stateOf(1, READY))) {
            return;
        }
        dispatch(continuation);
    }

    /**
     * Moves the state from {@code from} to {@code to}, delivering {@code step} in between while ANNOUNCING;
     * returns false (and delivers nothing) if the state was not {@code from}. Only with listeners.
     */
    private boolean announce(int from, int to, TaskEvent.Kind step, int attempt, String worker) {
        if (!STATE.compareAndSet(this, from, stateOf(attemptOf(from), ANNOUNCING))) {
            return false;
        }
        deciding = Thread.currentThread();
        try {
            long now = flow.nowEpochNanos();
            if (step == TaskEvent.Kind.READY) {
                steps.readyNanos = now;
            } else {
                steps.startedNanos = now;
                steps.worker = worker;
            }
            flow.emit(step, this, attempt, worker, null, now);
        } finally {
            deciding = null;
            state = to;
        }
        return true;
    }

    private void dispatch(boolean continuation) {
        if (options.cache != null && attemptOf(state) == 1 && flow.cache().reuse((CachedTaskNode<?>) this)) {
            return;
        }
        TaskExecutor executor = executor();
        if (!(executor instanceof ThreadExecutor) && mustFetchArgumentsFor(executor)) {
            try {
                flow.callbackExecutor().execute(() -> fetchArgumentsThenHandTo(executor, continuation));
                return;
            } catch (RejectedExecutionException closing) {
                // the flow is closing: the executor fetches on its own thread, or refuses
            }
        }
        handTo(executor, continuation);
    }

    /**
     * Whether an argument is a result kept elsewhere that {@code executor} does not take as a handle and that
     * was not fetched yet: the executor would fetch it, blocking one of its own threads (or the thread that
     * made this task ready, such as another executor's outcome reporter).
     */
    private boolean mustFetchArgumentsFor(TaskExecutor executor) {
        Object in = inputs;
        if (in == null || (shape & RAW_INPUTS) != 0) {
            return false;
        }
        if (!(in instanceof Object[] array)) {
            return mustFetch(in, executor);
        }
        for (Object input : array) {
            if (mustFetch(input, executor)) {
                return true;
            }
        }
        return false;
    }

    private static boolean mustFetch(Object input, TaskExecutor executor) {
        return ((TaskNode<?>) input).value instanceof RemoteValue remote && !remote.isFetched()
                && !executor.acceptsRemote(remote);
    }

    /**
     * Runs on the flow's callback threads: fetches the arguments the executor would fetch, then hands the task
     * to it. A fetch that fails is kept by its handle, and the executor's {@link #invocation()} fails the task
     * with it.
     */
    private void fetchArgumentsThenHandTo(TaskExecutor executor, boolean continuation) {
        Object in = inputs;
        if (in != null) {
            for (Object input : in instanceof Object[] array ? array : new Object[] {in}) {
                if (mustFetch(input, executor)) {
                    try {
                        ((RemoteValue) ((TaskNode<?>) input).value).fetch();
                    } catch (ResultUnavailableException kept) {
                        break;
                    }
                }
            }
        }
        handTo(executor, continuation);
    }

    private void handTo(TaskExecutor executor, boolean continuation) {
        try {
            if (continuation) {
                executor.continueWith(this);
            } else {
                executor.execute(this);
            }
        } catch (RuntimeException refused) {
            int s = state;
            if (phase(s) == READY && STATE.compareAndSet(this, s, stateOf(attemptOf(s), DONE))) {
                endFailed(flow.refused(this, executor, refused), null);
                propagate(this);
            }
        }
    }

    private void redispatch() {
        dispatch(false);
    }

    /**
     * Called when {@code dependency} (an input, or the task a join task waits for) ended.
     *
     * @return whether this task ended because of it, so that its own successors must be notified
     */
    private boolean dependencyEnded(TaskNode<?> dependency) {
        while (true) {
            int s = state;
            int phase = phase(s);
            Throwable dependencyFailure = dependency.failure;
            if (phase == JOINING) {
                if (!STATE.compareAndSet(this, s, stateOf(attemptOf(s), DONE))) {
                    continue;
                }
                if (dependencyFailure == null) {
                    end(dependency.value, null, null, null);
                } else {
                    endFailed(failureCausedBy(dependency, dependencyFailure), null);
                }
                return true;
            }
            if (dependencyFailure == null) {
                if ((int) PENDING_DEPS.getAndAdd(this, -1) == 1) {
                    becomeReady(true);
                }
                return false;
            }
            if (phase != PENDING) {
                return false;
            }
            if (STATE.compareAndSet(this, s, stateOf(attemptOf(s), DONE))) {
                endFailed(failureCausedBy(dependency, dependencyFailure), null);
                return true;
            }
        }
    }

    private Throwable failureCausedBy(TaskNode<?> dependency, Throwable dependencyFailure) {
        if (dependencyFailure instanceof TaskCancelledException) {
            return new TaskCancelledException(id, name(), "it depends on task '" + dependency.name() + "' (#"
                    + dependency.id + "), which was cancelled");
        }
        if (dependencyFailure instanceof DependencyFailedException upstream) {
            return new DependencyFailedException(id, name(), upstream.failedTaskId(), upstream.failedTaskName(),
                    upstream.getCause());
        }
        return new DependencyFailedException(id, name(), dependency.id, dependency.name(), dependencyFailure);
    }

    /**
     * Notifies the successors of {@code first}, and of every task that ends because of it, without
     * recursion; completes each task's future (running stages chained on it) after its successors were
     * notified, and only then counts it as ended.
     */
    static void propagate(TaskNode<?> first) {
        ArrayDeque<TaskNode<?>> ended = null;
        TaskNode<?> node = first;
        while (node != null) {
            Object next = SUCCESSORS.getAndSet(node, ENDED);
            while (next != null && next != ENDED) {
                TaskNode<?> successor;
                if (next instanceof Edge edge) {
                    successor = edge.node;
                    next = edge.next;
                } else {
                    successor = (TaskNode<?>) next;
                    next = null;
                }
                if (successor.dependencyEnded(node)) {
                    if (ended == null) {
                        ended = new ArrayDeque<>();
                    }
                    ended.add(successor);
                }
            }
            node.completeFuture();
            node = ended == null ? null : ended.poll();
        }
    }

    // ---------------------------------------------------------------- running

    @Override
    public void run() {
        Thread.interrupted();
        int s = state;
        if (phase(s) != READY) {
            return;
        }
        int attempt = attemptOf(s);
        // read before the start CAS: once it succeeds the function gets its arguments even if a
        // cancellation right after it drops the field
        Object in = inputs;
        Thread thread = Thread.currentThread();
        runner = thread;
        if (flow.cancelling) {
            runner = null;
            cancel(false, FlowRuntime.CANCELLED_BY_CLOSE);
            return;
        }
        String worker = thread.getName();
        if (!start(s, attempt, worker)) {
            runner = null;
            return;
        }
        Object result = null;
        Throwable error = null;
        boolean tracked = !ThreadExecutor.isWorkerThread();
        if (tracked) {
            tasksRunOnOtherThreads = true;
            RUNNING_ON_OTHER_THREADS.set(this);
        }
        try {
            result = invoke(in);
        } catch (Throwable e) {
            error = e;
        } finally {
            if (tracked) {
                RUNNING_ON_OTHER_THREADS.remove();
            }
        }
        if (error == null && (shape & COMPOSE) == 0) {
            // the common case in one CAS: no retry, fallback or join to decide
            if (STATE.compareAndSet(this, stateOf(attempt, RUNNING), stateOf(attempt, DONE))) {
                runner = null;
                Thread.interrupted();
                cancelTimeout();
                end(result, null, null, worker);
                propagate(this);
                return;
            }
        } else if (STATE.compareAndSet(this, stateOf(attempt, RUNNING), stateOf(attempt, FINISHING))) {
            runner = null;
            Thread.interrupted();
            attemptEnded(attempt, result, error, worker);
            return;
        }
        // a cancellation or the timeout took the attempt over; wait until its interrupt has landed
        while (state == stateOf(attempt, INTERRUPTING)) {
            Thread.onSpinWait();
        }
        Thread.interrupted();
    }

    private void cancelTimeout() {
        ScheduledFuture<?> timer = timeoutTimer;
        if (timer != null) {
            timer.cancel(false);
            timeoutTimer = null;
        }
    }

    /**
     * Moves a READY attempt to RUNNING, delivering STARTED with listeners (see {@link #announce}), and
     * arms the timeout.
     */
    private boolean start(int readyState, int attempt, String worker) {
        if (flow.listening) {
            if (!announce(readyState, stateOf(attempt, RUNNING), TaskEvent.Kind.STARTED, attempt, worker)) {
                return false;
            }
        } else if (!STATE.compareAndSet(this, readyState, stateOf(attempt, RUNNING))) {
            return false;
        }
        if (options.timeout != null) {
            timeoutTimer = flow.schedule(() -> timedOut(attempt, worker), options.timeout);
        }
        return true;
    }

    private Object invoke(Object in) throws Exception {
        Object fn = function;
        if ((shape & ALL) != 0) {
            return Collections.unmodifiableList(Arrays.asList(argumentValues(in)));
        } else if (fn instanceof Fn1<?, ?> f1) {
            @SuppressWarnings("unchecked")
            Fn1<Object, ?> f = (Fn1<Object, ?>) f1;
            return f.apply(argumentValue(in));
        } else if (fn instanceof Fn0<?> f0) {
            return f0.call();
        }
        return Invocation.call(fn, argumentValues(in));
    }

    private Object argumentValue(Object input) {
        return argumentValue(input, null);
    }

    /**
     * The value of one input; a result kept elsewhere is fetched, unless {@code shipper} (the executor an
     * invocation is built for, or null in-process) takes the handle as it is.
     *
     * @throws ResultUnavailableException if it must be fetched and cannot be
     */
    private Object argumentValue(Object input, TaskExecutor shipper) {
        if ((shape & RAW_INPUTS) != 0) {
            return input;
        }
        Object value = ((TaskNode<?>) input).value;
        return value instanceof RemoteValue remote && (shipper == null || !shipper.acceptsRemote(remote))
                ? remote.fetch() : value;
    }

    /** The argument values from the inputs: one plain value (map), one task, or an array of tasks. */
    private Object[] argumentValues(Object in) {
        return argumentValues(in, null);
    }

    private Object[] argumentValues(Object in, TaskExecutor shipper) {
        if ((shape & RAW_INPUTS) != 0) {
            return new Object[] {in};
        }
        if (in == null) {
            return new Object[0];
        }
        if (!(in instanceof Object[] array)) {
            return new Object[] {argumentValue(in, shipper)};
        }
        Object[] values = new Object[array.length];
        for (int i = 0; i < array.length; i++) {
            values[i] = argumentValue(array[i], shipper);
        }
        return values;
    }

    private void timedOut(int attempt, String worker) {
        if (!STATE.compareAndSet(this, stateOf(attempt, RUNNING), stateOf(attempt, INTERRUPTING))) {
            return;
        }
        CommandOutput output = timeoutOutput();
        stopRunner();
        attemptEnded(attempt, null, new TaskTimeoutException(id, name(), attempt, options.timeout, worker, output),
                worker);
    }

    /** What the executor tells of this attempt's output; an executor that fails here tells nothing. */
    private CommandOutput timeoutOutput() {
        try {
            return executor().timeoutOutput(this);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Stops the running attempt; the caller holds INTERRUPTING. */
    private void stopRunner() {
        Thread thread = runner;
        if (thread != null) {
            ThreadExecutor.interrupt(thread, this);
            runner = null;
        } else {
            executor().stop(this);
        }
    }

    /** Decides the outcome of an attempt; the caller owns the task (FINISHING or INTERRUPTING). */
    private void attemptEnded(int attempt, Object result, Throwable error, String worker) {
        deciding = Thread.currentThread();
        try {
            decideOutcome(attempt, result, error, worker);
        } finally {
            deciding = null;
        }
    }

    private void decideOutcome(int attempt, Object result, Throwable error, String worker) {
        cancelTimeout();
        if (error == null) {
            if ((shape & COMPOSE) != 0) {
                join(attempt, result, worker);
            } else {
                finish(attempt, result, null, worker);
            }
            return;
        }
        if (flow.cancelling) {
            finish(attempt, null, new TaskCancelledException(id, name(), FlowRuntime.CANCELLED_BY_CLOSE), worker);
            return;
        }
        RetryDecision decision = error instanceof ResultUnavailableException ? RetryDecision.giveUp()
                : decide(error, attempt);
        if (decision.retry()) {
            if (flow.listening) {
                flow.emit(TaskEvent.Kind.RETRIED, this, attempt, worker, error);
                steps.startedNanos = 0;
                steps.worker = null;
            }
            state = stateOf(attempt + 1, READY);
            if (decision.delay().isZero()) {
                redispatch();
            } else {
                flow.schedule(this::redispatch, decision.delay());
            }
            return;
        }
        finish(attempt, null, error instanceof TaskTimeoutException ? error
                : new TaskFailedException(id, name(), executor().label(), worker, attempt, error), worker);
    }

    /**
     * Ends the task the caller owns (FINISHING, INTERRUPTING or JOINING): with {@code result}, or with
     * {@code failure} (or the fallback), and notifies its successors.
     */
    private void finish(int attempt, Object result, Throwable failure, String worker) {
        state = stateOf(attempt, DONE);
        if (failure == null) {
            end(result, null, null, worker);
        } else {
            endFailed(failure, worker);
        }
        propagate(this);
    }

    /**
     * Ends a failed task (the caller moved it to DONE): with its fallback value if it has one, unless it
     * was cancelled; listeners see the failure either way.
     */
    private void endFailed(Throwable failure, String worker) {
        if (options.hasFallback && !(failure instanceof TaskCancelledException)) {
            end(options.fallback, null, failure, worker);
        } else {
            end(null, failure, null, worker);
        }
    }

    private RetryDecision decide(Throwable error, int attempt) {
        if (options.retryPolicy == null) {
            return RetryDecision.giveUp();
        }
        try {
            RetryDecision decision = options.retryPolicy.decide(error, attempt);
            return decision != null ? decision : RetryDecision.giveUp();
        } catch (RuntimeException | Error policyFailure) {
            error.addSuppressed(policyFailure);
            return RetryDecision.giveUp();
        }
    }

    /** A join task's function returned {@code result}: wait for that task. */
    private void join(int attempt, Object result, String worker) {
        if (!(result instanceof TaskNode<?> inner) || inner == this) {
            String what = result == null ? "null" : result == this ? "itself" : "a " + result.getClass().getName();
            finish(attempt, null, new TaskFailedException(id, name(), executor().label(), worker, attempt,
                    new IllegalStateException("a join task must return another task of a flow, but returned " + what)),
                    worker);
            return;
        }
        state = stateOf(attempt, JOINING);
        if (!inner.addSuccessor(this) && dependencyEnded(inner)) {
            propagate(this);
        }
    }

    // ---------------------------------------------------------------- ending

    /**
     * Records how the task ended; the caller has moved the state to DONE and calls {@link #propagate}
     * next, which notifies the successors and then completes the future. {@code reported} is a failure
     * that a fallback value replaced: listeners see it, dependents do not.
     */
    private void end(Object result, Throwable failure, Throwable reported, String worker) {
        this.value = result;
        this.failure = failure;
        if (options.cache != null && worker != TaskCache.WORKER) {
            flow.cache().ended((CachedTaskNode<?>) this, result, failure != null ? failure : reported);
        }
        if (flow.listening) {
            TaskEvent.Kind kind = failure instanceof TaskCancelledException ? TaskEvent.Kind.CANCELLED
                    : failure != null || reported != null ? TaskEvent.Kind.FAILED : TaskEvent.Kind.FINISHED;
            // the caller owns DONE: every earlier step of this task has been delivered
            flow.emit(kind, this, attemptOf(state), worker, failure != null ? failure : reported);
        }
        // dropped after the listeners, which may read the dependencies at the end
        inputs = null;
    }

    /**
     * Completes the future (running the stages chained on it), then updates the group and counts the
     * task as ended. Values ({@link #completed}) were counted as ended when they were made.
     */
    private void completeFuture() {
        if (failure == null) {
            if (value instanceof RemoteValue remote) {
                boolean observed = ((int) VALUE_ACCESS.getAndBitwiseOr(this, KEPT_REMOTE) & OBSERVED) != 0;
                if (observed || options.cache != null && flow.cache().recordsFetched((CachedTaskNode<?>) this)) {
                    fetchThenCountAsEnded(remote);
                    return;
                }
            } else {
                @SuppressWarnings("unchecked")
                T result = (T) value;
                super.complete(result);
            }
        } else {
            super.completeExceptionally(failure);
        }
        countAsEnded();
    }

    private void countAsEnded() {
        GroupImpl group = options.group;
        if (group != null) {
            group.ended(this, failure);
        }
        if (function != null) {
            flow.taskEnded();
        }
    }

    /**
     * The task ended with a result kept elsewhere that is needed here (a stage waits for it, or the memo
     * records it): fetches it on the flow's callback threads, never on the thread that reports outcomes (an
     * executor's single outcome thread must not wait for a fetch, nor die of one), completes the future (with
     * the {@link ResultUnavailableException} if it cannot be fetched), records it, and only then counts the
     * task as ended, so that {@code close()} waits for the fetch while the executor is still open.
     */
    private void fetchThenCountAsEnded(RemoteValue remote) {
        try {
            flow.callbackExecutor().execute(() -> {
                try {
                    completeWithFetchedOrFailure(remote);
                    if (options.cache != null) {
                        flow.cache().recordFetched((CachedTaskNode<?>) this, remote);
                    }
                } finally {
                    // an interrupted fetch restored the flag: it must not reach the next callback on this thread
                    Thread.interrupted();
                    countAsEnded();
                }
            });
        } catch (RejectedExecutionException closed) {
            super.completeExceptionally(new ResultUnavailableException(id, name(), remote.location(), closed));
            countAsEnded();
        }
    }

    /** Completes the future with the fetched value or with the failure to fetch it; never throws. */
    private void completeWithFetchedOrFailure(RemoteValue remote) {
        try {
            @SuppressWarnings("unchecked")
            T result = (T) remote.fetch();
            super.complete(result);
        } catch (ResultUnavailableException e) {
            super.completeExceptionally(e);
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return cancel(mayInterruptIfRunning, "cancelled by the program");
    }

    /** Cancels the task with {@code reason}; see {@link Task#cancel(boolean)}. */
    boolean cancel(boolean interrupt, String reason) {
        return cancel(interrupt, reason, false);
    }

    /** Cancels the task only if it has not started (it waits for its dependencies or for a slot). */
    boolean cancelIfNotStarted(String reason) {
        return cancel(false, reason, true);
    }

    private boolean cancel(boolean interrupt, String reason, boolean onlyIfNotStarted) {
        int spins = 0;
        while (true) {
            int s = state;
            int phase = phase(s);
            int attempt = attemptOf(s);
            if (phase == DONE) {
                return false;
            }
            if (phase == ANNOUNCING) {
                // READY or STARTED is being delivered; it must reach listeners before the cancellation
                if (deciding == Thread.currentThread()) {
                    return false;
                }
                if (++spins > ANNOUNCING_SPINS) {
                    // a listener may be slow: do not burn a core its thread may need
                    LockSupport.parkNanos(ANNOUNCING_PARK_NANOS);
                } else {
                    Thread.onSpinWait();
                }
                continue;
            }
            if (onlyIfNotStarted && phase != PENDING && phase != READY) {
                return false;
            }
            if (phase == INTERRUPTING || phase == FINISHING) {
                if (deciding == Thread.currentThread()) {
                    // called from the retry policy or a listener while this thread decides the outcome:
                    // waiting for the decision would wait for ever
                    return false;
                }
                Thread.onSpinWait();
                continue;
            }
            if (phase == RUNNING && interrupt) {
                if (!STATE.compareAndSet(this, s, stateOf(attempt, INTERRUPTING))) {
                    continue;
                }
                stopRunner();
                state = stateOf(attempt, DONE);
            } else if (!STATE.compareAndSet(this, s, stateOf(attempt, DONE))) {
                continue;
            }
            cancelTimeout();
            end(null, new TaskCancelledException(id, name(), reason), null, null);
            propagate(this);
            if (phase == READY) {
                executor().withdraw(this);
            }
            return true;
        }
    }

    // ---------------------------------------------------------------- ReadyTask for out-of-process executors

    @Override
    public Invocation invocation() {
        if (!(function instanceof Serializable fn) || (shape & ALL) != 0) {
            throw new IllegalStateException("task " + this + " has no function to ship");
        }
        Object in = inputs;
        // inputs are dropped only after the state became DONE: if it is not DONE now, they were valid
        // (the fence keeps the read of inputs before the read of the state on weak memory models)
        VarHandle.acquireFence();
        if (phase(state) == DONE) {
            throw new IllegalStateException("task " + this + " ended (it was cancelled) before it was shipped");
        }
        if (flow.cancelling) {
            // as run() does for in-process attempts: nothing starts once the flow cancels everything
            cancel(false, FlowRuntime.CANCELLED_BY_CLOSE);
            throw new IllegalStateException("task " + this + " was cancelled before it was shipped: "
                    + FlowRuntime.CANCELLED_BY_CLOSE);
        }
        Object[] arguments;
        try {
            arguments = argumentValues(in, executor());
        } catch (ResultUnavailableException e) {
            // no worker ran the attempt: the failure names the executor, and the exception the value's worker
            failed(attempt(), e, executor().label());
            throw new IllegalStateException("task " + this + " failed: an argument could not be fetched", e);
        }
        return new Invocation(fn, arguments);
    }

    @Override
    public RemoteValue largestRemoteArgument() {
        Object in = inputs;
        if (in == null || (shape & RAW_INPUTS) != 0) {
            return null;
        }
        RemoteValue largest = null;
        for (Object input : in instanceof Object[] array ? array : new Object[] {in}) {
            if (((TaskNode<?>) input).value instanceof RemoteValue remote
                    && (largest == null || remote.sizeBytes() > largest.sizeBytes())) {
                largest = remote;
            }
        }
        return largest;
    }

    @Override
    public void started(int attempt, String worker) {
        int ready = stateOf(attempt, READY);
        if (state == ready) {
            start(ready, attempt, worker);
        }
    }

    @Override
    public void succeeded(int attempt, Object result, String worker) {
        finishRemote(attempt, result, null, worker);
    }

    @Override
    public void failed(int attempt, Throwable error, String worker) {
        finishRemote(attempt, null, error, worker);
    }

    /** Ends attempt {@code attempt} as reported from elsewhere, if it is still the current one. */
    private void finishRemote(int attempt, Object result, Throwable error, String worker) {
        started(attempt, worker);
        // another thread of the executor may be delivering this attempt's STARTED
        while (state == stateOf(attempt, ANNOUNCING)) {
            Thread.onSpinWait();
        }
        if (STATE.compareAndSet(this, stateOf(attempt, RUNNING), stateOf(attempt, FINISHING))) {
            attemptEnded(attempt, result, error, worker);
        }
    }

    // ---------------------------------------------------------------- identity and options

    @Override
    public long id() {
        return id;
    }

    @Override
    public String name() {
        return options.name != null ? options.name : TaskNames.of(function, shape);
    }

    @Override
    public int attempt() {
        return Math.max(1, attemptOf(state));
    }

    @Override
    public Resources resources() {
        return options.resources;
    }

    @Override
    public int priority() {
        return options.priority;
    }

    TaskExecutor executor() {
        return options.executor(flow, function);
    }

    @Override
    public long flowId() {
        return flow.id();
    }

    /** Starts keeping the times of the task's steps for listeners; called once, at submission. */
    void submittedAt(long epochNanos) {
        steps = new StepTimes(epochNanos);
    }

    /** The times of its steps; {@link StepTimes#NONE} in a flow without listeners. */
    private StepTimes steps() {
        StepTimes times = steps;
        return times != null ? times : StepTimes.NONE;
    }

    @Override
    public long submittedNanos() {
        return steps().submittedNanos;
    }

    @Override
    public long readyNanos() {
        return steps().readyNanos;
    }

    @Override
    public long startedNanos() {
        return steps().startedNanos;
    }

    @Override
    public String worker() {
        return steps().worker;
    }

    @Override
    public boolean ended() {
        return phase(state) == DONE;
    }

    @Override
    public String executorLabel() {
        return executor().label();
    }

    /**
     * Ends a READY first attempt with an outcome the cache recorded, as if it had run on the cache's
     * worker; does nothing if a cancellation ended the task first.
     */
    void endFromCache(Object result, Throwable failure) {
        int s = state;
        if (phase(s) != READY || !STATE.compareAndSet(this, s, stateOf(1, DONE))) {
            return;
        }
        if (flow.listening) {
            long now = flow.nowEpochNanos();
            steps.startedNanos = now;
            steps.worker = TaskCache.WORKER;
            flow.emit(TaskEvent.Kind.STARTED, this, 1, TaskCache.WORKER, null, now);
        }
        if (failure == null) {
            end(result, null, null, TaskCache.WORKER);
        } else {
            endFailed(failure, TaskCache.WORKER);
        }
        propagate(this);
    }

    /**
     * What identifies the arguments of a READY task: per argument, the task it came from (whose key or
     * value the cache uses) or, for {@code map}, the plain input; null if a cancellation dropped them.
     */
    Object[] argumentsForKey() {
        Object in = inputs;
        if ((shape & RAW_INPUTS) != 0) {
            return new Object[] {in};
        }
        if (in == null) {
            return Invocation.arity(function) == 0 ? new Object[0] : null;
        }
        return in instanceof Object[] array ? array.clone() : new Object[] {in};
    }

    TaskOptions options() {
        return options;
    }

    /**
     * The value of this ended task, for fingerprinting it as another task's argument: a {@link RemoteValue} if
     * its result is kept elsewhere (never fetched for that).
     */
    Object valueForKey() {
        return value;
    }

    /**
     * The result if the task succeeded and its future holds it now, else null; never fetches a result kept
     * elsewhere (for checks at submission).
     */
    Object resultIfKnown() {
        return super.isDone() && !super.isCompletedExceptionally() ? super.getNow(null) : null;
    }

    @Override
    public long[] dependencyIds() {
        Object in = inputs;
        if (in == null || (shape & RAW_INPUTS) != 0) {
            return NO_DEPENDENCIES;
        }
        if (!(in instanceof Object[] array)) {
            return new long[] {((TaskNode<?>) in).id};
        }
        long[] ids = new long[array.length];
        for (int i = 0; i < array.length; i++) {
            ids[i] = ((TaskNode<?>) array[i]).id;
        }
        return ids;
    }

    FlowRuntime flow() {
        return flow;
    }

    /** The task whose function runs on the calling thread (the innermost one), or null. */
    static TaskNode<?> current() {
        ReadyTask onWorker = ThreadExecutor.currentTask();
        if (onWorker != null) {
            return onWorker instanceof TaskNode<?> node ? node : null;
        }
        return tasksRunOnOtherThreads ? RUNNING_ON_OTHER_THREADS.get() : null;
    }

    // ---------------------------------------------------------------- waiting: help instead of blocking a worker

    /** Ended, with its future completed or its result kept elsewhere (fetched when read). */
    @Override
    public boolean isDone() {
        return super.isDone() || (valueAccess & KEPT_REMOTE) != 0;
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            ThreadExecutor.awaitHelping(this::isDone, true);
        }
        observeInterruptibly();
        try {
            return super.get();
        } catch (CancellationException e) {
            throw ownCancellation(e);
        }
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        if (!isDone()) {
            ThreadExecutor.awaitHelping(this::isDone, true);
        }
        observeWithoutWaiting();
        try {
            return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (CancellationException e) {
            throw ownCancellation(e);
        }
    }

    @Override
    public T join() {
        if (!isDone()) {
            ThreadExecutor.awaitHelpingUninterruptibly(this::isDone);
        }
        observe();
        try {
            return super.join();
        } catch (CancellationException e) {
            throw ownCancellation(e);
        }
    }

    @Override
    public T getNow(T valueIfAbsent) {
        observe();
        try {
            return super.getNow(valueIfAbsent);
        } catch (CancellationException e) {
            throw ownCancellation(e);
        }
    }

    /**
     * Called before the future is read or chained on: if the task ended with its result kept elsewhere,
     * fetches it (blocking) and completes the future; if it has not ended, makes its end do so. A fetch that
     * fails completes the future with the {@link ResultUnavailableException}.
     *
     * @throws ResultUnavailableException only if the fetch was interrupted (nothing is kept then)
     */
    private void observe() {
        if (mustCompleteWithKept()) {
            completeWithFetched((RemoteValue) value);
        }
    }

    /**
     * Marks the future as read (OBSERVED); returns whether the task ended with a result kept elsewhere that
     * the caller must now fetch to complete the future (else the future is complete, or the task's end will
     * complete it).
     */
    private boolean mustCompleteWithKept() {
        if (super.isDone()) {
            return false;
        }
        // once OBSERVED is set the task's end fetches, so later readers skip the read-modify-write
        int access = valueAccess;
        return (access & KEPT_REMOTE) != 0
                || (access & OBSERVED) == 0 && ((int) VALUE_ACCESS.getAndBitwiseOr(this, OBSERVED) & KEPT_REMOTE) != 0;
    }

    /**
     * {@link #observe} for a wait with a deadline: a fetch that must happen runs on the flow's callback
     * threads (the future is completed when it ends), so that the caller's wait for the future keeps its
     * deadline and stays interruptible.
     */
    private void observeWithoutWaiting() {
        if (mustCompleteWithKept()) {
            RemoteValue remote = (RemoteValue) value;
            if (remote.isFetched()) {
                completeWithFetchedOrFailure(remote);
                return;
            }
            try {
                flow.callbackExecutor().execute(() -> {
                    completeWithFetchedOrFailure(remote);
                    Thread.interrupted();
                });
            } catch (RejectedExecutionException closed) {
                completeWithFetchedOrFailure(remote);
            }
        }
    }

    private void observeInterruptibly() throws InterruptedException {
        try {
            observe();
        } catch (ResultUnavailableException interrupted) {
            Thread.interrupted();
            throw (InterruptedException) new InterruptedException("interrupted while fetching the result of task "
                    + this).initCause(interrupted);
        }
    }

    private void completeWithFetched(RemoteValue remote) {
        Object fetched;
        try {
            fetched = remote.fetch();
        } catch (ResultUnavailableException e) {
            if (!remote.isFetched()) {
                throw e;
            }
            super.completeExceptionally(e);
            return;
        }
        @SuppressWarnings("unchecked")
        T result = (T) fetched;
        super.complete(result);
    }

    /**
     * The task's {@link TaskCancelledException}, which names it: newer JDKs (25) wrap a stored
     * cancellation in a new, anonymous {@link CancellationException} when reporting it.
     */
    private CancellationException ownCancellation(CancellationException thrown) {
        return failure instanceof TaskCancelledException own ? own : thrown;
    }

    // ---------------------------------------------------------------- stages chained on a task

    @Override
    public Executor defaultExecutor() {
        return flow.callbackExecutor();
    }

    /** Every stage chained on the task starts here: its result must be here when the task ends. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        observe();
        return new FlowStage<>(flow.callbackExecutor());
    }

    /** The task itself, whose result is fetched first if it was kept elsewhere (see {@link RemoteValue}). */
    @Override
    public CompletableFuture<T> toCompletableFuture() {
        observe();
        return this;
    }

    // ---------------------------------------------------------------- only the flow completes a task

    @Override
    public boolean complete(T value) {
        throw completedByFlow();
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw completedByFlow();
    }

    @Override
    public void obtrudeValue(T value) {
        throw completedByFlow();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw completedByFlow();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
        throw completedByFlow();
    }

    @Override
    public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
        throw completedByFlow();
    }

    @Override
    public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
        throw completedByFlow();
    }

    @Override
    public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
        throw completedByFlow();
    }

    private UnsupportedOperationException completedByFlow() {
        return new UnsupportedOperationException("task " + this + " is completed by its flow only;"
                + " use the task options (timeout, fallback) or cancel()");
    }

    @Override
    public String toString() {
        String[] phases = {"pending", "ready", "running", "interrupting", "finishing", "joining", "done", "announcing"};
        return "'" + name() + "' (#" + id + ", " + phases[phase(state)] + ")";
    }
}
