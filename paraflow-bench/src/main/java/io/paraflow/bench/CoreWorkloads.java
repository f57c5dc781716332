package io.paraflow.bench;

import io.paraflow.Flow;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;

import static io.paraflow.bench.Rounds.check;
import static io.paraflow.bench.Rounds.median;
import static io.paraflow.bench.Rounds.medianRates;
import static io.paraflow.bench.Rounds.verdict;

/**
 * Workload runner for the core's targets, each against its baseline in the same JVM and printed as a
 * table: the stencil efficiency by grain (target 3), the memory retained per unfinished task (target
 * 4), and a quick check of targets 1 and 2 without JMH (the JMH benchmarks are the reference for those).
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.CoreWorkloads [section...]}, sections
 * {@code throughput chain stencil memory}; all by default. Every run checks its results and stops with an
 * exception if one is wrong, so a fast but broken runtime cannot print a good number.
 */
public final class CoreWorkloads {

    private static final List<String> SECTIONS = List.of("throughput", "chain", "stencil", "memory");

    private static final int BATCH = 100_000;
    static final int WARMUP_ROUNDS = 10;
    static final int MEASURED_ROUNDS = 15;

    private static final int STENCIL_WIDTH = 2;
    private static final int STENCIL_STEPS = 1_000;
    private static final long[] GRAINS_MICROS = {1000, 500, 200, 100, 50, 20, 10, 5, 2, 1};
    /** Best of several runs: on a shared machine the fastest run is the one least disturbed by others. */
    private static final int STENCIL_REPETITIONS = 7;
    private static final int STENCIL_WARMUPS = 30;
    private static final long PARALLEL_CHECK_NANOS = 200_000_000;

    private static final int MEMORY_TASKS = 1_000_000;

    private final int threads = Runtime.getRuntime().availableProcessors();

    private CoreWorkloads() {
    }

    public static void main(String[] args) throws Exception {
        List<String> chosen = args.length == 0 ? SECTIONS : Arrays.asList(args);
        for (String section : chosen) {
            if (!SECTIONS.contains(section)) {
                throw new IllegalArgumentException("unknown section '" + section + "'; choose from " + SECTIONS);
            }
        }
        CoreWorkloads workloads = new CoreWorkloads();
        System.out.printf(Locale.ROOT, "Paraflow core workloads: %d threads (flow and baseline pool), %s %s%n",
                workloads.threads, System.getProperty("java.vm.name"), System.getProperty("java.version"));
        for (String section : chosen) {
            switch (section) {
                case "throughput" -> workloads.independentTasks();
                case "chain" -> workloads.chain();
                case "stencil" -> workloads.stencil();
                case "memory" -> workloads.memory();
                default -> throw new AssertionError(section);
            }
        }
    }

    // ---------------------------------------------------------------- targets 1 and 2, quick

    private void independentTasks() throws Exception {
        System.out.printf(Locale.ROOT, "%n[1] independent no-op tasks, batches of %,d from one thread"
                + " (median of %d rounds, taken in turns)%n", BATCH, MEASURED_ROUNDS);
        ForkJoinPool pool = new ForkJoinPool(threads);
        CompletableFuture<?>[] futures = new CompletableFuture<?>[BATCH];
        try (Flow flow = Flow.builder().threads(threads).build()) {
            double[] rates = medianRates(BATCH, WARMUP_ROUNDS, MEASURED_ROUNDS,
                    () -> IndependentTasks.paraflow(flow, BATCH),
                    () -> IndependentTasks.completableFutureAllOf(pool, futures),
                    () -> IndependentTasks.completableFutureLatch(pool, BATCH));
            double paraflow = rates[0];
            double allOf = rates[1];
            double latch = rates[2];
            double baseline = Math.max(allOf, latch);
            System.out.printf(Locale.ROOT, "  paraflow                      %,12.0f tasks/s%n", paraflow);
            System.out.printf(Locale.ROOT, "  CompletableFuture allOf       %,12.0f tasks/s%n", allOf);
            System.out.printf(Locale.ROOT, "  CompletableFuture latch       %,12.0f tasks/s%n", latch);
            verdict(paraflow >= 1_000_000 && paraflow >= 0.7 * baseline, String.format(Locale.ROOT,
                    "%.2f x the faster baseline (target >= 0.70 and >= 1,000,000 tasks/s)", paraflow / baseline));
        } finally {
            pool.shutdown();
        }
    }

    private void chain() throws Exception {
        System.out.printf(Locale.ROOT, "%n[2] chain of %,d dependent tasks (median of %d rounds, taken in turns)%n",
                BATCH, MEASURED_ROUNDS);
        ForkJoinPool pool = new ForkJoinPool(threads);
        try (Flow flow = Flow.builder().threads(threads).build()) {
            double[] rates = medianRates(BATCH, WARMUP_ROUNDS, MEASURED_ROUNDS,
                    () -> check(TaskChain.paraflow(flow, BATCH) == BATCH, "paraflow chain result"),
                    () -> check(TaskChain.completableFuture(pool, BATCH) == BATCH, "CompletableFuture chain result"));
            double paraflow = rates[0];
            double baseline = rates[1];
            System.out.printf(Locale.ROOT, "  paraflow                      %,12.0f tasks/s%n", paraflow);
            System.out.printf(Locale.ROOT, "  CompletableFuture thenApplyAsync %,7.0f tasks/s%n", baseline);
            verdict(paraflow >= 500_000, String.format(Locale.ROOT,
                    "%.2f x baseline (target >= 500,000 tasks/s)", paraflow / baseline));
        } finally {
            pool.shutdown();
        }
    }

    // ---------------------------------------------------------------- target 3

    private void stencil() throws InterruptedException {
        BusyWork busy = BusyWork.calibrate();
        System.out.printf(Locale.ROOT, "%n[3] stencil %d wide x %,d steps, each cell busy for g;"
                + " efficiency = (tasks x g / %d threads) / wall time, best of %d runs;"
                + " 'vs CF' = CF time / paraflow time%n",
                STENCIL_WIDTH, STENCIL_STEPS, threads, STENCIL_REPETITIONS);
        System.out.printf(Locale.ROOT, "  busy loop: %.3f iterations/ns; check of one grain on one thread:%n",
                busy.iterationsPerNano());
        for (long micros : GRAINS_MICROS) {
            System.out.printf(Locale.ROOT, "    g %5d us -> measured %8.2f us%n", micros, measuredGrainMicros(busy, micros));
        }
        printMachineCheck(busy);
        ForkJoinPool pool = new ForkJoinPool(threads);
        try (Flow flow = Flow.builder().threads(threads).build()) {
            Stencil warmup = new Stencil(STENCIL_WIDTH, STENCIL_STEPS, busy.iterationsFor(1_000));
            for (int i = 0; i < STENCIL_WARMUPS; i++) {
                warmup.paraflow(flow);
                warmup.completableFuture(pool);
            }
            System.out.printf(Locale.ROOT, "  %8s %12s %10s %12s %10s %8s%n",
                    "g (us)", "paraflow ms", "eff", "CF ms", "CF eff", "vs CF");
            long smallestAtHalf = -1;
            for (long micros : GRAINS_MICROS) {
                Stencil stencil = new Stencil(STENCIL_WIDTH, STENCIL_STEPS, busy.iterationsFor(micros * 1_000));
                long[] expected = stencil.sequential();
                double[] paraflowNanos = new double[STENCIL_REPETITIONS];
                double[] baselineNanos = new double[STENCIL_REPETITIONS];
                for (int r = 0; r < STENCIL_REPETITIONS; r++) {
                    long start = System.nanoTime();
                    long[] result = stencil.paraflow(flow);
                    paraflowNanos[r] = System.nanoTime() - start;
                    check(Arrays.equals(result, expected), "paraflow stencil result differs from the sequential one");
                    start = System.nanoTime();
                    result = stencil.completableFuture(pool);
                    baselineNanos[r] = System.nanoTime() - start;
                    check(Arrays.equals(result, expected), "CompletableFuture stencil result differs");
                }
                double idealNanos = stencil.tasks() * micros * 1_000.0 / threads;
                double paraflow = Arrays.stream(paraflowNanos).min().orElseThrow();
                double baseline = Arrays.stream(baselineNanos).min().orElseThrow();
                double efficiency = idealNanos / paraflow;
                if (efficiency >= 0.5) {
                    smallestAtHalf = micros;
                }
                System.out.printf(Locale.ROOT, "  %8d %12.2f %9.0f%% %12.2f %9.0f%% %8.2f%n", micros, paraflow / 1e6,
                        100 * efficiency, baseline / 1e6, 100 * idealNanos / baseline, baseline / paraflow);
            }
            printMachineCheck(busy);
            verdict(smallestAtHalf > 0 && smallestAtHalf <= 20, "smallest g with efficiency >= 50%: "
                    + (smallestAtHalf > 0 ? smallestAtHalf + " us" : "none") + " (target <= 20 us)");
        } finally {
            pool.shutdown();
        }
    }

    /** Mean time of one grain of {@code micros} on the calling thread, over enough grains to last about 50 ms. */
    private static double measuredGrainMicros(BusyWork busy, long micros) {
        long iterations = busy.iterationsFor(micros * 1_000);
        long grains = Math.max(10, 50_000 / micros);
        long sink = 0;
        long start = System.nanoTime();
        for (long i = 0; i < grains; i++) {
            sink += BusyWork.mix(i, iterations);
        }
        long elapsed = System.nanoTime() - start;
        BusyWork.keep(sink);
        return elapsed / 1e3 / grains;
    }

    private void printMachineCheck(BusyWork busy) throws InterruptedException {
        System.out.printf(Locale.ROOT, "  machine check: %d plain threads run the busy loop %.2f x faster than one"
                + " (below %d, other processes take CPU and efficiencies are understated)%n",
                threads, parallelSpeedup(busy), threads);
    }

    /**
     * How much faster {@link #threads} plain threads, each running the same busy work, get through it than
     * one thread: the parallelism this machine really offers right now, independent of any runtime.
     */
    private double parallelSpeedup(BusyWork busy) throws InterruptedException {
        long iterations = busy.iterationsFor(PARALLEL_CHECK_NANOS);
        long start = System.nanoTime();
        BusyWork.keep(BusyWork.mix(0, iterations));
        long alone = System.nanoTime() - start;
        Thread[] workers = new Thread[threads];
        start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            long seed = i;
            workers[i] = new Thread(() -> BusyWork.keep(BusyWork.mix(seed, iterations)));
            workers[i].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        long together = System.nanoTime() - start;
        return (double) threads * alone / together;
    }

    // ---------------------------------------------------------------- target 4

    private void memory() throws InterruptedException {
        System.out.printf(Locale.ROOT, "%n[4] heap retained per unfinished task, %,d tasks hanging from a blocked one%n",
                MEMORY_TASKS);
        System.out.printf(Locale.ROOT, "  %-8s %16s %16s%n", "shape", "paraflow B/task", "CF B/task");
        double worst = 0;
        for (RetainedMemory.Shape shape : RetainedMemory.Shape.values()) {
            double paraflow = RetainedMemory.paraflow(shape, MEMORY_TASKS);
            double baseline = RetainedMemory.completableFuture(shape, MEMORY_TASKS);
            worst = Math.max(worst, paraflow);
            System.out.printf(Locale.ROOT, "  %-8s %16.1f %16.1f%n", shape.name().toLowerCase(Locale.ROOT),
                    paraflow, baseline);
        }
        verdict(worst <= 200, String.format(Locale.ROOT, "at most %.1f bytes/task (target <= 200)", worst));
    }

    // ---------------------------------------------------------------- helpers
}
