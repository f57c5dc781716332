package io.paraflow.cli;

import io.paraflow.Flow;
import io.paraflow.FlowBuilder;
import io.paraflow.event.TaskEvent;
import io.paraflow.examples.SweepWorkflow;
import io.paraflow.examples.SweepWorkflow.Outcome;
import io.paraflow.examples.SweepWorkflow.Scenario;
import io.paraflow.examples.SweepWorkflow.Summary;
import io.paraflow.monitor.Monitoring;
import io.paraflow.monitor.progress.Terminal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * {@code paraflow demo}: runs {@link SweepWorkflow} on all cores, then again on one thread, and prints
 * what it computed, how many tasks ran, the wall time of each run and the speed-up. Fails (exit 1) if
 * the two runs disagree.
 */
@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = {
                "Runs a parameter sweep of a stochastic epidemic model (simulation tasks, dependent analysis"
                        + " tasks and a tree reduction) on all cores, then on one thread, and prints the result,"
                        + " the number of tasks, the wall time of each run and the speed-up.",
                "Each timed run shows its progress; --database and --dashboard record and serve the parallel run"
                        + " (with --dashboard alone, in a new file in the temporary directory, which is kept)."})
final class DemoCommand implements Callable<Integer> {

    static final int DEFAULT_SIZE = 2;
    private static final int WARM_UP_SIZE = 1;

    @Spec
    private CommandSpec spec;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads of the parallel run (default: ${DEFAULT-VALUE}, the available processors).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--size", paramLabel = "S",
            description = "Scale of the sweep: 64 x S simulations (default: ${DEFAULT-VALUE}).")
    private int size = DEFAULT_SIZE;

    @Mixin
    private MonitoringOptions monitoring;

    private void validate() {
        if (threads < 1) {
            throw new ParameterException(spec.commandLine(), "--threads must be at least 1, got " + threads);
        }
        if (size < 1 || size > SweepWorkflow.MAX_SIZE) {
            throw new ParameterException(spec.commandLine(),
                    "--size must be between 1 and " + SweepWorkflow.MAX_SIZE + ", got " + size);
        }
        monitoring.validate();
    }

    /** Where the parallel run is recorded, or null if it is not. */
    private Path recording() {
        if (monitoring.database != null || monitoring.dashboardPort == null) {
            return monitoring.database;
        }
        try {
            return Files.createTempDirectory("paraflow-demo").resolve("parallel.db");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the monitoring database; choose one with"
                    + " --database FILE", e);
        }
    }

    @Override
    public Integer call() {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        describeWorkload(out);
        out.flush();

        // Without it, the first timed run would also pay for JIT compilation and understate the speed-up.
        timed(threads, WARM_UP_SIZE, null, null);
        Path recorded = recording();
        Run parallel = timed(threads, size, "parallel", recorded);
        Run sequential = timed(1, size, "one thread", null);
        if (!parallel.summary().equals(sequential.summary())) {
            throw new IllegalStateException("the run on " + threads + " threads and the run on 1 thread computed"
                    + " different summaries:\n  " + parallel.summary() + "\n  " + sequential.summary());
        }

        printSummary(out, parallel.summary());
        out.println();
        out.println("Tasks per run: " + parallel.tasks() + " (" + parallel.tasksByName().entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")) + ")");
        out.println();
        out.println("Runs (after an untimed warm-up)   threads   tasks   wall time");
        printRun(out, "parallel", threads, parallel);
        printRun(out, "one thread", 1, sequential);
        out.printf(Locale.ROOT, "  speed-up %32.2fx   (the same result on both runs)%n",
                (double) sequential.nanos() / parallel.nanos());
        if (recorded != null) {
            out.println();
            out.println("The parallel run is recorded in " + recorded + "; see it with: paraflow monitor " + recorded);
        }
        out.flush();
        return 0;
    }

    private void describeWorkload(PrintWriter out) {
        List<Scenario> scenarios = SweepWorkflow.scenarios(size);
        List<Double> r0s = scenarios.stream().map(Scenario::r0).distinct().toList();
        String periods = scenarios.stream().map(s -> String.valueOf(s.infectiousDays())).distinct()
                .collect(Collectors.joining(", "));
        long replicates = scenarios.stream().mapToInt(Scenario::replicate).distinct().count();
        out.println("Paraflow demo: parameter sweep of a stochastic SIR epidemic model, then a tree reduction");
        out.printf(Locale.ROOT, "  %d simulations = %d values of R0 in [%.1f, %.1f] x infectious periods of %s days"
                        + " x %d replicates,%n", scenarios.size(), r0s.size(), r0s.get(0), r0s.get(r0s.size() - 1),
                periods, replicates);
        out.printf(Locale.ROOT, "  population %,d each; each simulation is analysed by a task that depends on it,"
                + " and a tree%n", SweepWorkflow.POPULATION);
        out.println("  of tasks combines the analyses pairwise into one summary.");
        out.println();
    }

    private static void printSummary(PrintWriter out, Summary summary) {
        out.println("Result");
        out.printf(Locale.ROOT, "  mean attack rate     %.1f %% of the population infected%n", 100 * summary.meanAttackRate());
        out.printf(Locale.ROOT, "  major outbreaks      %d of %d simulations infected at least %.0f %%%n",
                summary.majorOutbreaks(), summary.simulations(), 100 * SweepWorkflow.MAJOR_OUTBREAK_ATTACK_RATE);
        Outcome peak = summary.largestPeak();
        out.printf(Locale.ROOT, "  largest peak         %,d infected at once on day %d %s%n",
                peak.peakInfected(), peak.peakDay(), describe(peak.scenario()));
        Outcome longest = summary.longest();
        out.printf(Locale.ROOT, "  longest epidemic     %d days%s %s%n", longest.days(),
                longest.days() == SweepWorkflow.MAX_DAYS ? " (the limit)" : "", describe(longest.scenario()));
    }

    private static String describe(Scenario scenario) {
        return String.format(Locale.ROOT, "(R0 %.2f, infectious for %d days, replicate %d)",
                scenario.r0(), scenario.infectiousDays(), scenario.replicate());
    }

    private static void printRun(PrintWriter out, String label, int threads, Run run) {
        out.printf(Locale.ROOT, "  %-30s %8d %7d %9.2f s%n", label, threads, run.tasks(), run.nanos() / 1e9);
    }

    /**
     * Runs the sweep on a new flow of {@code threads} threads, counting the tasks the flow accepted, with
     * a progress line named {@code label} on stderr (unless it is null or progress is off), recorded in the
     * monitoring database {@code recorded} (unless it is null) with the dashboard if one was asked for.
     */
    private Run timed(int threads, int size, String label, Path recorded) {
        Map<String, LongAdder> submitted = new ConcurrentHashMap<>();
        Map<String, Long> firstId = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        Summary summary;
        FlowBuilder builder = Flow.builder().threads(threads).listener((task, step, attempt, worker, nanos, error) -> {
            if (step == TaskEvent.Kind.SUBMITTED) {
                submitted.computeIfAbsent(task.name(), name -> new LongAdder()).increment();
                firstId.merge(task.name(), task.id(), Math::min);
            }
        });
        boolean showProgress = monitoring.progress && label != null;
        if (showProgress || recorded != null) {
            Monitoring.Builder watching = Monitoring.builder().name(label);
            if (showProgress) {
                watching.progress(spec.commandLine().getErr(), Terminal.standardErrorIsTerminal(), Duration.ofSeconds(10));
            }
            if (recorded != null) {
                watching.database(recorded);
                if (monitoring.dashboardPort != null) {
                    watching.dashboard(monitoring.dashboardAddress(), monitoring.dashboardPort);
                }
            }
            builder.listener(watching.build());
        }
        try (Flow flow = builder.build()) {
            summary = SweepWorkflow.run(flow, size);
        }
        long nanos = System.nanoTime() - start;
        Map<String, Long> tasksByName = new LinkedHashMap<>();
        firstId.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> tasksByName.put(e.getKey(), submitted.get(e.getKey()).sum()));
        return new Run(summary, nanos, tasksByName);
    }

    /** One timed run: its summary, wall time, and the tasks it submitted by name, in order of first submission. */
    private record Run(Summary summary, long nanos, Map<String, Long> tasksByName) {
        long tasks() {
            return tasksByName.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
