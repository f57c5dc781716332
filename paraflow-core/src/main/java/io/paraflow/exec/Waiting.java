package io.paraflow.exec;

import java.util.concurrent.locks.LockSupport;

/** How a worker that waits and has nothing of its own to run spends an idle round. */
final class Waiting {
    private static final long MAX_IDLE_PARK_NANOS = 200_000;

    private Waiting() {
    }

    /** One idle round of a helping worker: spin briefly, then park a little longer each round, up to a bound. */
    static void idle(int round) {
        if (round < 64) {
            Thread.onSpinWait();
        } else {
            LockSupport.parkNanos(Math.min(1L << Math.min(round - 54, 20), MAX_IDLE_PARK_NANOS));
        }
    }
}
