package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.exec.process.ProcessExecutor;
import io.paraflow.fn.Fn0;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.SerializerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Workload runner for the worker-process targets, with the default serializer (Fory) and with Java
 * serialization on the same protocol, each against Python's {@code multiprocessing.Pool} doing the same in the
 * same run (only if {@code python3} is on the PATH; it says so otherwise):
 * <ul>
 *   <li>round trip: one no-op task at a time on a worker process, submit to result; median and p99;</li>
 *   <li>throughput: batches of no-op tasks on 2 worker processes; median of the rounds.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.ProcessWorkloads [roundtrip|throughput...]}.
 * Every task's result is checked, so a broken executor cannot print a good number.
 */
public final class ProcessWorkloads {

    private static final List<String> SECTIONS = List.of("roundtrip", "throughput");
    private static final int WORKERS = 2;
    private static final int ROUND_TRIP_WARMUP = 5_000;
    private static final int ROUND_TRIPS = 5_000;
    private static final int BATCH = 20_000;
    private static final int WARMUP_ROUNDS = 5;
    private static final int MEASURED_ROUNDS = 7;

    private static final Fn0<Integer> NO_OP = () -> 1;

    /** The default serializer first (the targets are judged on it), then Java serialization on the same protocol. */
    private static final List<Class<? extends SerializerFactory>> SERIALIZERS =
            List.of(ForySerializer.Factory.class, JavaSerializer.Factory.class);

    /** The baseline: the same two workloads with multiprocessing.Pool and a no-op function. */
    private static final String PYTHON = String.join("\n",
            "import multiprocessing, statistics, sys, time",
            "def noop():",
            "    return 1",
            "if __name__ == '__main__':",
            "    section, workers, warm, n, batch, rounds = sys.argv[1], *map(int, sys.argv[2:7])",
            "    with multiprocessing.Pool(workers) as pool:",
            "        if section == 'roundtrip':",
            "            for _ in range(warm):",
            "                assert pool.apply_async(noop).get() == 1",
            "            times = []",
            "            for _ in range(n):",
            "                t = time.perf_counter_ns()",
            "                assert pool.apply_async(noop).get() == 1",
            "                times.append(time.perf_counter_ns() - t)",
            "            times.sort()",
            "            print(times[len(times) // 2] / 1000, times[int(len(times) * 0.99)] / 1000)",
            "        else:",
            "            rates = []",
            "            for r in range(rounds):",
            "                t = time.perf_counter()",
            "                results = [pool.apply_async(noop) for _ in range(batch)]",
            "                assert sum(x.get() for x in results) == batch",
            "                rates.append(batch / (time.perf_counter() - t))",
            "            print(statistics.median(rates[len(rates) // 2:]))");

    private ProcessWorkloads() {
    }

    public static void main(String[] args) throws Exception {
        List<String> chosen = args.length == 0 ? SECTIONS : Arrays.asList(args);
        for (String section : chosen) {
            if (!SECTIONS.contains(section)) {
                throw new IllegalArgumentException("unknown section '" + section + "'; choose from " + SECTIONS);
            }
        }
        System.out.printf(Locale.ROOT, "Paraflow worker-process workloads: %d workers, %s %s; baseline %s%n", WORKERS,
                System.getProperty("java.vm.name"), System.getProperty("java.version"), python("--version"));
        for (String section : chosen) {
            if (section.equals("roundtrip")) {
                roundTrip();
            } else {
                throughput();
            }
        }
    }

    /** A flow whose "isolated" executor has 2 workers and the serializer made by {@code serializer}. */
    static Flow flow(Class<? extends SerializerFactory> serializer) {
        return Flow.builder().threads(WORKERS)
                .executor(ProcessExecutor.builder().label("isolated").workers(WORKERS).serializer(serializer).build()).build();
    }

    /** Submits {@code count} no-op tasks one after the other; returns each round trip in nanoseconds. */
    static long[] roundTrips(Flow flow, int count) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            Integer one = flow.task("no-op").on("isolated").submit(NO_OP).get();
            nanos[i] = System.nanoTime() - start;
            if (one != 1) {
                throw new IllegalStateException("a no-op task returned " + one);
            }
        }
        Arrays.sort(nanos);
        return nanos;
    }

    /** Submits {@code count} no-op tasks, then waits for all; checks every result. */
    static void batch(Flow flow, int count) throws Exception {
        @SuppressWarnings("unchecked")
        Task<Integer>[] tasks = new Task[count];
        for (int i = 0; i < count; i++) {
            tasks[i] = flow.task("no-op").on("isolated").submit(NO_OP);
        }
        int sum = 0;
        for (Task<Integer> task : tasks) {
            sum += task.get();
        }
        if (sum != count) {
            throw new IllegalStateException("no-op tasks summed to " + sum + " instead of " + count);
        }
    }

    private static void roundTrip() throws Exception {
        System.out.printf(Locale.ROOT, "%n[1] round trip of a no-op task, submit to result, one at a time"
                + " (%,d after %,d warm-up)%n", ROUND_TRIPS, ROUND_TRIP_WARMUP);
        double[] medians = new double[SERIALIZERS.size()];
        for (int i = 0; i < medians.length; i++) {
            Class<? extends SerializerFactory> serializer = SERIALIZERS.get(i);
            long[] nanos;
            try (Flow flow = flow(serializer)) {
                roundTrips(flow, ROUND_TRIP_WARMUP);
                nanos = roundTrips(flow, ROUND_TRIPS);
            }
            medians[i] = nanos[nanos.length / 2] / 1e3;
            double p99 = nanos[(int) (nanos.length * 0.99)] / 1e3;
            System.out.printf(Locale.ROOT, "  %-30s median %8.1f µs   p99 %8.1f µs%n", name(serializer), medians[i], p99);
        }
        double median = medians[0];
        System.out.printf(Locale.ROOT, "  ratio (Java / Fory, median)    %.2f%n", medians[1] / median);
        String python = python("-c", PYTHON, "roundtrip", "" + WORKERS, "" + ROUND_TRIP_WARMUP, "" + ROUND_TRIPS, "0", "0");
        if (python != null) {
            String[] parts = python.split(" ");
            double pythonMedian = Double.parseDouble(parts[0]);
            System.out.printf(Locale.ROOT, "  python multiprocessing.Pool     median %8.1f µs   p99 %8.1f µs%n",
                    pythonMedian, Double.parseDouble(parts[1]));
            System.out.printf(Locale.ROOT, "  ratio (python / paraflow, median)  %.2f%n", pythonMedian / median);
        }
        System.out.printf(Locale.ROOT, "  target: median <= 200 µs: %s%n", median <= 200 ? "met" : "NOT met");
    }

    private static void throughput() throws Exception {
        System.out.printf(Locale.ROOT, "%n[2] throughput of no-op tasks on %d worker processes, batches of %,d"
                + " (median of %d rounds after %d warm-up)%n", WORKERS, BATCH, MEASURED_ROUNDS, WARMUP_ROUNDS);
        double[] medians = new double[SERIALIZERS.size()];
        for (int i = 0; i < medians.length; i++) {
            Class<? extends SerializerFactory> serializer = SERIALIZERS.get(i);
            double[] rates = new double[MEASURED_ROUNDS];
            try (Flow flow = flow(serializer)) {
                for (int round = -WARMUP_ROUNDS; round < MEASURED_ROUNDS; round++) {
                    long start = System.nanoTime();
                    batch(flow, BATCH);
                    double rate = BATCH * 1e9 / (System.nanoTime() - start);
                    if (round >= 0) {
                        rates[round] = rate;
                    }
                }
            }
            Arrays.sort(rates);
            medians[i] = rates[rates.length / 2];
            System.out.printf(Locale.ROOT, "  %-30s %,10.0f tasks/s%n", name(serializer), medians[i]);
        }
        double median = medians[0];
        System.out.printf(Locale.ROOT, "  ratio (Fory / Java)            %.2f%n", median / medians[1]);
        String python = python("-c", PYTHON, "throughput", "" + WORKERS, "0", "0", "" + BATCH,
                "" + (WARMUP_ROUNDS + MEASURED_ROUNDS));
        if (python != null) {
            double pythonRate = Double.parseDouble(python);
            System.out.printf(Locale.ROOT, "  python multiprocessing.Pool     %,10.0f tasks/s%n", pythonRate);
            System.out.printf(Locale.ROOT, "  ratio (paraflow / python)      %.2f%n", median / pythonRate);
        }
        System.out.printf(Locale.ROOT, "  target: >= 20,000 tasks/s: %s%n", median >= 20_000 ? "met" : "NOT met");
    }

    private static String name(Class<? extends SerializerFactory> serializer) {
        return serializer == ForySerializer.Factory.class ? "paraflow (Fory, the default)" : "paraflow (Java serialization)";
    }

    /** Runs python3 with {@code args}; its last line of output, or null (and says so) if there is no python3. */
    private static String python(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "python3";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException noPython) {
            System.out.println("  (python3 not found: no multiprocessing baseline in this run)");
            return null;
        }
        String last = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                last = line;
            }
        }
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException("python3 baseline failed: " + last);
        }
        return last;
    }
}
