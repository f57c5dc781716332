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
    private final String stderrTail;
    private final String stdoutTail;
    private final String stdout;
    private final String stderr;

    /**
     * Creates the failure and reads the tails of the output files.
     *
     * @param command how the message names the command, e.g. {@code command 'sort' (#3)}
     */
    public CommandFailedException(String command, List<String> argv, int exitCode, Path stdout, Path stderr) {
        this(command, argv, exitCode, stdout, stderr, Tails.of(stderr, Tails.STDERR_LINES),
                Tails.of(stdout, Tails.STDOUT_LINES));
    }

    private CommandFailedException(String command, List<String> argv, int exitCode, Path stdout, Path stderr,
                                   String stderrTail, String stdoutTail) {
        super(command + " exited with code " + exitCode + ": " + CommandCall.commandLine(argv)
                + Tails.section("stderr", stderr, stderrTail) + Tails.section("stdout", stdout, stdoutTail), null);
        this.exitCode = exitCode;
        this.stderrTail = stderrTail;
        this.stdoutTail = stdoutTail;
        this.stdout = stdout.toString();
        this.stderr = stderr.toString();
    }

    /** The program's exit code (not zero). */
    public int exitCode() {
        return exitCode;
    }

    /** The last lines of the program's standard error (up to 20), or "" if it wrote none. */
    public String stderrTail() {
        return stderrTail;
    }

    /** The last lines of the program's standard output (up to 10), or "" if it wrote none. */
    public String stdoutTail() {
        return stdoutTail;
    }

    /** The file with the program's whole standard output. */
    public Path stdout() {
        return Path.of(stdout);
    }

    /** The file with the program's whole standard error. */
    public Path stderr() {
        return Path.of(stderr);
    }
}
