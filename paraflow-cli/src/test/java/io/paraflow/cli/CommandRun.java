package io.paraflow.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.UnaryOperator;

/** What one in-process run of the {@code paraflow} command printed, and its exit code. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(String... args) {
        return of(UnaryOperator.identity(), args);
    }

    /** Runs {@code args} on the command line after {@code customize} (for example adding a test subcommand). */
    static CommandRun of(UnaryOperator<CommandLine> customize, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = customize.apply(Main.commandLine(new PrintWriter(out), new PrintWriter(err))).execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}
