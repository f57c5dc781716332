package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.exec.Resources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Overhead of a command task: the latency of {@code true} run as a command task, from {@code submit} until
 * {@code get} returns, one at a time, against two baselines timed in turns with it in the same JVM: a bare
 * {@code ProcessBuilder("true").start().waitFor()}, and the same with what a command task does around the
 * program by hand (its own directory, stdout and stderr to files).
 *
 * <p>Usage: {@code java -cp paraflow-bench.jar io.paraflow.bench.CommandOverhead [samples]} (default 1,000,
 * after 200 warm-up rounds). Each round checks that the program ran and exited with 0.
 */
public final class CommandOverhead {

    private static final int WARMUP = 200;

    private CommandOverhead() {
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        Path scratch = Files.createTempDirectory("paraflow-command-overhead");
        try (Flow flow = Flow.builder().executor(CommandExecutor.create(CommandExecutor.LABEL,
                new Resources(1, Long.MAX_VALUE, 0), scratch.resolve("run"))).build()) {
            long[] paraflow = new long[samples];
            long[] bare = new long[samples];
            long[] byHand = new long[samples];
            for (int i = -WARMUP; i < samples; i++) {
                // in turns, so that a busy moment of the machine hits all three alike
                long a = timed(() -> commandTask(flow));
                long b = timed(CommandOverhead::bareProcess);
                int round = i;
                long c = timed(() -> processByHand(scratch, round));
                if (i >= 0) {
                    paraflow[i] = a;
                    bare[i] = b;
                    byHand[i] = c;
                }
            }
            System.out.printf(Locale.ROOT, "Command task overhead: 'true', %,d samples one at a time after %d warm-up"
                    + " rounds, %s %s%n", samples, WARMUP, System.getProperty("java.vm.name"),
                    System.getProperty("java.version"));
            System.out.printf(Locale.ROOT, "  %-44s %10s %10s %10s%n", "", "median", "p90", "p99");
            print("paraflow command task (submit to get)", paraflow);
            print("baseline: ProcessBuilder start + waitFor", bare);
            print("baseline: same + own dir, stdout/err to files", byHand);
            double overhead = median(paraflow) - median(bare);
            System.out.printf(Locale.ROOT, "  median overhead over the bare baseline: %.3f ms (ratio %.2f);"
                    + " over the by-hand baseline: %.3f ms (ratio %.2f)%n", overhead / 1e6,
                    median(paraflow) / median(bare), (median(paraflow) - median(byHand)) / 1e6,
                    median(paraflow) / median(byHand));
            System.out.printf(Locale.ROOT, "  target: median of the command task at most 2 ms: %s%n",
                    median(paraflow) <= 2e6 ? "met" : "NOT met");
        } finally {
            deleteTree(scratch);
        }
    }

    /** Runs {@code true} as a command task and checks that it succeeded. */
    static void commandTask(Flow flow) throws Exception {
        CommandResult result = flow.command("true").args("true").submit().get();
        if (result.exitCode() != 0 || !Files.exists(result.stdout())) {
            throw new IllegalStateException("the command task did not run: " + result);
        }
    }

    /** The bare baseline: start {@code true} and wait for it. */
    static void bareProcess() throws Exception {
        int exit = new ProcessBuilder("true").start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("true exited with " + exit);
        }
    }

    /** The by-hand baseline: what a command task does around the program, written directly. */
    static void processByHand(Path scratch, int round) throws Exception {
        Path directory = Files.createDirectories(scratch.resolve("by-hand").resolve("true-" + (round + WARMUP)));
        Process process = new ProcessBuilder("true").directory(directory.toFile())
                .redirectOutput(directory.resolveSibling(directory.getFileName() + ".stdout").toFile())
                .redirectError(directory.resolveSibling(directory.getFileName() + ".stderr").toFile()).start();
        process.getOutputStream().close();
        int exit = process.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("true exited with " + exit);
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static long timed(Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return System.nanoTime() - start;
    }

    private static double median(long[] nanos) {
        return percentile(nanos, 50);
    }

    private static double percentile(long[] nanos, int p) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static void print(String what, long[] nanos) {
        System.out.printf(Locale.ROOT, "  %-44s %7.3f ms %7.3f ms %7.3f ms%n", what, median(nanos) / 1e6,
                percentile(nanos, 90) / 1e6, percentile(nanos, 99) / 1e6);
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
