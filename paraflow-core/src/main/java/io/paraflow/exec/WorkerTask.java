package io.paraflow.exec;

import java.util.concurrent.ForkJoinTask;

/**
 * Base of the pool entries of {@link ThreadExecutor}. Each entry runs its work through
 * {@link ThreadExecutor.Worker#runChain}, which also drains the continuation slot.
 */
abstract class WorkerTask extends ForkJoinTask<Void> {
    private static final long serialVersionUID = 1L;
    /** When a worker queued it, that worker's count of queued entries after it; 0 from other threads. */
    private final int queuedAs;

    WorkerTask(int queuedAs) {
        this.queuedAs = queuedAs;
    }

    /**
     * Whether a worker waiting for a task that started when the worker had queued {@code queuedBefore}
     * entries may run this entry nested in its wait: only if queued since the waiting task started (its
     * subtasks), so not an entry left by an earlier task, which may be waiting for the waiting task.
     */
    boolean runsNestedAfter(int queuedBefore, ThreadExecutor executor) {
        return queuedAs - queuedBefore > 0;
    }

    /**
     * Whether running this entry blocks until other threads run the other entries of a multi-core
     * task's reservation: a waiting worker that runs it must first give back what it set aside.
     */
    boolean joinsReservation() {
        return false;
    }

    @Override
    public final Void getRawResult() {
        return null;
    }

    @Override
    protected final void setRawResult(Void value) {
    }

    /** Takes the newest entry the calling worker queued itself, if any, without running it. */
    static ForkJoinTask<?> pollLocal() {
        return pollNextLocalTask();
    }

    /**
     * Runs a plain callback entry taken from the queue (an {@code *Async} stage). The JDK's stage entries
     * report "not done" from {@code exec()} (their future completes them), so invoking them like tasks
     * would wait for ever; they are {@link Runnable}, and are run and marked done directly.
     */
    static void runCallback(ForkJoinTask<?> callback) {
        if (callback instanceof Runnable runnable) {
            runnable.run();
            callback.quietlyComplete();
        } else {
            callback.quietlyInvoke();
        }
    }

    /** The worker running this entry (entries only run on their pool's workers). */
    static ThreadExecutor.Worker worker() {
        return (ThreadExecutor.Worker) Thread.currentThread();
    }
}

/** The pool entry of an ordinary task; once priorities are in use, it runs the best waiting task instead. */
final class Run extends WorkerTask {
    private static final long serialVersionUID = 1L;
    private final transient ReadyTask task;

    /** @param task the task, or null if it waits in the executor's priority lane */
    Run(ReadyTask task, int queuedAs) {
        super(queuedAs);
        this.task = task;
    }

    /** Only its own task, not the best waiting task of the executor once priorities are in use. */
    @Override
    boolean runsNestedAfter(int queuedBefore, ThreadExecutor executor) {
        return task != null && executor.runsEntriesInOrder() && super.runsNestedAfter(queuedBefore, executor);
    }

    @Override
    protected boolean exec() {
        ThreadExecutor.Worker worker = worker();
        ReadyTask next = worker.executor.inPriorityOrder(task);
        if (next != null) {
            worker.runChain(next);
        }
        return true;
    }
}

/**
 * The pool entry of a task admitted by the gate: waits for its holders, runs, releases them and the gate,
 * then runs what the task left in the continuation slot.
 */
final class WideRun extends WorkerTask {
    private static final long serialVersionUID = 1L;
    private final transient ReadyTask task;
    private final transient Reservation reservation;
    private final transient SlotGate gate;

    WideRun(ReadyTask task, Reservation reservation, SlotGate gate, int queuedAs) {
        super(queuedAs);
        this.task = task;
        this.reservation = reservation;
        this.gate = gate;
    }

    @Override
    boolean joinsReservation() {
        return true;
    }

    @Override
    protected boolean exec() {
        ThreadExecutor.Worker worker = worker();
        try {
            reservation.awaitHolders();
            worker.runOne(task);
        } finally {
            reservation.release();
            gate.release(task);
        }
        // successors it made ready run after the reservation is given back
        worker.runChain(worker.takeNext());
        return true;
    }
}

/** Occupies one thread for the duration of a multi-core task's reservation. */
final class Hold extends WorkerTask {
    private static final long serialVersionUID = 1L;
    private final transient Reservation reservation;

    Hold(Reservation reservation, int queuedAs) {
        super(queuedAs);
        this.reservation = reservation;
    }

    @Override
    boolean joinsReservation() {
        return true;
    }

    @Override
    protected boolean exec() {
        reservation.hold();
        return true;
    }
}

/** An entry that does nothing: queued from outside the pool, it makes the pool wake an idle worker. */
final class WakeUp extends WorkerTask {
    private static final long serialVersionUID = 1L;

    WakeUp() {
        super(0);
    }

    @Override
    protected boolean exec() {
        return true;
    }
}
