package io.paraflow.bench;

import io.paraflow.cache.Checkpoints;
import io.paraflow.cache.FlushPolicy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import static io.paraflow.bench.Rounds.check;
import static io.paraflow.bench.Rounds.medianRates;
import static io.paraflow.bench.Rounds.verdict;

/**
 * Workload runner for memoization (issue 6): the per-task cost of caching on a 100,000-task workload
 * with the checkpoint store on local disk, against the same tasks without caching in the same run.
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.CacheWorkloads [directory]}; the store
 * lives in a fresh temporary directory (or under the one given: choose a local disk) and is deleted after.
 */
public final class CacheWorkloads {

    private static final int TASKS = 100_000;
    private static final int WARMUP_ROUNDS = 3;
    private static final int MEASURED_ROUNDS = 9;
    private static final double TARGET_MICROS = 20;

    private CacheWorkloads() {
    }

    public static void main(String[] args) throws Exception {
        Path parent = args.length > 0 ? Path.of(args[0]) : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(parent, "paraflow-cache-bench");
        int threads = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "Paraflow caching: %,d tasks per round, %d threads, store in %s, %s %s%n",
                TASKS, threads, dir, System.getProperty("java.vm.name"), System.getProperty("java.version"));
        List<Integer> inputs = CachedTasks.inputs(TASKS);
        long expected = CachedTasks.expected(TASKS);
        FlushPolicy periodic = FlushPolicy.periodic(Duration.ofSeconds(1));
        Path written = dir.resolve("written");
        Path resumed = dir.resolve("resumed");
        check(CachedTasks.run(CachedTasks.Variant.STORE, inputs, threads, resumed, periodic) == expected,
                "the store run that the resumed rounds read computed a wrong sum");
        try {
            double[] rates = medianRates(TASKS, WARMUP_ROUNDS, MEASURED_ROUNDS,
                    () -> check(CachedTasks.run(CachedTasks.Variant.PLAIN, inputs, threads, null, null) == expected, "plain sum"),
                    () -> check(CachedTasks.run(CachedTasks.Variant.MEMORY, inputs, threads, null, null) == expected, "memo sum"),
                    () -> {
                        // each round records every task into a fresh store: all misses
                        if (Files.exists(written.resolve("checkpoints.log"))) {
                            Checkpoints.clean(written);
                        }
                        check(CachedTasks.run(CachedTasks.Variant.STORE, inputs, threads, written, periodic) == expected,
                                "store sum");
                    },
                    () -> check(CachedTasks.run(CachedTasks.Variant.RESUME, inputs, threads, resumed, periodic) == expected,
                            "resumed sum"));
            String[] names = {"no caching (baseline)", "memoized in memory", "recorded into the store", "resumed from the store"};
            double plainMicros = 1e6 / rates[0];
            System.out.printf(Locale.ROOT, "  %-26s %12s %12s %14s %10s%n", "variant", "tasks/s", "us/task",
                    "overhead us", "x baseline");
            for (int i = 0; i < rates.length; i++) {
                double micros = 1e6 / rates[i];
                System.out.printf(Locale.ROOT, "  %-26s %,12.0f %12.2f %14.2f %10.2f%n", names[i], rates[i], micros,
                        micros - plainMicros, micros / plainMicros);
            }
            double overhead = 1e6 / rates[2] - plainMicros;
            verdict(overhead <= TARGET_MICROS, String.format(Locale.ROOT,
                    "recording costs %.2f us per task with the periodic flush (target <= %.0f us)", overhead, TARGET_MICROS));
            System.out.printf(Locale.ROOT, "  store size: %,d bytes for %,d tasks%n",
                    Files.size(written.resolve("checkpoints.log")), TASKS);
        } finally {
            for (Path store : List.of(written, resumed)) {
                if (Files.exists(store.resolve("checkpoints.log"))) {
                    Checkpoints.clean(store);
                }
                Files.deleteIfExists(store);
            }
            Files.deleteIfExists(dir);
        }
    }
}
