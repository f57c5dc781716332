package io.paraflow.graph;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts unfinished tasks and makes threads wait on that count: submitters while the bound is reached
 * (back-pressure, resuming at three quarters of the bound so they do not wake for every task), and
 * barriers until it is zero. A task that ends touches the lock only when a waiter exists and the count
 * crosses a threshold a waiter can be waiting for.
 */
final class Admission {
    private final long bound;
    private final long resumeAt;
    private final AtomicLong unfinished = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile int waiters;

    Admission(long bound) {
        this.bound = bound;
        this.resumeAt = bound * 3 / 4;
    }

    /** Counts one more task; first waits for room if {@code mayWait} and the bound is reached. */
    void enter(boolean mayWait) throws InterruptedException {
        if (mayWait && unfinished.get() >= bound) {
            awaitAtMost(resumeAt);
        }
        unfinished.incrementAndGet();
    }

    void exit() {
        long now = unfinished.decrementAndGet();
        if ((now == resumeAt || now == 0) && waiters > 0) {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Waits until at most {@code target} tasks are unfinished; {@code target} is 0 or the resume threshold. */
    void awaitAtMost(long target) throws InterruptedException {
        lock.lock();
        try {
            waiters++;
            while (unfinished.get() > target) {
                changed.await();
            }
        } finally {
            waiters--;
            lock.unlock();
        }
    }

    long unfinished() {
        return unfinished.get();
    }

    long bound() {
        return bound;
    }
}
