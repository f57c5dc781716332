package io.paraflow.exec;

import io.paraflow.internal.Threads;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The embedded default executor: a work-stealing pool of threads in this JVM, one slot per thread.
 *
 * <p>Implementation notes. Tasks run on a private {@link ForkJoinPool} (never the common pool) with one
 * thread per slot. A task blocked in a managed wait (waiting for a task, a stage or a group; on newer
 * JDKs also in the JDK's own synchronizers) lends its slot: the pool may start a spare thread meanwhile,
 * as fork-join pools do, and spare threads retire when idle. So slots bound the tasks that run, not the
 * tasks that wait. A multi-core task and its holders block unmanaged and keep their slots.
 * <ul>
 *   <li>Locality: a task made ready by a task that just finished on a worker ({@link #continueWith}) is
 *       kept in that worker's one-task continuation slot and runs next on the same thread, without a
 *       trip through the queues; further successors go to the worker's own deque, from which idle
 *       workers steal.</li>
 *   <li>Packing: a task that asks for k &gt; 1 cores, or for memory, passes the {@link SlotGate}; when
 *       admitted, k - 1 holder tasks occupy k - 1 other threads for as long as it runs, so running
 *       tasks never hold more cores than the pool has threads. If the pool stays a thread short of
 *       those k (a worker lent its slot and the pool did not replace it), the entries that started ask
 *       it for the missing thread ({@link Reservation}).</li>
 *   <li>Priorities: once any task with a non-zero priority arrives, every task that starts goes through
 *       one priority queue ({@link PriorityLane}), including tasks queued before, so the highest priority
 *       waiting runs first. Flows that never set a priority never pay for that queue.</li>
 *   <li>Lost wake-ups: JDK 17's pool does not wake an idle worker for a task queued while it counts every
 *       worker busy, trusting the busy ones to find the task when their current task ends. That count
 *       includes workers blocked in plain waits, and it misses a worker that is just going idle, so a
 *       task could wait behind a task that blocks for long (or that waits for it) while a thread idles.
 *       A stall guard thread, started with the first worker, looks every {@link #STALL_CHECK_NANOS} for
 *       queued tasks while a worker idles, and then queues an empty entry from outside: by then the pool
 *       counts that worker idle and wakes it, and it finds the stalled tasks too.</li>
 *   <li>Waiting inside a task: {@link #awaitHelping} first runs the tasks queued on the waiting worker's
 *       own deque (its subtasks), never tasks taken from elsewhere, which might wait for the waiting
 *       task in turn; then the wait blocks as a managed wait. A multi-core subtask's entries are run
 *       there too, so the waiting worker lends its thread to that reservation itself: the pool's
 *       compensation for a managed wait may only wake an idle worker instead of adding one, which
 *       leaves fewer threads than a reservation of every core needs.</li>
 * </ul>
 *
 * <p>Thread-safe. Created through {@link #create}; the flow that holds it closes it.
 */
public final class ThreadExecutor implements TaskExecutor {

    /** The most threads one executor can have (a limit of the JDK's fork-join pool). */
    public static final int MAX_THREADS = 32_767;

    /** Spare threads a pool may start while workers block in managed waits (the JDK's default). */
    private static final int MAX_SPARES = 256;

    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    /** How often the stall guard looks for queued tasks that no idle worker was woken for. */
    static final long STALL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String label;
    private final Resources capacity;
    private final ForkJoinPool pool;
    private final List<Worker> workers = new CopyOnWriteArrayList<>();
    private final SlotGate gate;
    private final PriorityLane lane;
    private volatile boolean prioritized;
    /** Started with the first worker, so that an executor that never ran a task has no thread to stop. */
    private Thread stallGuard;

    private ThreadExecutor(String label, int threads, long memoryBytes) {
        this.label = label;
        this.capacity = new Resources(threads, memoryBytes, 0);
        int poolId = POOL_IDS.incrementAndGet();
        AtomicInteger threadIds = new AtomicInteger();
        String namePrefix = "paraflow-" + label + "-" + poolId + "-";
        ForkJoinPool.ForkJoinWorkerThreadFactory factory = p -> {
            Worker w = new Worker(p, this, namePrefix + threadIds.getAndIncrement());
            workers.removeIf(retired -> !retired.isAlive());
            workers.add(w);
            startStallGuard(namePrefix + "stall-guard");
            return w;
        };
        // minimumRunnable = threads: a worker blocked in a managed wait always gets a spare (up to
        // MAX_SPARES), so waiting tasks never leave queued work without a thread
        this.pool = new ForkJoinPool(threads, factory, null, false, 0, threads + MAX_SPARES, threads, p -> true,
                30, TimeUnit.SECONDS);
        this.gate = new SlotGate(capacity, this::startAdmitted);
        this.lane = new PriorityLane();
    }

    /**
     * Creates a thread executor.
     *
     * @param label       the label tasks use to choose it
     * @param threads     number of worker threads, which is also its number of core slots; at least 1
     * @param memoryBytes memory it offers to tasks that state how much they need; at least 0
     * @throws IllegalArgumentException if an amount is out of range or the label is blank
     */
    public static ThreadExecutor create(String label, int threads, long memoryBytes) {
        Objects.requireNonNull(label, "label");
        if (label.isBlank()) {
            throw new IllegalArgumentException("executor label must not be blank");
        }
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        if (memoryBytes < 0) {
            throw new IllegalArgumentException("memory must not be negative, got " + memoryBytes);
        }
        return new ThreadExecutor(label, threads, memoryBytes);
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Resources capacity() {
        return capacity;
    }

    @Override
    public void execute(ReadyTask task) {
        dispatch(task, false);
    }

    @Override
    public void continueWith(ReadyTask task) {
        dispatch(task, true);
    }

    private void dispatch(ReadyTask task, boolean continuation) {
        Resources asked = task.resources();
        if (asked.cores() > 1 || asked.memoryBytes() > 0) {
            gate.offer(task);
        } else if (prioritized || task.priority() != 0) {
            prioritized = true;
            lane.offer(task);
            pool.execute(new Run(null, queueMark()));
        } else if (continuation && Thread.currentThread() instanceof Worker w && w.executor == this && w.next == null) {
            w.next = task;
        } else {
            pool.execute(new Run(task, queueMark()));
        }
    }

    /**
     * The task a pool entry runs: its own, until priorities are in use; from then on the best waiting one,
     * so that tasks queued before the first prioritized task do not overtake it.
     *
     * @param own the entry's task, or null if it is already in the lane
     */
    /** Counts an entry the calling thread queues: a worker of this executor numbers what it queues. */
    private int queueMark() {
        return Thread.currentThread() instanceof Worker w && w.executor == this ? ++w.queued : 0;
    }

    /** Whether entries run their own task (no priority in use), rather than the best one waiting. */
    boolean runsEntriesInOrder() {
        return !prioritized;
    }

    ReadyTask inPriorityOrder(ReadyTask own) {
        if (!prioritized) {
            return own;
        }
        if (own != null) {
            lane.offer(own);
        }
        return lane.poll();
    }

    /** Starts a task admitted by the gate with its reservation: the task itself plus k - 1 holders. */
    private void startAdmitted(ReadyTask task) {
        int holders = task.resources().cores() - 1;
        Reservation reservation = new Reservation(holders, pool);
        for (int i = 0; i < holders; i++) {
            pool.execute(new Hold(reservation, queueMark()));
        }
        pool.execute(new WideRun(task, reservation, gate, queueMark()));
    }

    private synchronized void startStallGuard(String name) {
        if (stallGuard == null && !pool.isShutdown()) {
            stallGuard = new Thread(this::wakeWorkersForStalledTasks, name);
            stallGuard.setDaemon(true);
            stallGuard.start();
        }
    }

    /**
     * The stall guard's loop, until the pool shuts down: while tasks are queued and a worker idles, queues
     * an empty entry from outside the pool, which wakes an idle worker; that worker then finds the queued
     * tasks too. One entry at a time, so a pool busy with a long queue gets at most one per check.
     */
    private void wakeWorkersForStalledTasks() {
        ForkJoinTask<?> wakeUp = null;
        while (!pool.isShutdown()) {
            LockSupport.parkNanos(this, STALL_CHECK_NANOS);
            if ((wakeUp == null || wakeUp.isDone()) && pool.getActiveThreadCount() < pool.getPoolSize()
                    && (pool.hasQueuedSubmissions() || pool.getQueuedTaskCount() > 0)) {
                wakeUp = new WakeUp();
                try {
                    pool.execute(wakeUp);
                } catch (RejectedExecutionException shutDown) {
                    return;
                }
            }
        }
    }

    /**
     * This executor's threads as a plain {@link java.util.concurrent.Executor}, for callbacks that are not
     * tasks: the {@code *Async} stages chained on a task run here instead of on the JDK's common pool.
     */
    public java.util.concurrent.Executor callbackExecutor() {
        return pool;
    }

    @Override
    public void interruptAll() {
        for (Worker w : workers) {
            if (Worker.INNERMOST.getVolatile(w) != null) {
                w.interrupt();
            }
        }
    }

    /**
     * Interrupts the attempt of {@code task} that runs on {@code thread}. If the thread is a worker that,
     * while {@code task} waits for another task, runs a nested task, the interrupt is held back until
     * that nested task returns, so that it reaches the task it is meant for and no other.
     */
    public static void interrupt(Thread thread, ReadyTask task) {
        if (thread instanceof Worker w) {
            w.interrupt(task);
        } else {
            thread.interrupt();
        }
    }

    /**
     * Shuts the pool down and waits until every worker thread it ever started, and its stall guard, have
     * terminated.
     */
    @Override
    public void close() {
        pool.shutdown();
        Thread guard;
        synchronized (this) {
            guard = stallGuard;
        }
        LockSupport.unpark(guard);
        Threads.joinUninterruptibly(guard);
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (Worker w : workers) {
            Threads.joinUninterruptibly(w);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The task whose body runs on the calling worker thread (the innermost one), or null. */
    public static ReadyTask currentTask() {
        return Thread.currentThread() instanceof Worker w && w.innermost instanceof ReadyTask task ? task : null;
    }

    /** The thread executor whose worker the calling thread is, or null. */
    public static ThreadExecutor currentExecutor() {
        return Thread.currentThread() instanceof Worker w ? w.executor : null;
    }

    /** Whether the calling thread is a worker of any thread executor (tasks run there). */
    public static boolean isWorkerThread() {
        return Thread.currentThread() instanceof Worker;
    }

    /**
     * Before a worker thread blocks waiting for {@code done}: runs the tasks it queued itself (the
     * subtasks of the waiting task, and stages it scheduled) until {@code done} holds or none is left,
     * so that recursive divide-and-conquer that blocks on its subtasks works on one thread. Never runs
     * tasks taken from elsewhere, which might wait for the waiting task in turn. Entries of a multi-core
     * subtask (the task or one of its holders) run here as well, after the entries set aside so far are
     * put back for other threads. Entries that pick a task from elsewhere (priority-ordered entries) or
     * were queued before the waiting task started are set aside and put back. The caller then blocks in
     * a managed wait, during which the pool may start a spare thread for the queued work. On any other
     * thread it returns at once.
     *
     * @param interruptible whether an interrupt ends the wait with {@link InterruptedException}; if not,
     *                      the interrupt status is kept and restored on return
     */
    public static void awaitHelping(BooleanSupplier done, boolean interruptible) throws InterruptedException {
        if (Thread.currentThread() instanceof Worker w) {
            w.helpUntil(done, interruptible);
        }
    }

    /**
     * {@link #awaitHelping(BooleanSupplier, boolean)} for waits that cannot be interrupted ({@code join}):
     * an interrupt is kept as the thread's status.
     */
    public static void awaitHelpingUninterruptibly(BooleanSupplier done) {
        try {
            awaitHelping(done, false);
        } catch (InterruptedException impossible) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ThreadExecutor[" + label + ", " + capacity + "]";
    }

    /**
     * A worker thread of the pool. The continuation slot and the nesting of tasks are touched only by the
     * thread itself; {@link #innermost} and the interrupt requests are how other threads reach the task
     * it runs.
     *
     * <p>Interrupting a task that waits while its worker runs a nested task must not hit the nested task.
     * Entering and leaving a nested task and interrupting a task happen under {@link #nesting}: an
     * interrupt for a task that is not innermost becomes a request, delivered when the task is innermost
     * again, and an interrupt that lands just before a nested task starts is turned back into a request
     * for the waiting task. Ordinary (outermost) tasks never take the lock: they publish
     * {@code innermost} with release stores, and an interrupter only targets a running task, whose
     * {@code innermost} it sees through the CAS that started it.
     */
    static final class Worker extends ForkJoinWorkerThread {
        static final VarHandle INNERMOST;

        static {
            try {
                INNERMOST = MethodHandles.lookup().findVarHandle(Worker.class, "innermost", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** What {@link #innermost} holds while a plain callback (not a task) runs nested in a wait. */
        private static final Object CALLBACK = new Object();

        final ThreadExecutor executor;
        /** The continuation slot: a task to run on this thread right after the current one. */
        ReadyTask next;
        /** How many entries this worker queued so far (wrapping); see {@link WorkerTask#runsNestedAfter}. */
        int queued;
        /** {@link #queued} when the innermost task started. */
        private int queuedBeforeInnermost;
        /**
         * The task whose body runs on this thread now (the innermost one when waits nest), {@link #CALLBACK}
         * while a callback runs nested, or null.
         */
        Object innermost;
        private final Object nesting = new Object();
        /** Tasks on this thread's nesting stack whose interrupt waits until they are innermost again. */
        private final Set<Object> interruptRequests = new HashSet<>();

        Worker(ForkJoinPool pool, ThreadExecutor executor, String name) {
            super(pool);
            this.executor = executor;
            setName(name);
            setDaemon(true);
        }

        /** Runs {@code task}, then whatever it left in the continuation slot, and so on. */
        void runChain(ReadyTask task) {
            ReadyTask current = task;
            while (current != null) {
                runOne(current);
                current = takeNext();
            }
        }

        ReadyTask takeNext() {
            ReadyTask queued = next;
            next = null;
            return queued;
        }

        /** Runs one task as this thread's innermost (nested in a wait, if one is in progress). */
        void runOne(ReadyTask task) {
            Object outer = innermost;
            int outerMark = queuedBeforeInnermost;
            queuedBeforeInnermost = queued;
            try {
                if (outer == null) {
                    INNERMOST.setRelease(this, task);
                    try {
                        task.run();
                    } finally {
                        INNERMOST.setRelease(this, null);
                    }
                } else {
                    runNested(task, outer, task::run);
                }
            } finally {
                queuedBeforeInnermost = outerMark;
            }
        }

        /**
         * Runs {@code body} nested in the wait of {@code waiting}, under {@link #nesting}'s rules: an
         * interrupt that landed just before is kept for the waiting task, as is any interrupt meant for
         * it while the nested body runs.
         */
        private void runNested(Object nested, Object waiting, Runnable body) {
            synchronized (nesting) {
                innermost = nested;
                if (Thread.interrupted()) {
                    interruptRequests.add(waiting);
                }
            }
            try {
                body.run();
            } finally {
                synchronized (nesting) {
                    innermost = waiting;
                    Thread.interrupted();
                    if (interruptRequests.remove(waiting)) {
                        interrupt();
                    }
                }
            }
        }

        /** Called by any thread: interrupts now if {@code task} is innermost, else when it is again. */
        void interrupt(ReadyTask task) {
            synchronized (nesting) {
                if (innermost == task) {
                    interrupt();
                } else {
                    interruptRequests.add(task);
                }
            }
        }

        void helpUntil(BooleanSupplier done, boolean interruptible) throws InterruptedException {
            Object waiting = innermost;
            int queuedBefore = queuedBeforeInnermost;
            boolean interrupted = false;
            List<ForkJoinTask<?>> setAside = new ArrayList<>(0);
            try {
                while (!done.getAsBoolean()) {
                    // checked before each nested task, whose run() would clear a flag meant for the waiting task
                    if (Thread.interrupted()) {
                        if (interruptible) {
                            throw new InterruptedException();
                        }
                        interrupted = true;
                    }
                    ReadyTask queued = takeNext();
                    if (queued != null) {
                        runChain(queued);
                        continue;
                    }
                    ForkJoinTask<?> local = WorkerTask.pollLocal();
                    if (local == null) {
                        return;
                    }
                    if (local instanceof WorkerTask entry && entry.runsNestedAfter(queuedBefore, executor)) {
                        if (entry.joinsReservation()) {
                            // it blocks until other threads take the reservation's other entries, which
                            // may be among those set aside
                            putBack(setAside);
                        }
                        entry.quietlyInvoke();
                    } else if (local instanceof WorkerTask) {
                        setAside.add(local);
                    } else {
                        runNested(CALLBACK, waiting, () -> WorkerTask.runCallback(local));
                    }
                }
            } finally {
                putBack(setAside);
                if (interrupted) {
                    interrupt();
                }
            }
        }

        /** Puts entries set aside back on this worker's deque, from which other workers (or a spare) take them. */
        private static void putBack(List<ForkJoinTask<?>> setAside) {
            for (ForkJoinTask<?> entry : setAside) {
                entry.fork();
            }
            setAside.clear();
        }
    }
}
