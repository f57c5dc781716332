package io.paraflow.exec;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The threads held for one multi-core task: the task's entry and its k - 1 holders wait until all k
 * occupy their threads, then the task runs and the holders wait until it ends. A monitor suffices: this
 * runs once per multi-core task, never on the path of ordinary tasks.
 *
 * <p>The k entries need k threads at once. While a worker of the pool lends its slot in a managed wait
 * (a task waiting for a task), JDK 17's pool may compensate by waking an idle worker rather than adding
 * one, which leaves it one thread short for good: the entries that did start would wait for ever for
 * one still queued. An entry that has waited {@link #STALL_MILLIS} while the pool counts fewer active
 * threads than its parallelism blocks in a managed wait itself, so that the pool starts a thread for the
 * missing entry; at most one such entry per missing entry, and only when the pool is short, so a
 * reservation waiting for a busy worker to finish its task never gets a thread beyond the slots.
 */
final class Reservation implements ForkJoinPool.ManagedBlocker {
    private static final long STALL_MILLIS = TimeUnit.NANOSECONDS.toMillis(ThreadExecutor.STALL_CHECK_NANOS);

    private final ForkJoinPool pool;
    /** Entries (holders and the task's own) not yet on their threads. */
    private int entriesMissing;
    /** Entries waiting in a managed wait, each of which lets the pool start a thread. */
    private int compensating;
    private boolean released;

    Reservation(int holders, ForkJoinPool pool) {
        this.entriesMissing = holders + 1;
        this.pool = pool;
    }

    /** Called by a holder: occupies the calling thread until the task ends. */
    void hold() {
        boolean interrupted = arriveAndAwaitEveryEntry();
        interrupted |= awaitUninterruptibly(() -> released);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Called by the task's entry: returns when the holders occupy their threads (a plain wait: this slot is held). */
    void awaitHolders() {
        if (arriveAndAwaitEveryEntry()) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void release() {
        released = true;
        notifyAll();
    }

    /** @return whether the calling thread was interrupted meanwhile (the status is cleared) */
    private boolean arriveAndAwaitEveryEntry() {
        boolean interrupted = false;
        boolean compensate = false;
        synchronized (this) {
            entriesMissing--;
            notifyAll();
            while (entriesMissing > 0 && !compensate) {
                try {
                    wait(STALL_MILLIS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (entriesMissing > 0 && compensating < entriesMissing
                        && pool.getActiveThreadCount() < pool.getParallelism()) {
                    compensating++;
                    compensate = true;
                }
            }
        }
        if (compensate) {
            try {
                ForkJoinPool.managedBlock(this);
            } catch (InterruptedException impossible) {
                interrupted = true;
            }
            synchronized (this) {
                compensating--;
            }
        }
        return interrupted | Thread.interrupted();
    }

    @Override
    public synchronized boolean isReleasable() {
        return entriesMissing == 0;
    }

    /** The managed wait: until every entry is on its thread; an interrupt is kept as the thread's status. */
    @Override
    public boolean block() {
        if (awaitUninterruptibly(() -> entriesMissing == 0)) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /**
     * Waits on this monitor until {@code done} (read under it) holds, through interrupts; returns whether
     * there was one (the status is cleared).
     */
    private synchronized boolean awaitUninterruptibly(BooleanSupplier done) {
        boolean interrupted = false;
        while (!done.getAsBoolean()) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
