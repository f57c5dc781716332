package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.FlowBuilder;
import io.paraflow.Task;
import io.paraflow.event.TaskListener;
import io.paraflow.monitor.Monitoring;
import io.paraflow.monitor.store.RunDatabase;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static io.paraflow.bench.Rounds.check;
import static io.paraflow.bench.Rounds.medianRates;
import static io.paraflow.bench.Rounds.verdict;

/**
 * Workload runner for the monitoring targets: the cost of the monitoring database on the no-op task
 * workload of the core (target: at most 10 % fewer tasks per second than the same flow without monitoring,
 * measured in turns in the same JVM), and how fast a run of a million tasks answers "which tasks failed
 * and why" (target: under a second).
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.MonitorWorkloads [section...]}, sections
 * {@code events overhead cpu failures writer}; all by default. Databases go to a temporary directory, deleted at the end.
 * Every run checks what the database holds and stops with an exception if it is wrong.
 */
public final class MonitorWorkloads {

    private static final List<String> SECTIONS = List.of("events", "overhead", "cpu", "failures", "writer");

    static final int BATCH = 100_000;
    static final int ROUNDS = CoreWorkloads.WARMUP_ROUNDS + CoreWorkloads.MEASURED_ROUNDS;
    /** Grains of the busy tasks, and how long one round of them lasts on all threads. */
    private static final long[] GRAINS_MICROS = {10, 100, 1000};
    private static final long GRAIN_ROUND_NANOS = 100_000_000;
    static final int MILLION = 1_000_000;
    /** Every hundredth task of the million fails, after one retry. */
    static final int FAIL_EVERY = 100;
    private static final int QUERY_REPETITIONS = 5;
    /** Clock readings per task that ran: SUBMITTED with READY (no dependencies), STARTED, the end. */
    private static final int CLOCK_READINGS_PER_TASK = 3;
    /** Tasks per round of the writer alone. */
    private static final int WRITER_TASKS = 250_000;

    private final int threads = Runtime.getRuntime().availableProcessors();

    private MonitorWorkloads() {
    }

    public static void main(String[] args) throws Exception {
        List<String> chosen = args.length == 0 ? SECTIONS : Arrays.asList(args);
        for (String section : chosen) {
            if (!SECTIONS.contains(section)) {
                throw new IllegalArgumentException("unknown section '" + section + "'; choose from " + SECTIONS);
            }
        }
        MonitorWorkloads workloads = new MonitorWorkloads();
        System.out.printf(Locale.ROOT, "Paraflow monitoring workloads: %d threads, %s %s%n",
                workloads.threads, System.getProperty("java.vm.name"), System.getProperty("java.version"));
        Path dir = Files.createTempDirectory("paraflow-monitor-bench");
        try {
            for (String section : chosen) {
                switch (section) {
                    case "events" -> workloads.eventCost();
                    case "overhead" -> {
                        workloads.overhead(dir.resolve("overhead.db"));
                        workloads.overheadByGrain(dir);
                    }
                    case "cpu" -> workloads.cpuPerTask(dir);
                    case "failures" -> workloads.failures(dir.resolve("million.db"));
                    case "writer" -> WriterWorkload.run(dir, WRITER_TASKS);
                    default -> throw new AssertionError(section);
                }
            }
        } finally {
            deleteTree(dir);
        }
    }

    // ---------------------------------------------------------------- overhead

    /**
     * What the core's events cost before any monitoring: the no-op workload with a listener that does
     * nothing, so each step of each task reads the clock and calls it. No monitor can cost less.
     */
    private void eventCost() throws Exception {
        System.out.printf(Locale.ROOT, "%n[M0] independent no-op tasks, batches of %,d, with a listener that does nothing"
                + " (the core's cost of events; median of 15 rounds after 10 warm-up rounds, taken in turns)%n", BATCH);
        double[] rates;
        try (Flow plain = Flow.builder().threads(threads).build();
             Flow listened = Flow.builder().threads(threads).listener(doingNothing()).build()) {
            rates = medianRates(BATCH, CoreWorkloads.WARMUP_ROUNDS, CoreWorkloads.MEASURED_ROUNDS,
                    () -> IndependentTasks.paraflow(plain, BATCH),
                    () -> IndependentTasks.paraflow(listened, BATCH));
        }
        System.out.printf(Locale.ROOT, "  without a listener             %,12.0f tasks/s%n", rates[0]);
        System.out.printf(Locale.ROOT, "  with a listener doing nothing  %,12.0f tasks/s%n", rates[1]);
        System.out.printf(Locale.ROOT, "  => %.2f x: the ceiling of any monitoring built on TaskListener%n", rates[1] / rates[0]);
        clockCost(rates[0]);
    }

    /** A listener that does nothing: what any monitor costs at least. */
    private static TaskListener doingNothing() {
        return (task, step, attempt, worker, nanos, error) -> { };
    }

    /**
     * A monitor that keeps counts only: its progress line, drawn nowhere, as {@code paraflow} commands run by
     * default (each step counted on its thread, no records).
     */
    private static Monitoring countsOnly() {
        return Monitoring.builder().progress(new PrintWriter(Writer.nullWriter()), false, Duration.ofHours(1)).build();
    }

    /**
     * What the clock readings of a task's steps cost, beside the time per task without listeners. Not a
     * bound: the no-op workload does not keep both cores busy all the time (the do-nothing listener above
     * has run faster than none), so CPU added on the tasks' path is not all lost time.
     */
    private void clockCost(double plainRate) {
        double reading = clockReadingNanos();
        System.out.printf(Locale.ROOT, "  one reading of the clock (System.nanoTime) costs %.1f ns here; a task's steps read it"
                + " %d times: %.0f ns of CPU per task, against %.0f ns of wall time per task without listeners (%d cores)%n",
                reading, CLOCK_READINGS_PER_TASK, CLOCK_READINGS_PER_TASK * reading, 1e9 / plainRate, threads);
    }

    /** Nanoseconds per {@link System#nanoTime()} call: the best of 5 loops of 10 M calls. */
    private static double clockReadingNanos() {
        int calls = 10_000_000;
        double best = Double.MAX_VALUE;
        long sink = 0;
        for (int r = 0; r < 5; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                sink += System.nanoTime();
            }
            best = Math.min(best, (double) (System.nanoTime() - start) / calls);
        }
        check(sink != 0, "the clock did not move");
        return best;
    }

    private void overhead(Path db) throws Exception {
        System.out.printf(Locale.ROOT, "%n[M1] independent no-op tasks, batches of %,d from one thread, without monitoring,"
                + " with a monitor that keeps counts only (its progress line, drawn nowhere: each step counted on its"
                + " thread, no records, as paraflow commands run by default) and with the monitoring database (median of 15 rounds after"
                + " 10 warm-up rounds, taken in turns)%n", BATCH);
        long closeNanos;
        double[] rates;
        long monitoredStart = System.nanoTime();
        Flow monitored = Flow.builder().threads(threads).listener(Monitoring.database(db)).build();
        Monitoring countsOnly = countsOnly();
        try (Flow plain = Flow.builder().threads(threads).build();
             Flow counted = Flow.builder().threads(threads).listener(countsOnly).build()) {
            rates = medianRates(BATCH, CoreWorkloads.WARMUP_ROUNDS, CoreWorkloads.MEASURED_ROUNDS,
                    () -> IndependentTasks.paraflow(plain, BATCH),
                    () -> IndependentTasks.paraflow(counted, BATCH),
                    () -> IndependentTasks.paraflow(monitored, BATCH));
        } finally {
            long start = System.nanoTime();
            monitored.close();
            closeNanos = System.nanoTime() - start;
        }
        long recorded = count(db, "SELECT count(*) FROM tasks WHERE state = 'finished'");
        long tries = count(db, "SELECT count(*) FROM tries WHERE outcome = 'finished'");
        check(recorded == (long) ROUNDS * BATCH && tries == recorded, "the database holds " + recorded + " finished tasks and "
                + tries + " tries, expected " + (long) ROUNDS * BATCH);
        double ratio = rates[2] / rates[0];
        System.out.printf(Locale.ROOT, "  without monitoring            %,12.0f tasks/s%n", rates[0]);
        System.out.printf(Locale.ROOT, "  monitor keeping counts only   %,12.0f tasks/s (%.2f x)%n", rates[1], rates[1] / rates[0]);
        System.out.printf(Locale.ROOT, "  with the monitoring database  %,12.0f tasks/s (%.2f x, until awaitAll returns)%n",
                rates[2], ratio);
        System.out.printf(Locale.ROOT, "  closing the monitored flow took %.0f ms (writing what was still buffered);"
                + " database: %,d tasks, %.0f MB%n", closeNanos / 1e6, recorded, Files.size(db) / 1e6);
        double monitoredRoundsNanos = (double) ROUNDS * BATCH / rates[2] * 1e9;
        System.out.printf(Locale.ROOT, "  counting the close, until the database is complete: %.2f x (the monitored rounds"
                + " at their median, plus the close, against the same tasks without monitoring)%n",
                (ROUNDS * BATCH / rates[0] * 1e9) / (monitoredRoundsNanos + closeNanos));
        System.out.printf(Locale.ROOT, "  the three flows' rounds, then the complete database: %.1f s in all%n",
                (System.nanoTime() - monitoredStart) / 1e9);
        verdict(ratio >= 0.9, String.format(Locale.ROOT, "%.2f x the rate without monitoring (target >= 0.90)", ratio));
    }

    /**
     * What each way of watching a run costs in CPU per no-op task, everything included: the process's CPU
     * time (every thread: submitter, workers, monitor, GC, compiler) from building a flow until its
     * {@code close()} returned, so the database's rows are all written, divided by its tasks. Each
     * configuration runs alone, after a warm-up flow of its own, so no writer runs during another's rounds.
     * Unlike a rate, CPU per task hardly moves with the machine's other load; and once the cores are busy,
     * or the buffers are full, tasks per second go as its inverse.
     */
    private void cpuPerTask(Path dir) throws Exception {
        int rounds = CoreWorkloads.MEASURED_ROUNDS;
        System.out.printf(Locale.ROOT, "%n[M4] CPU per independent no-op task, everything included until close() returns"
                + " (process CPU time of %d rounds of %,d tasks; each configuration alone, after a warm-up flow of its own)%n",
                rounds, BATCH);
        List<String> names = List.of("without monitoring", "a listener doing nothing", "monitor keeping counts only",
                "monitoring database");
        double[] cpuNanos = new double[names.size()];
        for (int c = 0; c < names.size(); c++) {
            measureCpu(c, dir.resolve("cpu-warmup-" + c + ".db"), CoreWorkloads.WARMUP_ROUNDS);
            long[] spent = measureCpu(c, dir.resolve("cpu-" + c + ".db"), rounds);
            double tasks = (double) rounds * BATCH;
            cpuNanos[c] = spent[0] / tasks;
            System.out.printf(Locale.ROOT, "  %-30s %8.0f ns of CPU per task (%.2f x without), %6.0f ns of wall time%n",
                    names.get(c), cpuNanos[c], cpuNanos[c] / cpuNanos[0], spent[1] / tasks);
        }
        long database = count(dir.resolve("cpu-3.db"), "SELECT count(*) FROM tries WHERE outcome = 'finished'");
        check(database == (long) rounds * BATCH, "the database holds " + database + " tries, expected " + (long) rounds * BATCH);
        System.out.printf(Locale.ROOT, "  => with every core busy, the database's rows cost what %.1f no-op tasks do: a run that"
                + " outlasts the buffers goes at most %.2f x as fast with them (target 0.90 x needs at most %.0f ns)%n",
                (cpuNanos[3] - cpuNanos[0]) / cpuNanos[0], cpuNanos[0] / cpuNanos[3], cpuNanos[0] / 0.9);
    }

    /**
     * Runs {@code rounds} rounds of no-op tasks in a new flow of configuration {@code configuration} (an index
     * into {@link #cpuPerTask}'s names) and closes it; returns the process's CPU and wall nanoseconds.
     */
    private long[] measureCpu(int configuration, Path db, int rounds) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        long wallStart = System.nanoTime();
        FlowBuilder builder = Flow.builder().threads(threads);
        switch (configuration) {
            case 0 -> { }
            case 1 -> builder.listener(doingNothing());
            case 2 -> builder.listener(countsOnly());
            case 3 -> builder.listener(Monitoring.database(db));
            default -> throw new AssertionError(configuration);
        }
        try (Flow flow = builder.build()) {
            for (int r = 0; r < rounds; r++) {
                IndependentTasks.paraflow(flow, BATCH);
            }
        }
        return new long[] {os.getProcessCpuTime() - cpuStart, System.nanoTime() - wallStart};
    }

    /**
     * The same comparison with tasks that do some work: the database costs a roughly fixed amount of CPU
     * per task, so its share shrinks as tasks grow.
     */
    private void overheadByGrain(Path dir) throws Exception {
        BusyWork busy = BusyWork.calibrate();
        System.out.printf(Locale.ROOT, "%n[M1b] independent busy tasks of g, from one thread, with and without the"
                + " monitoring database (median of 15 rounds of about %d ms, taken in turns)%n", GRAIN_ROUND_NANOS / 1_000_000);
        System.out.printf(Locale.ROOT, "  %8s %8s %16s %16s %8s%n", "g (us)", "tasks", "off tasks/s", "on tasks/s", "on/off");
        double worst = Double.MAX_VALUE;
        for (long micros : GRAINS_MICROS) {
            int tasks = (int) Math.max(200, GRAIN_ROUND_NANOS * threads / (micros * 1_000));
            long iterations = busy.iterationsFor(micros * 1_000);
            Path db = dir.resolve("grain-" + micros + ".db");
            double[] rates;
            try (Flow plain = Flow.builder().threads(threads).build();
                 Flow monitored = Flow.builder().threads(threads).listener(Monitoring.database(db)).build()) {
                rates = medianRates(tasks, CoreWorkloads.WARMUP_ROUNDS, CoreWorkloads.MEASURED_ROUNDS, () -> busyTasks(plain, tasks, iterations),
                        () -> busyTasks(monitored, tasks, iterations));
            }
            long recorded = count(db, "SELECT count(*) FROM tasks WHERE state = 'finished'");
            check(recorded == (long) ROUNDS * tasks, "the database holds " + recorded + " finished tasks, expected "
                    + (long) ROUNDS * tasks);
            double ratio = rates[1] / rates[0];
            worst = Math.min(worst, micros >= 100 ? ratio : worst);
            System.out.printf(Locale.ROOT, "  %8d %8d %,16.0f %,16.0f %8.2f%n", micros, tasks, rates[0], rates[1], ratio);
        }
        verdict(worst >= 0.9, String.format(Locale.ROOT, "from 100 us on, at least %.2f x the rate without monitoring"
                + " (target >= 0.90)", worst));
    }

    private static void busyTasks(Flow flow, int tasks, long iterations) throws InterruptedException {
        for (int i = 0; i < tasks; i++) {
            long seed = i;
            flow.submit(() -> BusyWork.mix(seed, iterations));
        }
        flow.awaitAll();
    }

    // ---------------------------------------------------------------- failures of a million tasks

    static int convert(int input) throws IOException {
        if (input % FAIL_EVERY == 0) {
            throw new IOException("input " + input + " is corrupt");
        }
        return input;
    }

    /** Runs {@code tasks} tasks of which every {@value #FAIL_EVERY}th fails after a retry, recorded in {@code db}. */
    static void recordFailingRun(Path db, int tasks, int threads) {
        try (Flow flow = Flow.builder().threads(threads).listener(Monitoring.database(db)).build()) {
            for (int i = 0; i < tasks; i++) {
                int input = i;
                Task<Integer> converted = flow.task("convert").retries(1).submit(() -> convert(input));
                check(converted != null, "submit returned no task");
            }
        }
    }

    private void failures(Path db) throws Exception {
        System.out.printf(Locale.ROOT, "%n[M2] a run of %,d tasks, every %dth failing after one retry: which tasks failed"
                + " and why%n", MILLION, FAIL_EVERY);
        long start = System.nanoTime();
        recordFailingRun(db, MILLION, threads);
        long runNanos = System.nanoTime() - start;
        System.out.printf(Locale.ROOT, "  run and database complete in %.1f s; database %.0f MB%n", runNanos / 1e9,
                Files.size(db) / 1e6);
        String why = "SELECT task_id, name, attempt, worker, type, message, stack_trace FROM failed_tasks";
        String byType = "SELECT type, count(*) FROM failed_tasks GROUP BY type";
        double coldWhy = -1;
        double[] whyMillis = new double[QUERY_REPETITIONS];
        double[] byTypeMillis = new double[QUERY_REPETITIONS];
        for (int r = 0; r < QUERY_REPETITIONS; r++) {
            long queryStart = System.nanoTime();
            try (RunDatabase run = RunDatabase.open(db)) {
                int rows = readFailures(run, why);
                check(rows == MILLION / FAIL_EVERY, "failed_tasks has " + rows + " rows, expected " + MILLION / FAIL_EVERY);
                whyMillis[r] = (System.nanoTime() - queryStart) / 1e6;
                long typeStart = System.nanoTime();
                check(readFailures(run, byType) == 1, "one failure type expected");
                byTypeMillis[r] = (System.nanoTime() - typeStart) / 1e6;
            }
            if (r == 0) {
                coldWhy = whyMillis[0];
            }
        }
        double bestWhy = Arrays.stream(whyMillis).min().orElseThrow();
        System.out.printf(Locale.ROOT, "  open + all %,d failed tasks with type, message, worker and stack trace:"
                + " %.0f ms first time, %.0f ms best of %d%n", MILLION / FAIL_EVERY, coldWhy, bestWhy, QUERY_REPETITIONS);
        System.out.printf(Locale.ROOT, "  failures by type: %.0f ms best of %d%n",
                Arrays.stream(byTypeMillis).min().orElseThrow(), QUERY_REPETITIONS);
        verdict(coldWhy < 1000, String.format(Locale.ROOT, "%.0f ms to answer which tasks failed and why (target < 1000 ms)",
                coldWhy));
    }

    /**
     * Runs {@code sql} on {@code failed_tasks} and reads every column of every row, checking that each names
     * the IOException the tasks threw; returns the number of rows.
     */
    private static int readFailures(RunDatabase run, String sql) throws SQLException {
        int rows = 0;
        try (Statement statement = run.connection().createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(result.getObject(i)).append('|');
                }
                check(row.indexOf(IOException.class.getName()) >= 0, "a failed task without its error: " + row);
                rows++;
            }
        }
        return rows;
    }

    static long count(Path db, String sql) throws SQLException {
        try (RunDatabase run = RunDatabase.open(db);
             Statement statement = run.connection().createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
