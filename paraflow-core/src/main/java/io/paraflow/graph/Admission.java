package io.paraflow.graph;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts unfinished tasks and makes threads wait on that count: submitters while the bound is reached
 * (back-pressure, resuming at three quarters of the bound so they do not wake for every task), and
 * barriers until it is zero.
 *
 * <p>Why two counters: submitters and the workers that end tasks would otherwise fight over one cache
 * line for every task. Submissions count on {@code submitted}; ends count on a {@link LongAdder}, whose
 * per-thread cells keep workers apart. The sum is read only when it matters: a submitter reads it once
 * its cached lower bound of ended tasks says the bound may be reached, and an ending task reads it only
 * while a thread waits.
 */
final class Admission {
    private final long bound;
    private final long resumeAt;
    private final AtomicLong submitted = new AtomicLong();
    private final LongAdder ended = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roomFreed = lock.newCondition();
    private final Condition allEnded = lock.newCondition();
    private volatile int submittersWaiting;
    private volatile int barriersWaiting;
    /** A lower bound of {@code ended}, refreshed when the bound may be reached; a benign race. */
    private volatile long endedAtLeast;

    Admission(long bound) {
        this.bound = bound;
        this.resumeAt = bound * 3 / 4;
    }

    /**
     * Counts one more task; first waits for room if {@code mayWait} and the bound is reached. The check
     * and the count are one CAS on {@code submitted}, so concurrent submitters never pass the bound
     * together; ends only grow, so a stale lower bound of them errs on the side of checking again.
     */
    void enter(boolean mayWait) throws InterruptedException {
        while (true) {
            long current = submitted.get();
            if (mayWait && current - endedAtLeast >= bound) {
                long endedNow = ended.sum();
                endedAtLeast = endedNow;
                if (current - endedNow >= bound) {
                    awaitRoom();
                    continue;
                }
            }
            if (submitted.compareAndSet(current, current + 1)) {
                return;
            }
        }
    }

    void exit() {
        ended.increment();
        if (submittersWaiting > 0 || barriersWaiting > 0) {
            long now = unfinished();
            if (now == 0 && barriersWaiting > 0) {
                signal(allEnded);
            }
            if (now <= resumeAt && submittersWaiting > 0) {
                signal(roomFreed);
            }
        }
    }

    private void signal(Condition condition) {
        lock.lock();
        try {
            condition.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Back-pressure: waits until at most three quarters of the bound are unfinished. */
    private void awaitRoom() throws InterruptedException {
        lock.lock();
        try {
            submittersWaiting++;
            while (unfinished() > resumeAt) {
                roomFreed.await();
            }
        } finally {
            submittersWaiting--;
            lock.unlock();
        }
    }

    /** Barrier: waits until no task is unfinished. */
    void awaitAllEnded() throws InterruptedException {
        lock.lock();
        try {
            barriersWaiting++;
            while (unfinished() > 0) {
                allEnded.await();
            }
        } finally {
            barriersWaiting--;
            lock.unlock();
        }
    }

    /** Submitted minus ended; exact when no task is being submitted or ended concurrently. */
    long unfinished() {
        long endedNow = ended.sum();
        return submitted.get() - endedNow;
    }

    long bound() {
        return bound;
    }
}
