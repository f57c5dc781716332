package io.paraflow.command;

import io.paraflow.ParaflowException;

import java.nio.file.Path;
import java.util.List;

/**
 * A command's program exited with a non-zero code. The message names the task, the exit code and the
 * command line, and quotes the last lines of its standard error and output; the command's task fails with
 * this exception as the cause of its {@link io.paraflow.TaskFailedException} (a retry policy may retry it).
 */
public final class CommandFailedException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final CommandOutput output;

    /**
     * Creates the failure and reads the tails of the output files.
     *
     * @param command how the message names the command, e.g. {@code command 'sort' (#3)}
     */
    public CommandFailedException(String command, List<String> argv, int exitCode, Path stdout, Path stderr) {
        this(command, argv, exitCode, CommandOutput.readStdoutAndStderr(stdout, stderr));
    }

    private CommandFailedException(String command, List<String> argv, int exitCode, CommandOutput output) {
        super(command + " exited with code " + exitCode + ": " + CommandCall.commandLine(argv) + output.sections(), null);
        this.exitCode = exitCode;
        this.output = output;
    }

    /** The program's exit code (not zero). */
    public int exitCode() {
        return exitCode;
    }

    /** What the program wrote: its output files and their last lines, which the message quotes. */
    public CommandOutput output() {
        return output;
    }

    /** The last lines of the program's standard error (up to 20), or "" if it wrote none. */
    public String stderrTail() {
        return output.stderrTail();
    }

    /** The last lines of the program's standard output (up to 10), or "" if it wrote none. */
    public String stdoutTail() {
        return output.stdoutTail();
    }

    /** The file with the program's whole standard output. */
    public Path stdout() {
        return output.stdout();
    }

    /** The file with the program's whole standard error. */
    public Path stderr() {
        return output.stderr();
    }
}
