package io.paraflow.bench;

import io.paraflow.pattern.internal.Run;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.paraflow.bench.Rounds.medianNanos;
import static io.paraflow.bench.Rounds.medianRates;
import static io.paraflow.bench.Rounds.verdict;

/**
 * Workload runner for the patterns' targets, each against platform threads connected by
 * {@link java.util.concurrent.ArrayBlockingQueue}s doing the same work in the same run, printed as tables.
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.PatternWorkloads [section...]}, sections
 * {@code pipeline farm collector grain ordered a2a}; all by default. Rounds of the pattern and of the baseline are
 * taken in turns after warm-up, and the median is reported; every round checks the sum of what reached
 * the sink and stops with an exception if it is wrong.
 */
public final class PatternWorkloads {

    private static final List<String> SECTIONS = List.of("pipeline", "farm", "collector", "grain", "ordered", "a2a");
    private static final long STREAM_ITEMS = 10_000_000;
    private static final int WARMUP_ROUNDS = 3;
    private static final int MEASURED_ROUNDS = 7;
    private static final long[] GRAINS_NANOS = {1_000, 10_000};
    /** Items per grain measurement: about 0.2 s of work for one thread. */
    private static final long GRAIN_WORK_NANOS = 200_000_000;

    private PatternWorkloads() {
    }

    public static void main(String[] args) throws Exception {
        List<String> chosen = args.length == 0 ? SECTIONS : Arrays.asList(args);
        for (String section : chosen) {
            if (!SECTIONS.contains(section)) {
                throw new IllegalArgumentException("unknown section '" + section + "'; choose from " + SECTIONS);
            }
        }
        System.out.printf(Locale.ROOT, "Paraflow pattern workloads: %d cores, %s %s; channels of %d items"
                        + " (median of %d rounds, taken in turns)%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), StreamWorkloads.CAPACITY,
                MEASURED_ROUNDS);
        for (String section : chosen) {
            switch (section) {
                case "pipeline" -> pipeline();
                case "farm" -> farm();
                case "collector" -> farmWithCollector();
                case "grain" -> grain();
                case "ordered" -> ordered();
                case "a2a" -> allToAll();
                default -> throw new AssertionError(section);
            }
        }
        System.out.printf(Locale.ROOT, "%nlost wake-ups turned into pauses (parks that ran into their limit): %d%n",
                Run.lateWakeUps());
    }

    private static void pipeline() throws Exception {
        System.out.printf(Locale.ROOT, "%n[1] pipeline: source -> stage -> summing sink, %,d items%n", STREAM_ITEMS);
        long expected = StreamWorkloads.expectedSum(STREAM_ITEMS);
        double[] rates = medianRates(STREAM_ITEMS, WARMUP_ROUNDS, MEASURED_ROUNDS,
                () -> check(StreamWorkloads.pipeline(STREAM_ITEMS), expected),
                () -> check(StreamWorkloads.queuePipeline(STREAM_ITEMS), expected));
        print("paraflow", rates[0]);
        print("ArrayBlockingQueue threads", rates[1]);
        verdict(rates[0] >= 20e6 && rates[0] >= 5 * rates[1], String.format(Locale.ROOT,
                "%.1f ns/item, %.2f x baseline (target >= 20 M items/s and >= 5 x)", 1e9 / rates[0], rates[0] / rates[1]));
    }

    private static void farm() throws Exception {
        againstBaseline("[2] farm: source -> 2 workers (trivial) -> summing sink taking from both (no collector node)",
                items -> StreamWorkloads.farm(items, 2, 0), items -> StreamWorkloads.queueFarm(items, 2, 0));
    }

    private static void farmWithCollector() throws Exception {
        againstBaseline("[2b] farm: source -> 2 workers (trivial) -> collector(...) node summing -> sink (baseline: the"
                        + " ArrayBlockingQueue farm of [2], whose collector thread sums)",
                items -> StreamWorkloads.farmWithCollector(items, 2), items -> StreamWorkloads.queueFarm(items, 2, 0));
    }

    private static void grain() throws Exception {
        BusyWork busy = BusyWork.calibrate();
        System.out.printf(Locale.ROOT, "%n[3] farm of 2 workers, each item busy for g; efficiency = sequential time /"
                + " (2 x farm time); busy loop %.3f iterations/ns%n", busy.iterationsPerNano());
        System.out.printf(Locale.ROOT, "  %8s %10s %14s %10s %14s %10s%n", "g (ns)", "items", "paraflow ms", "eff",
                "ABQ ms", "ABQ eff");
        boolean met = true;
        for (long grain : GRAINS_NANOS) {
            long iterations = busy.iterationsFor(grain);
            long items = GRAIN_WORK_NANOS / grain;
            long expected = StreamWorkloads.expectedSum(items);
            double[] nanos = medianNanos(WARMUP_ROUNDS, MEASURED_ROUNDS,
                    () -> check(StreamWorkloads.sequential(items, iterations), expected),
                    () -> check(StreamWorkloads.farm(items, 2, iterations), expected),
                    () -> check(StreamWorkloads.queueFarm(items, 2, iterations), expected));
            double efficiency = nanos[0] / (2 * nanos[1]);
            double baseline = nanos[0] / (2 * nanos[2]);
            met &= efficiency >= (grain >= 10_000 ? 0.9 : 0.6);
            System.out.printf(Locale.ROOT, "  %8d %,10d %14.2f %9.0f%% %14.2f %9.0f%%%n", grain, items, nanos[1] / 1e6,
                    100 * efficiency, nanos[2] / 1e6, 100 * baseline);
        }
        verdict(met, "target >= 90 % at 10 us and >= 60 % at 1 us");
    }

    private static void ordered() throws Exception {
        againstBaseline("[4a] ordered farm: source -> 2 workers (trivial) -> order-checking sink",
                items -> StreamWorkloads.orderedFarm(items, 2), items -> StreamWorkloads.queueOrderedFarm(items, 2));
    }

    private static void allToAll() throws Exception {
        againstBaseline("[4b] all-to-all 2 x 2 by key: source -> left -> right -> summing sink",
                StreamWorkloads::allToAllByKey, StreamWorkloads::queueAllToAllByKey);
    }

    /** A workload over {@code items} items that returns the sum of what reached its sink. */
    @FunctionalInterface
    private interface Workload {
        long run(long items) throws Exception;
    }

    /** Prints {@code title}, then the median rates of {@code pattern} and of {@code baseline}, taken in turns. */
    private static void againstBaseline(String title, Workload pattern, Workload baseline) throws Exception {
        System.out.printf(Locale.ROOT, "%n%s, %,d items%n", title, STREAM_ITEMS);
        long expected = StreamWorkloads.expectedSum(STREAM_ITEMS);
        double[] rates = medianRates(STREAM_ITEMS, WARMUP_ROUNDS, MEASURED_ROUNDS,
                () -> check(pattern.run(STREAM_ITEMS), expected),
                () -> check(baseline.run(STREAM_ITEMS), expected));
        print("paraflow", rates[0]);
        print("ArrayBlockingQueue threads", rates[1]);
        System.out.printf(Locale.ROOT, "  => %.2f x baseline%n", rates[0] / rates[1]);
    }

    private static void print(String what, double rate) {
        System.out.printf(Locale.ROOT, "  %-28s %,14.0f items/s %8.1f ns/item%n", what, rate, 1e9 / rate);
    }

    private static void check(long sum, long expected) {
        if (sum != expected) {
            throw new IllegalStateException("sum at the sink is " + sum + ", expected " + expected);
        }
    }
}
