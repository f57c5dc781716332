package io.paraflow.cli;

import io.paraflow.monitor.dashboard.Dashboard;
import io.paraflow.monitor.store.RunDatabase;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code paraflow monitor RUN.db}: serves the web dashboard of a recorded run (a monitoring database) until
 * the command is stopped (Ctrl-C, or an interrupt of its thread when embedded).
 */
@Command(name = "monitor",
        mixinStandardHelpOptions = true,
        description = {"Serves the web dashboard of a run recorded in a monitoring database (finished, or still"
                + " running in another process) until stopped with Ctrl-C."})
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

    @Override
    public Integer call() throws SQLException {
        if (port < 0 || port > 65_535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, got " + port);
        }
        try (RunDatabase run = RunDatabase.open(database)) {
            run.run();
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Dashboard dashboard = Dashboard.start(database, new InetSocketAddress(bind, port))) {
            out.println("Serving the dashboard of " + database + " at " + dashboard.uri() + " (Ctrl-C stops it)");
            out.flush();
            new CountDownLatch(1).await();
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
