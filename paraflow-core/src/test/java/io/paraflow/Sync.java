package io.paraflow;

import io.paraflow.fn.Fn0;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.fail;

/**
 * Sequencing helpers for the behavioural tests. Every wait here is a hang guard only: it is generous
 * (far longer than any test needs), and running into it fails the test instead of hanging the build.
 * No test measures speed with these.
 */
final class Sync {
    /** Upper bound for any single test body (assertTimeoutPreemptively). */
    static final Duration GUARD = Duration.ofSeconds(60);
    /**
     * Bound of every single wait here. Task code may pass it to a timed wait ({@code get(WAIT_SECONDS,
     * SECONDS)}) where an untimed one would hang forever if the behaviour under test broke: the task then
     * fails and frees its thread, so the test fails without leaking the flow's threads.
     */
    static final long WAIT_SECONDS = 30;

    private Sync() {
    }

    /** Waits for {@code latch} to open; fails the test if it does not open within the hang guard. */
    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                fail("latch did not open within the hang guard; count still " + latch.getCount());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for a latch", e);
        }
    }

    /**
     * Waits until {@code thread} is parked (waiting or blocked) or has terminated. A thread that only
     * calls one blocking method reaches this state exactly when that method blocks (or returned): the
     * caller then checks which of the two happened.
     */
    static void awaitParkedOrTerminated(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.BLOCKED || state == Thread.State.TERMINATED) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("thread " + thread.getName() + " neither blocked nor ended; state " + state);
            }
            Thread.onSpinWait();
        }
    }

    /** Joins a helper thread started by a test, within the hang guard. */
    static void join(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while joining " + thread.getName(), e);
        }
        if (thread.isAlive()) {
            fail("helper thread " + thread.getName() + " did not end within the hang guard");
        }
    }

    /** Blocks the calling task until {@code latch} opens (interruptibly, as task code would). */
    /**
     * A task body that opens {@code started}, blocks until it is interrupted, then opens
     * {@code interrupted} and rethrows; it never returns a value (the hang guard fails it instead).
     */
    static <T> Fn0<T> blockUntilInterrupted(CountDownLatch started, CountDownLatch interrupted) {
        return () -> {
            started.countDown();
            try {
                block(new CountDownLatch(1));
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            throw new IllegalStateException("blockUntilInterrupted ends only by an interrupt");
        };
    }

    /**
     * Blocks a task body until {@code latch} opens, as a task that is busy: it polls with short parks
     * instead of a managed wait, which on newer JDKs would let the pool start a spare thread and run
     * queued tasks meanwhile; the tests that block a one-thread flow need it to stay busy.
     */
    static void block(CountDownLatch latch) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (latch.getCount() > 0) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("test latch never opened");
            }
            LockSupport.parkNanos(50_000);
        }
    }
}
