package io.paraflow.exec;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/** Waiting for a future to be done without consuming its outcome. */
final class Waiting {
    private static final long MAX_IDLE_PARK_NANOS = 200_000;

    private Waiting() {
    }

    /** A blocking wait for threads that cannot help run tasks. */
    static void await(Future<?> future, boolean interruptible) throws InterruptedException {
        boolean interrupted = false;
        while (!future.isDone()) {
            try {
                future.get(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                if (interruptible) {
                    throw e;
                }
                interrupted = true;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // only completion matters here; the caller reads the outcome
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** One idle round of a helping worker: spin briefly, then park a little longer each round, up to a bound. */
    static void idle(Future<?> future, int round) {
        if (round < 64) {
            Thread.onSpinWait();
        } else if (!future.isDone()) {
            LockSupport.parkNanos(Math.min(1L << Math.min(round - 54, 20), MAX_IDLE_PARK_NANOS));
        }
    }
}
