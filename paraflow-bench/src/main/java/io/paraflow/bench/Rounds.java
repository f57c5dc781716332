package io.paraflow.bench;

import java.util.Arrays;

/**
 * Timing for the workload runners: rounds of work warmed up, then measured in turns so that a burst of
 * load from other processes hits every variant alike, summarised by the median. Also the runners'
 * verdict line and result check, so every runner prints and fails the same way.
 */
final class Rounds {

    /** One measured round of a variant. */
    @FunctionalInterface
    interface Round {
        void run() throws Exception;
    }

    private Rounds() {
    }

    /**
     * Runs each round {@code warmups} times, then all of them in turns {@code measured} times; returns
     * each one's median time in nanoseconds.
     */
    static double[] medianNanos(int warmups, int measured, Round... rounds) throws Exception {
        for (Round round : rounds) {
            for (int i = 0; i < warmups; i++) {
                round.run();
            }
        }
        double[][] nanos = new double[rounds.length][measured];
        for (int i = 0; i < measured; i++) {
            for (int r = 0; r < rounds.length; r++) {
                long start = System.nanoTime();
                rounds[r].run();
                nanos[r][i] = System.nanoTime() - start;
            }
        }
        double[] medians = new double[rounds.length];
        for (int r = 0; r < rounds.length; r++) {
            medians[r] = median(nanos[r]);
        }
        return medians;
    }

    /** {@link #medianNanos} as rates: {@code operationsPerRound} per median time, in operations per second. */
    static double[] medianRates(long operationsPerRound, int warmups, int measured, Round... rounds) throws Exception {
        double[] nanos = medianNanos(warmups, measured, rounds);
        double[] rates = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            rates[i] = operationsPerRound * 1e9 / nanos[i];
        }
        return rates;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** Prints a target's verdict line. */
    static void verdict(boolean met, String detail) {
        System.out.println("  => " + (met ? "PASS" : "FAIL") + ": " + detail);
    }

    /** Stops the runner if a workload computed a wrong result. */
    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }
}
