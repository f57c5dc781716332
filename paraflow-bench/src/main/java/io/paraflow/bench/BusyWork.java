package io.paraflow.bench;

/**
 * Busy arithmetic standing in for a task's real work, so that a task of granularity g occupies its
 * thread for g without sleeping (a sleeping task frees the core and would flatter any scheduler).
 *
 * <p>The loop is a chain of dependent multiply-xorshift steps: the JIT can neither vectorize it nor
 * drop it, because each step needs the previous one and the result is returned. Calibrated once per
 * JVM by {@link #calibrate()}; immutable and thread-safe afterwards.
 */
final class BusyWork {

    private static final long CALIBRATION_NANOS = 10_000_000;
    private static final int CALIBRATION_ROUNDS = 25;

    private static volatile long sink;

    private final double iterationsPerNano;

    private BusyWork(double iterationsPerNano) {
        this.iterationsPerNano = iterationsPerNano;
    }

    /** A busy work whose speed is stated instead of measured; for tests, where durations do not matter. */
    static BusyWork uncalibrated(double iterationsPerNano) {
        return new BusyWork(iterationsPerNano);
    }

    /**
     * Measures how many iterations of {@link #mix} one thread runs per nanosecond. Warms the loop up first,
     * then keeps the fastest of several rounds: on a shared machine, slower rounds are interference.
     */
    static BusyWork calibrate() {
        long iterations = 1_000;
        long checksum = 0;
        long elapsed;
        do {
            iterations *= 2;
            long start = System.nanoTime();
            checksum += mix(iterations, iterations);
            elapsed = System.nanoTime() - start;
        } while (elapsed < CALIBRATION_NANOS);
        double best = 0;
        for (int round = 0; round < CALIBRATION_ROUNDS; round++) {
            long start = System.nanoTime();
            checksum += mix(round, iterations);
            best = Math.max(best, (double) iterations / (System.nanoTime() - start));
        }
        keep(checksum);
        return new BusyWork(best);
    }

    /** Iterations of {@link #mix} that take {@code nanos} on one thread. */
    long iterationsFor(long nanos) {
        return Math.max(1, Math.round(nanos * iterationsPerNano));
    }

    double iterationsPerNano() {
        return iterationsPerNano;
    }

    /** Runs {@code iterations} dependent steps from {@code seed}; deterministic, so results can be checked. */
    static long mix(long seed, long iterations) {
        long x = seed;
        for (long i = 0; i < iterations; i++) {
            x = x * 0x5DEECE66DL + 0xBL;
            x ^= x >>> 29;
        }
        return x;
    }

    /** Keeps a value alive so that the JIT cannot drop the work that produced it. */
    static void keep(long value) {
        sink ^= value;
    }
}
