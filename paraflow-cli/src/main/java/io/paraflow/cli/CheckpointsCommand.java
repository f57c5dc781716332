package io.paraflow.cli;

import io.paraflow.cache.Checkpoints;
import io.paraflow.cache.Checkpoints.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code paraflow checkpoints list|clean DIR}: what a checkpoint store holds, and deleting it. */
@Command(name = "checkpoints",
        mixinStandardHelpOptions = true,
        description = "Lists or cleans a checkpoint store (the directory a flow's checkpoints(...) names).",
        subcommands = {CheckpointsCommand.ListCommand.class, CheckpointsCommand.CleanCommand.class})
final class CheckpointsCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "Missing subcommand: choose list or clean");
    }

    private static IOException explained(Path directory, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new IOException("no checkpoint store in " + directory, e);
        }
        return e;
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Prints the results a store holds, per task name, or every one with --all.")
    static final class ListCommand implements Callable<Integer> {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(ZoneId.systemDefault());

        @Spec
        private CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "The checkpoint store's directory.")
        private Path directory;

        @Option(names = "--all", description = "One line per recorded result instead of a summary per task name.")
        private boolean all;

        @Override
        public Integer call() throws IOException {
            List<Checkpoint> checkpoints;
            try {
                checkpoints = Checkpoints.list(directory);
            } catch (IOException e) {
                throw explained(directory, e);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (all) {
                out.printf("%-19s  %-24s %-10s %-7s %10s  %s%n", "finished", "task", "version", "kind", "bytes", "key");
                for (Checkpoint c : checkpoints) {
                    out.printf("%-19s  %-24s %-10s %-7s %10d  %s%n", TIME.format(c.finishedAt()), c.name(),
                            c.version().isEmpty() ? "-" : c.version(), c.failure() ? "failure" : "value", c.bytes(),
                            c.key().substring(0, 16));
                }
            } else {
                Map<String, long[]> byName = new TreeMap<>();
                for (Checkpoint c : checkpoints) {
                    long[] counts = byName.computeIfAbsent(c.name() + (c.version().isEmpty() ? "" : " @" + c.version()),
                            n -> new long[3]);
                    counts[c.failure() ? 1 : 0]++;
                    counts[2] += c.bytes();
                }
                out.printf("%-32s %8s %8s %12s%n", "task", "values", "failures", "bytes");
                for (Map.Entry<String, long[]> e : byName.entrySet()) {
                    out.printf("%-32s %8d %8d %12d%n", e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2]);
                }
            }
            out.printf("%d result(s) in %s%n", checkpoints.size(), directory);
            out.flush();
            return 0;
        }
    }

    @Command(name = "clean", mixinStandardHelpOptions = true,
            description = "Deletes the store, so the next run computes every task again.")
    static final class CleanCommand implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Parameters(paramLabel = "DIR", description = "The checkpoint store's directory.")
        private Path directory;

        @Override
        public Integer call() throws IOException {
            int count;
            try {
                count = Checkpoints.list(directory).size();
                Checkpoints.clean(directory);
            } catch (IOException e) {
                throw explained(directory, e);
            }
            spec.commandLine().getOut().printf("deleted %d result(s) from %s%n", count, directory);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
