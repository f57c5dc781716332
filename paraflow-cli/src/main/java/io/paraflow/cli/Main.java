package io.paraflow.cli;

import io.paraflow.TaskException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The {@code paraflow} command. Each subcommand is its own class listed in {@link Command#subcommands()};
 * exit codes follow picocli: 0 success, 1 a failure while running, 2 a usage error (unknown
 * subcommand or bad option).
 */
@Command(name = "paraflow",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {DemoCommand.class, CheckpointsCommand.class, MonitorCommand.class, SecretCommand.class, WorkerCommand.class,
                RunCommand.class, HelpCommand.class},
        description = "Runs sequential Java programs with their independent parts in parallel.")
public final class Main implements Runnable {

    @Spec
    private CommandSpec spec;

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(commandLine(out, err).execute(args));
    }

    /**
     * The {@code paraflow} command line, writing to {@code out} and {@code err}: what {@link #main} runs,
     * usable in process (tests, or another tool embedding the command).
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        // Everything after APP.jar belongs to the program, options included.
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
        commandLine.setExecutionExceptionHandler((failure, failedCommand, parseResult) -> {
            err.println(failedCommand.getCommandSpec().qualifiedName() + ": " + describe(failure));
            err.flush();
            return failedCommand.getCommandSpec().exitCodeOnExecutionException();
        });
        return commandLine;
    }

    /** Without a subcommand there is nothing to do: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The failure's message and the messages of its causes, without the wrappers of asynchronous calls. */
    static String describe(Throwable failure) {
        Throwable shown = failure;
        while ((shown instanceof CompletionException || shown instanceof ExecutionException)
                && shown.getCause() != null) {
            shown = shown.getCause();
        }
        StringBuilder text = new StringBuilder(String.valueOf(shown.getMessage() != null ? shown.getMessage() : shown));
        for (Throwable cause = shown.getCause(); cause != null; cause = cause.getCause()) {
            if (!alreadyQuoted(text, cause)) {
                text.append(System.lineSeparator()).append("  caused by: ").append(cause);
            }
        }
        return text.toString();
    }

    /**
     * Task failures quote their cause in their message, and a dependency failure quotes the original
     * error of the task that failed first, so the task failure between them adds nothing.
     */
    private static boolean alreadyQuoted(CharSequence text, Throwable cause) {
        String shown = text.toString();
        return shown.contains(cause.toString()) || cause instanceof TaskException && cause.getCause() != null
                && shown.contains(cause.getCause().toString());
    }

    /** The version of the build, with the JVM it runs on. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IOException("version.properties is missing from the paraflow-cli jar");
                }
                properties.load(in);
            }
            return new String[] {
                    "paraflow " + properties.getProperty("version"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), "
                            + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                            + Runtime.getRuntime().availableProcessors() + " processors"
            };
        }
    }
}
