package io.paraflow.command;

import java.io.Serializable;
import java.nio.file.Path;

/**
 * What a command's program wrote up to a moment (its end, or its timeout): the files that hold its whole
 * standard error and output, and their last lines (up to 20 of stderr, 10 of stdout, from at most the last
 * 8 KiB of each file; a line that began before those starts with "…"). A failed command's
 * {@link CommandFailedException} and a timed-out command's {@link io.paraflow.TaskTimeoutException} carry it,
 * so that monitors can show the tails apart from the message, which quotes them too.
 * Immutable, thread-safe and serializable (strings only).
 */
public final class CommandOutput implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String stderr;
    private final String stdout;
    private final String stderrTail;
    private final String stdoutTail;

    private CommandOutput(Path stderr, Path stdout, String stderrTail, String stdoutTail) {
        this.stderr = stderr.toString();
        this.stdout = stdout.toString();
        this.stderrTail = stderrTail;
        this.stdoutTail = stdoutTail;
    }

    /**
     * Reads the tails of a program's output files now, for an executor that runs programs and implements
     * {@link io.paraflow.exec.TaskExecutor#timeoutOutput}. Blocks while it reads at most the last 8 KiB of each
     * file (16 KiB in all); never throws: a file that is missing or empty gives "", one that cannot be read a
     * note naming the error. Thread-safe; the files may still be being written.
     *
     * @param stdout the file with the program's standard output (the same order as {@link CommandFailedException})
     * @param stderr the file with the program's standard error
     */
    public static CommandOutput readStdoutAndStderr(Path stdout, Path stderr) {
        return new CommandOutput(stderr, stdout, Tails.of(stderr, Tails.STDERR_LINES), Tails.of(stdout, Tails.STDOUT_LINES));
    }

    /** The last lines of the program's standard error (up to 20), or "" if it wrote none. */
    public String stderrTail() {
        return stderrTail;
    }

    /** The last lines of the program's standard output (up to 10), or "" if it wrote none. */
    public String stdoutTail() {
        return stdoutTail;
    }

    /** The file with the program's whole standard error. */
    public Path stderr() {
        return Path.of(stderr);
    }

    /** The file with the program's whole standard output. */
    public Path stdout() {
        return Path.of(stdout);
    }

    /**
     * The tails as they end an exception's message: {@code "\n--- last lines of stderr (FILE):\n..."}, then the
     * same for stdout, each only if not empty; "" if the program wrote nothing.
     */
    public String sections() {
        return Tails.section("stderr", stderr(), stderrTail) + Tails.section("stdout", stdout(), stdoutTail);
    }

    @Override
    public String toString() {
        return "CommandOutput[stderr " + stderr + ", stdout " + stdout + "]";
    }
}
