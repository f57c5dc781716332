package io.paraflow.cli;

import io.paraflow.monitor.dashboard.Dashboard;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.monitor.trace.ChromeTrace;
import io.paraflow.monitor.trace.TaskGraphDot;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code paraflow monitor RUN.db}: serves the web dashboard of a recorded run (a monitoring database) until
 * the command is stopped (Ctrl-C, or an interrupt of its thread when embedded); with {@code --trace} or
 * {@code --dot}, writes the run's Chrome trace or task graph instead and exits.
 */
@Command(name = "monitor",
        mixinStandardHelpOptions = true,
        description = {"Serves the web dashboard of a run recorded in a monitoring database (finished, or still"
                + " running in another process) until stopped with Ctrl-C.",
                "With --trace or --dot, writes the run's Chrome trace or task graph to a new file instead, and exits."})
final class MonitorCommand implements Callable<Integer> {

    static final int DEFAULT_PORT = 8050;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "RUN.db", description = "The run's monitoring database.")
    private Path database;

    @Option(names = "--port", paramLabel = "P", description = "Port to serve on (default: ${DEFAULT-VALUE}; 0: any free port).")
    private int port = DEFAULT_PORT;

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "Address to serve on (default: ${DEFAULT-VALUE}, this machine only; the pages show task"
                    + " names, errors and stack traces).")
    private String bind = "127.0.0.1";

    @Option(names = "--trace", paramLabel = "FILE",
            description = "Writes the run as a Chrome trace to this new FILE (open it in ui.perfetto.dev or"
                    + " chrome://tracing) and exits without serving.")
    private Path trace;

    @Option(names = "--dot", paramLabel = "FILE",
            description = "Writes the task graph in Graphviz DOT to this new FILE (grouped by task name above"
                    + " --dot-max tasks; draw it with 'dot -Tsvg FILE') and exits without serving.")
    private Path dot;

    @Option(names = "--dot-max", paramLabel = "N",
            description = "With --dot: the most tasks drawn one by one (default: ${DEFAULT-VALUE}).")
    private int dotMax = TaskGraphDot.DEFAULT_MAX_TASKS;

    @Override
    public Integer call() throws SQLException, IOException {
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
        }
        if (dotMax < 0) {
            throw new ParameterException(spec.commandLine(), "--dot-max must not be negative, got " + dotMax);
        }
        // an option that would change nothing is a mistake the user should hear of, not a silent default
        ParseResult given = spec.commandLine().getParseResult();
        if (given.hasMatchedOption("--dot-max") && dot == null) {
            throw new ParameterException(spec.commandLine(), "--dot-max goes with --dot FILE (the task graph's export)");
        }
        if ((given.hasMatchedOption("--port") || given.hasMatchedOption("--bind")) && (trace != null || dot != null)) {
            throw new ParameterException(spec.commandLine(), "--port and --bind are for serving the dashboard; with"
                    + " --trace or --dot the run is exported and nothing is served");
        }
        for (Path export : new Path[] {trace, dot}) {
            if (export != null && Files.exists(export)) {
                throw new ParameterException(spec.commandLine(), export + " already exists; give a new file (nothing"
                        + " is overwritten)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        try (RunDatabase run = RunDatabase.open(database)) {
            run.run();
            if (trace != null || dot != null) {
                export(run, out);
                return 0;
            }
        }
        try (Dashboard dashboard = Dashboard.start(database, new InetSocketAddress(bind, port))) {
            out.println("Serving the dashboard of " + database + " at " + dashboard.uri() + " (Ctrl-C stops it)");
            out.flush();
            new CountDownLatch(1).await();
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private void export(RunDatabase run, PrintWriter out) throws IOException {
        if (trace != null) {
            writeNew(trace, "the Chrome trace", () -> ChromeTrace.write(run, trace));
            out.println("Wrote the Chrome trace of " + database + " to " + trace + " (open it in ui.perfetto.dev)");
        }
        if (dot != null) {
            writeNew(dot, "the task graph", () -> TaskGraphDot.write(run, dot, dotMax));
            out.println("Wrote the task graph of " + database + " to " + dot + " (draw it with: dot -Tsvg " + dot + ")");
        }
        out.flush();
    }

    /** Writes one export into a new file. */
    private interface Export {
        void write() throws IOException, SQLException;
    }

    /**
     * Runs {@code export}, which creates {@code file}; if it fails, deletes what it wrote (no half-written file
     * is left to be taken for a whole one) and says which file and why.
     */
    private void writeNew(Path file, String what, Export export) throws IOException {
        try {
            export.write();
        } catch (IOException | SQLException | RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException deleting) {
                e.addSuppressed(deleting);
            }
            // the message of a FileSystemException may be no more than the path
            throw new IOException("cannot write " + what + " of " + database + " to " + file + " (" + e + ")", e);
        }
    }
}
