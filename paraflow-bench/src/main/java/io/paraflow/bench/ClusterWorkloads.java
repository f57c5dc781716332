package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.cluster.ClusterExecutor;
import io.paraflow.cluster.ClusterJvm;
import io.paraflow.cluster.ClusterWorker;
import io.paraflow.cluster.internal.Placement;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.exec.process.ProcessExecutor;
import io.paraflow.fn.Fn0;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.paraflow.bench.Rounds.check;
import static io.paraflow.bench.Rounds.verdict;

/**
 * Workload runner for the cluster targets: a driver (this JVM) and 2 worker JVMs on 127.0.0.1, each worker
 * with 2 cores, against the local {@link ProcessExecutor} with 2 worker processes in the same run (the
 * nearest thing to a cluster without a network: same serializer, another JVM per worker):
 * <ul>
 *   <li>{@code throughput}: batches of no-op tasks (target at least 20,000/s);</li>
 *   <li>{@code latency}: one no-op task at a time, submit to result (target median at most 1 ms);</li>
 *   <li>{@code startup}: a worker JVM started while the flow runs, from its start to its first task (target at
 *       most 3 s); baseline: a worker process of the process executor, from building its flow to its first
 *       result;</li>
 *   <li>{@code scheduler}: the placement alone with in-process stand-in workers (10, 100, 1,000) and a million
 *       tasks, in µs per decision (target: flat as workers grow); baseline: the same decisions by a linear scan
 *       over the workers; also with half the tasks preferring the worker that holds their input;</li>
 *   <li>{@code grid}: a task returning 1 MiB, its result kept in the data grid (the default) against brought back
 *       with its completion ({@code gridThreshold(Long.MAX_VALUE)}): fetched by the driver, and passed to a
 *       second cluster task; ms per operation, one at a time.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.ClusterWorkloads [section...]}; all sections by
 * default. The worker JVMs run this class with {@code worker PORT JOIN} and get a fresh cluster secret in their
 * environment. Every result is checked, so a broken executor cannot print a good number.
 */
public final class ClusterWorkloads {

    private static final int START_TRIES = 3;
    private static final List<String> SECTIONS = List.of("throughput", "latency", "startup", "scheduler", "grid");
    private static final int WORKERS = 2;
    private static final int CORES = 2;
    private static final int BATCH = 20_000;
    private static final int WARMUP_ROUNDS = 5;
    private static final int MEASURED_ROUNDS = 7;
    private static final int ROUND_TRIP_WARMUP = 3_000;
    private static final int ROUND_TRIPS = 3_000;
    private static final int STARTS = 3;
    static final int DECISIONS = 1_000_000;
    private static final int[] SIMULATED_WORKERS = {10, 100, 1_000};
    private static final int GRID_BYTES = 1 << 20;
    private static final int GRID_WARMUP = 5;
    private static final int GRID_ROUNDS = 21;

    private static final Fn0<Integer> NO_OP = () -> 1;
    private static final ClusterSecret SECRET = ClusterSecret.generate();

    private ClusterWorkloads() {
    }

    public static void main(String[] args) throws Exception {
        // before anything uses the common pool: Hazelcast needs more than one thread there (DESIGN.md)
        System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "4");
        if (args.length > 0 && args[0].equals("worker")) {
            runWorker(args);
            return;
        }
        List<String> chosen = args.length == 0 ? SECTIONS : Arrays.asList(args);
        for (String section : chosen) {
            if (!SECTIONS.contains(section)) {
                throw new IllegalArgumentException("unknown section '" + section + "'; choose from " + SECTIONS);
            }
        }
        System.out.printf(Locale.ROOT, "Paraflow cluster workloads: driver + %d worker JVMs of %d cores on 127.0.0.1,"
                + " %s %s; baseline: ProcessExecutor with %d workers%n", WORKERS, CORES, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), WORKERS);
        for (String section : chosen) {
            switch (section) {
                case "throughput" -> throughput();
                case "latency" -> latency();
                case "startup" -> startup();
                case "grid" -> grid();
                default -> scheduler();
            }
        }
    }

    // ---------------------------------------------------------------- worker JVMs

    /** The body of a worker JVM: joins, says READY, runs until its driver (the runner) is gone. */
    private static void runWorker(String[] args) throws Exception {
        ProcessHandle.current().parent().orElseThrow().onExit().thenRun(() -> Runtime.getRuntime().halt(0));
        ClusterWorker.Builder builder = ClusterWorker.builder().port(Integer.parseInt(args[1])).cores(CORES);
        if (!args[2].equals("-")) {
            builder.join(args[2]);
        }
        ClusterWorker worker = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "worker-shutdown"));
        System.out.println("READY");
        System.out.flush();
        worker.awaitClosed();
    }

    /** A worker JVM of the runner's cluster. */
    record WorkerJvm(Process process, int port) implements AutoCloseable {
        String address() {
            return "127.0.0.1:" + port;
        }

        /** Asks the worker to leave (SIGTERM), and kills it if it has not after 30 s. */
        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Starts a worker JVM joining {@code join} (null: it is the seed); returns once it said READY. Its port
     * is one the system found free, which an outgoing connection may take before the worker binds it: a
     * worker that did not start is tried again on another port, up to {@value #START_TRIES} times.
     */
    static WorkerJvm startWorker(String join) throws IOException {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < START_TRIES; i++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m"));
            command.addAll(ClusterJvm.OPTIONS);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ClusterWorkloads.class.getName(), "worker",
                    Integer.toString(port), join == null ? "-" : join));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().put(ClusterSecret.ENVIRONMENT_VARIABLE, SECRET.encoded());
            Process process = builder.start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if ("READY".equals(line)) {
                return new WorkerJvm(process, port);
            }
            process.destroyForcibly();
            failures.add("port " + port + ": " + line);
        }
        throw new IllegalStateException("cluster worker did not start (its errors are above): " + failures);
    }

    /** A flow whose "cluster" executor uses {@code workers}. */
    static Flow clusterFlow(List<WorkerJvm> workers) {
        return clusterFlow(workers, ClusterExecutor.DEFAULT_GRID_THRESHOLD);
    }

    /** A flow whose "cluster" executor uses {@code workers} and keeps results from {@code gridThreshold} bytes. */
    static Flow clusterFlow(List<WorkerJvm> workers, long gridThreshold) {
        String[] join = workers.stream().map(WorkerJvm::address).toArray(String[]::new);
        ClusterExecutor executor = ClusterExecutor.builder().join(join).secret(SECRET).gridThreshold(gridThreshold)
                .awaitWorkers(workers.size(), Duration.ofSeconds(60)).build();
        return Flow.builder().threads(2).executor(executor).build();
    }

    /** Starts the seed worker, then the others joining it. */
    static List<WorkerJvm> startCluster(int count) throws IOException {
        List<WorkerJvm> workers = new ArrayList<>();
        workers.add(startWorker(null));
        for (int i = 1; i < count; i++) {
            workers.add(startWorker(workers.get(0).address()));
        }
        return workers;
    }

    static void stop(List<WorkerJvm> workers) throws InterruptedException {
        for (WorkerJvm worker : workers) {
            worker.close();
        }
    }

    private static Flow processFlow() {
        return Flow.builder().threads(2)
                .executor(ProcessExecutor.builder().label("cluster").workers(WORKERS).forwardStderr(false).build()).build();
    }

    // ---------------------------------------------------------------- throughput and latency

    /** Submits {@code count} no-op tasks, then waits for all; checks every result. */
    static void batch(Flow flow, int count) throws Exception {
        List<Task<Integer>> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tasks.add(flow.task("no-op").on("cluster").submit(NO_OP));
        }
        int sum = 0;
        for (Task<Integer> task : tasks) {
            sum += task.get();
        }
        check(sum == count, "no-op tasks summed to " + sum + " instead of " + count);
    }

    /** Submits {@code count} no-op tasks one after the other; returns each round trip in nanoseconds, sorted. */
    static long[] roundTrips(Flow flow, int count) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            Integer one = flow.task("no-op").on("cluster").submit(NO_OP).get();
            nanos[i] = System.nanoTime() - start;
            check(one == 1, "a no-op task returned " + one);
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static double medianRate(Flow flow) throws Exception {
        double[] rates = new double[MEASURED_ROUNDS];
        for (int round = -WARMUP_ROUNDS; round < MEASURED_ROUNDS; round++) {
            long start = System.nanoTime();
            batch(flow, BATCH);
            if (round >= 0) {
                rates[round] = BATCH * 1e9 / (System.nanoTime() - start);
            }
        }
        return Rounds.median(rates);
    }

    private static void throughput() throws Exception {
        System.out.printf(Locale.ROOT, "%n[1] throughput of no-op tasks, batches of %,d (median of %d rounds after %d"
                + " warm-up)%n", BATCH, MEASURED_ROUNDS, WARMUP_ROUNDS);
        List<WorkerJvm> workers = startCluster(WORKERS);
        double cluster;
        try (Flow flow = clusterFlow(workers)) {
            cluster = medianRate(flow);
        } finally {
            stop(workers);
        }
        double processes;
        try (Flow flow = processFlow()) {
            processes = medianRate(flow);
        }
        System.out.printf(Locale.ROOT, "  cluster executor, 2 workers      %,10.0f tasks/s%n", cluster);
        System.out.printf(Locale.ROOT, "  process executor, 2 workers      %,10.0f tasks/s%n", processes);
        System.out.printf(Locale.ROOT, "  ratio (cluster / processes)      %.2f%n", cluster / processes);
        verdict(cluster >= 20_000, String.format(Locale.ROOT, "%,.0f no-op tasks/s on the cluster (target >= 20,000)",
                cluster));
    }

    private static void latency() throws Exception {
        System.out.printf(Locale.ROOT, "%n[2] dispatch-to-result latency of a no-op task, one at a time (%,d after %,d"
                + " warm-up)%n", ROUND_TRIPS, ROUND_TRIP_WARMUP);
        List<WorkerJvm> workers = startCluster(WORKERS);
        long[] cluster;
        try (Flow flow = clusterFlow(workers)) {
            roundTrips(flow, ROUND_TRIP_WARMUP);
            cluster = roundTrips(flow, ROUND_TRIPS);
        } finally {
            stop(workers);
        }
        long[] processes;
        try (Flow flow = processFlow()) {
            roundTrips(flow, ROUND_TRIP_WARMUP);
            processes = roundTrips(flow, ROUND_TRIPS);
        }
        double median = cluster[cluster.length / 2] / 1e3;
        double processMedian = processes[processes.length / 2] / 1e3;
        System.out.printf(Locale.ROOT, "  cluster executor    median %8.1f µs   p99 %8.1f µs%n", median,
                cluster[(int) (cluster.length * 0.99)] / 1e3);
        System.out.printf(Locale.ROOT, "  process executor    median %8.1f µs   p99 %8.1f µs%n", processMedian,
                processes[(int) (processes.length * 0.99)] / 1e3);
        System.out.printf(Locale.ROOT, "  ratio (cluster / processes, median)  %.2f%n", median / processMedian);
        verdict(median <= 1_000, String.format(Locale.ROOT, "median %.1f µs (target <= 1,000 µs)", median));
    }

    // ---------------------------------------------------------------- start-up

    static String jvm() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    /**
     * Starts a worker JVM while {@code flow} runs on {@code seed} alone, and keeps submitting tasks that take all
     * cores of a worker until one runs on the new worker; returns the time from starting its JVM to that
     * task's result, in nanoseconds.
     */
    static long startToFirstTask(Flow flow, WorkerJvm seed) throws Exception {
        String seedJvm = flow.task("where").on("cluster").submit(ClusterWorkloads::jvm).get();
        long start = System.nanoTime();
        try (WorkerJvm fresh = startWorker(seed.address())) {
            while (true) {
                List<Task<String>> probes = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    probes.add(flow.task("where").on("cluster").cores(CORES).submit(() -> {
                        Thread.sleep(5);
                        return jvm();
                    }));
                }
                for (Task<String> probe : probes) {
                    if (!probe.get().equals(seedJvm)) {
                        check(probe.get().startsWith(fresh.process().pid() + "@"), "a task ran on an unknown JVM: " + probe.get());
                        return System.nanoTime() - start;
                    }
                }
            }
        }
    }

    private static void startup() throws Exception {
        System.out.printf(Locale.ROOT, "%n[3] a worker started while the flow runs, from its JVM's start to its first"
                + " task (%d starts)%n", STARTS);
        List<WorkerJvm> seed = startCluster(1);
        double[] cluster = new double[STARTS];
        try (Flow flow = clusterFlow(seed)) {
            for (int i = 0; i < STARTS; i++) {
                cluster[i] = startToFirstTask(flow, seed.get(0)) / 1e6;
            }
        } finally {
            stop(seed);
        }
        double[] processes = new double[STARTS];
        for (int i = 0; i < STARTS; i++) {
            long start = System.nanoTime();
            try (Flow flow = processFlow()) {
                check(flow.task("no-op").on("cluster").submit(NO_OP).get() == 1, "a no-op task failed");
                processes[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        double median = Rounds.median(cluster);
        System.out.printf(Locale.ROOT, "  cluster worker JVM    median %,7.0f ms   (each: %s ms)%n", median, format(cluster));
        System.out.printf(Locale.ROOT, "  worker process        median %,7.0f ms   (each: %s ms)%n", Rounds.median(processes),
                format(processes));
        System.out.printf(Locale.ROOT, "  ratio (cluster / process, median)  %.2f%n", median / Rounds.median(processes));
        verdict(median <= 3_000, String.format(Locale.ROOT, "median %,.0f ms (target <= 3,000 ms)", median));
    }

    private static String format(double[] millis) {
        StringBuilder text = new StringBuilder();
        for (double value : millis) {
            text.append(text.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,.0f", value));
        }
        return text.toString();
    }

    // ---------------------------------------------------------------- scheduler

    /**
     * Places {@code decisions} tasks on {@code workers} stand-in workers of 4 cores (a task asks for 1 or 2
     * cores and some memory; a placed task finishes after about as many decisions as there are slots, so the
     * cluster stays nearly full); returns nanoseconds per decision. With {@code linear}, each decision scans
     * every worker for the one with the most free slots instead of asking {@link Placement}.
     */
    static double nanosPerDecision(int workers, int decisions, boolean linear) {
        return nanosPerDecision(workers, decisions, linear, false);
    }

    /**
     * Like {@link #nanosPerDecision(int, int, boolean)}; with {@code preferring}, every other task first asks for
     * to be placed near a random worker (the one holding its input, as the executor does: {@link
     * Placement#placeNear}).
     */
    static double nanosPerDecision(int workers, int decisions, boolean linear, boolean preferring) {
        Placement<Integer> placement = new Placement<>();
        List<Placement.Slots<Integer>> all = new ArrayList<>(workers);
        int[] free = new int[workers];
        long[] freeMemory = new long[workers];
        for (int w = 0; w < workers; w++) {
            all.add(placement.add(w, 4, 4, 16L << 30));
            free[w] = 8;
            freeMemory[w] = 16L << 30;
        }
        int inFlight = workers * 6;
        int[] placedOn = new int[inFlight];
        int[] placedCores = new int[inFlight];
        long[] placedMemory = new long[inFlight];
        Arrays.fill(placedOn, -1);
        SplittableRandom random = new SplittableRandom(42);
        long start = System.nanoTime();
        for (int i = 0; i < decisions; i++) {
            int slot = i % inFlight;
            if (placedOn[slot] >= 0) {
                int w = placedOn[slot];
                if (linear) {
                    free[w] += placedCores[slot];
                    freeMemory[w] += placedMemory[slot];
                } else {
                    placement.release(all.get(w), placedCores[slot], placedMemory[slot]);
                }
                placedOn[slot] = -1;
            }
            int cores = 1 + random.nextInt(2);
            long memory = (1 + random.nextInt(4)) << 28;
            int chosen;
            if (linear) {
                chosen = -1;
                for (int w = 0; w < workers; w++) {
                    if (free[w] >= cores && freeMemory[w] >= memory && (chosen < 0 || free[w] > free[chosen])) {
                        chosen = w;
                    }
                }
                if (chosen >= 0) {
                    free[chosen] -= cores;
                    freeMemory[chosen] -= memory;
                }
            } else {
                Placement.Slots<Integer> holder = preferring && (i & 1) == 0 ? all.get(random.nextInt(workers)) : null;
                Placement.Slots<Integer> slots = holder != null ? placement.placeNear(holder, cores, memory)
                        : placement.place(cores, memory);
                chosen = slots == null ? -1 : slots.worker();
            }
            if (chosen >= 0) {
                placedOn[slot] = chosen;
                placedCores[slot] = cores;
                placedMemory[slot] = memory;
            }
        }
        return (System.nanoTime() - start) / (double) decisions;
    }

    private static void scheduler() {
        System.out.printf(Locale.ROOT, "%n[4] placement decisions with in-process stand-in workers, %,d tasks each"
                + " (best of 3)%n", DECISIONS);
        double smallest = 0;
        double largest = 0;
        for (int workers : SIMULATED_WORKERS) {
            double placement = Double.MAX_VALUE;
            double linear = Double.MAX_VALUE;
            double preferring = Double.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                placement = Math.min(placement, nanosPerDecision(workers, DECISIONS, false));
                linear = Math.min(linear, nanosPerDecision(workers, DECISIONS, true));
                preferring = Math.min(preferring, nanosPerDecision(workers, DECISIONS, false, true));
            }
            System.out.printf(Locale.ROOT, "  %,5d workers   placement %6.3f µs/decision   linear scan %7.3f µs/decision"
                    + "   ratio (scan / placement) %.1f   preferring the input's worker %6.3f µs/decision%n", workers,
                    placement / 1e3, linear / 1e3, linear / placement, preferring / 1e3);
            if (workers == SIMULATED_WORKERS[0]) {
                smallest = placement;
            }
            largest = placement;
        }
        verdict(largest <= 3 * smallest, String.format(Locale.ROOT, "%,d workers cost %.1fx the decision of %,d (target:"
                + " flat, within 3x)", SIMULATED_WORKERS[SIMULATED_WORKERS.length - 1], largest / smallest,
                SIMULATED_WORKERS[0]));
    }

    // ---------------------------------------------------------------- data grid

    /** A value of {@link #GRID_BYTES} bytes that depends on {@code seed}. */
    static byte[] largeValue(int seed) {
        byte[] value = new byte[GRID_BYTES];
        new SplittableRandom(seed).nextBytes(value);
        return value;
    }

    static long checksum(byte[] value) {
        long sum = 0;
        for (byte b : value) {
            sum = sum * 31 + b;
        }
        return sum;
    }

    /**
     * Runs {@code count} times, one at a time, a task returning {@link #GRID_BYTES} bytes, then either fetches
     * the value on the driver or passes it to a second cluster task; checks every value; returns nanoseconds per
     * operation, sorted.
     */
    static long[] largeResults(Flow flow, int count, boolean chained) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            Task<byte[]> large = flow.task("large").on("cluster").submit(ClusterWorkloads::largeValue, flow.value(i));
            long sum = chained ? flow.task("checksum").on("cluster").submit(ClusterWorkloads::checksum, large).get()
                    : checksum(large.get());
            nanos[i] = System.nanoTime() - start;
            check(sum == checksum(largeValue(i)), "a large value changed on its way (round " + i + ")");
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static void grid() throws Exception {
        System.out.printf(Locale.ROOT, "%n[5] a 1 MiB result kept in the data grid or brought back with its completion"
                + " (median of %d one at a time, after %d)%n", GRID_ROUNDS, GRID_WARMUP);
        List<WorkerJvm> workers = startCluster(WORKERS);
        double[][] medians = new double[2][2];
        try {
            long[] thresholds = {ClusterExecutor.DEFAULT_GRID_THRESHOLD, Long.MAX_VALUE};
            for (int kept = 0; kept < 2; kept++) {
                try (Flow flow = clusterFlow(workers, thresholds[kept])) {
                    for (int chained = 0; chained < 2; chained++) {
                        largeResults(flow, GRID_WARMUP, chained == 1);
                        medians[kept][chained] = largeResults(flow, GRID_ROUNDS, chained == 1)[GRID_ROUNDS / 2] / 1e6;
                    }
                }
            }
        } finally {
            stop(workers);
        }
        String[] operations = {"fetched by the driver       ", "passed to a second task     "};
        for (int chained = 0; chained < 2; chained++) {
            System.out.printf(Locale.ROOT, "  %s kept in the grid %7.2f ms   brought back %7.2f ms   ratio (kept /"
                    + " back) %.2f%n", operations[chained], medians[0][chained], medians[1][chained],
                    medians[0][chained] / medians[1][chained]);
        }
        verdict(medians[0][1] < medians[1][1], String.format(Locale.ROOT, "a 1 MiB value passed between cluster"
                + " tasks: %.2f ms kept in the grid, %.2f ms through the driver", medians[0][1], medians[1][1]));
    }
}
