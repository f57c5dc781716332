package io.paraflow.cli;

import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Stack;

/**
 * The options that say how a command's runs are watched: the progress line, a monitoring database, the
 * live dashboard and its address. Shared ({@code @Mixin}) by {@code demo} and {@code run}, which say in their
 * descriptions which runs they apply to.
 */
final class MonitoringOptions {

    @Spec(Spec.Target.MIXEE)
    private CommandSpec command;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Shows the progress on stderr (default: on; --no-progress hides it).")
    boolean progress;

    @Option(names = "--dashboard", paramLabel = "PORT", arity = "0..1", preprocessor = OptionalPort.class,
            description = "Serves the live dashboard while the run goes on, on 127.0.0.1:PORT or --dashboard-bind"
                    + " (no PORT: any free port); the address is printed on stderr.")
    Integer dashboardPort;

    @Option(names = "--dashboard-bind", paramLabel = "ADDRESS",
            description = "With --dashboard: the address to serve on (default 127.0.0.1, this machine only; the pages"
                    + " show task names, errors and stack traces).")
    String dashboardBind;

    @Option(names = "--database", paramLabel = "FILE",
            description = "Records the run in this new monitoring database; 'paraflow monitor FILE' serves it afterwards.")
    Path database;

    /**
     * Takes the argument after {@code --dashboard} as its port only if it is a number, so that
     * {@code run --dashboard APP.jar} runs APP.jar on any free port instead of failing to read a port.
     */
    static final class OptionalPort implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec option, Map<String, Object> info) {
            boolean attached = !" ".equals(info.get("separator"));
            if (!attached && (args.isEmpty() || !args.peek().matches("\\d+"))) {
                args.push("0");
            }
            return false;
        }
    }

    /** The dashboard's address: {@code --dashboard-bind}, or the loopback address. */
    String dashboardAddress() {
        return dashboardBind != null ? dashboardBind : "127.0.0.1";
    }

    /** Refuses a bad combination with a usage error that says what to change. */
    void validate() {
        if (dashboardPort != null && (dashboardPort < 0 || dashboardPort > 65_535)) {
            throw usage("--dashboard port must be between 0 and 65535, got " + dashboardPort);
        }
        if (dashboardBind != null && dashboardPort == null) {
            throw usage("--dashboard-bind sets the address of the dashboard: it needs --dashboard");
        }
        if (database != null && Files.isDirectory(database)) {
            throw usage("--database " + database + " is a directory; give the name of a new file, such as "
                    + database.resolve("run.db"));
        }
        if (database != null && Files.exists(database)) {
            throw usage("--database " + database + " already exists; give each run a new file");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }
}
