package io.paraflow.graph;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counts unfinished tasks and makes threads wait on that count: submitters while the bound is reached
 * (back-pressure, resuming at three quarters of the bound so they do not wake for every task), and
 * barriers until it is zero.
 *
 * <p>Why two counters, each on its own cache line: the submitting thread counts submissions and the
 * workers count ends, so the submitter never contends with the workers for a line; the workers share
 * theirs, as they would share a latch. A submitter reads the ends only when its cached lower bound of
 * them says the bound may be reached; an ending task reads the submissions only while a thread waits,
 * which is when the submitter is not writing them.
 */
final class Admission extends EndedCounter {
    private static final VarHandle SUBMITTED;
    private static final VarHandle ENDED;

    static {
        try {
            SUBMITTED = MethodHandles.lookup().findVarHandle(SubmittedCounter.class, "submitted", long.class);
            ENDED = MethodHandles.lookup().findVarHandle(EndedCounter.class, "ended", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long bound;
    private final long resumeAt;
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
     * Counts one more task and returns its number, which is also its id (values count too, and end at
     * once); first waits for room if {@code mayWait} and the bound is reached. The check and the count
     * are one CAS on {@code submitted}, so concurrent submitters never pass the bound together; ends
     * only grow, so a stale lower bound of them errs on the side of checking again.
     */
    long enter(boolean mayWait) throws InterruptedException {
        while (true) {
            long current = submitted;
            if (mayWait && current - endedAtLeast >= bound) {
                long endedNow = ended;
                endedAtLeast = endedNow;
                if (current - endedNow >= bound) {
                    awaitRoom();
                    continue;
                }
            }
            if (SUBMITTED.compareAndSet(this, current, current + 1)) {
                return current + 1;
            }
        }
    }

    void exit() {
        long endedNow = (long) ENDED.getAndAdd(this, 1L) + 1;
        if (submittersWaiting > 0 || barriersWaiting > 0) {
            long now = submitted - endedNow;
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
        long endedNow = ended;
        return submitted - endedNow;
    }

    long bound() {
        return bound;
    }
}

/**
 * Cache-line padding around the two counters (HotSpot lays out superclass fields first, so each counter
 * sits between 64-byte pads): the submitter writes one for every task and the workers the other, and
 * neither line holds anything else.
 */
abstract class PadBeforeSubmitted {
    long p00, p01, p02, p03, p04, p05, p06, p07;
}

abstract class SubmittedCounter extends PadBeforeSubmitted {
    /** Tasks (and values) counted so far; the last one's number. Written with CAS only. */
    volatile long submitted;
    long p10, p11, p12, p13, p14, p15, p16, p17;
}

abstract class EndedCounter extends SubmittedCounter {
    /** Tasks (and values) that ended. Written with atomic adds only. */
    volatile long ended;
    long p20, p21, p22, p23, p24, p25, p26, p27;
}
