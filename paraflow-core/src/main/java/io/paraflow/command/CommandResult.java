package io.paraflow.command;

import io.paraflow.data.FileRef;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * What a command that succeeded left: its declared output files, its exit code (0) and the files with its
 * standard output and error. Passed as an argument to another command, it stands for its output files.
 * Immutable, thread-safe and serializable.
 */
public final class CommandResult implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int exitCode;
    private final List<String> declared;
    private final List<FileRef> outputs;
    private final String stdout;
    private final String stderr;
    private final String workingDirectory;

    CommandResult(int exitCode, List<String> declared, List<FileRef> outputs, Path stdout, Path stderr,
                  Path workingDirectory) {
        this.exitCode = exitCode;
        this.declared = List.copyOf(declared);
        this.outputs = List.copyOf(outputs);
        this.stdout = stdout.toString();
        this.stderr = stderr.toString();
        this.workingDirectory = workingDirectory.toString();
    }

    /** The program's exit code. */
    public int exitCode() {
        return exitCode;
    }

    /** The declared output files, in the order of {@link CommandBuilder#outputs}; each exists. */
    public List<FileRef> outputs() {
        return outputs;
    }

    /**
     * The output declared as {@code declared} (exactly as given to {@link CommandBuilder#outputs}, e.g.
     * {@code "sorted.txt"}).
     *
     * @throws NoSuchElementException if no output was declared so, naming the declared ones
     */
    public FileRef output(String declared) {
        int i = this.declared.indexOf(declared);
        if (i < 0) {
            throw new NoSuchElementException("no output '" + declared + "' was declared; declared: " + this.declared);
        }
        return outputs.get(i);
    }

    /**
     * The only declared output.
     *
     * @throws IllegalStateException if the command declared none or several
     */
    public FileRef output() {
        if (outputs.size() != 1) {
            throw new IllegalStateException("output() needs exactly one declared output, but there are "
                    + outputs.size() + ": " + declared + "; use output(name)");
        }
        return outputs.get(0);
    }

    /** The file with the program's standard output. */
    public Path stdout() {
        return Path.of(stdout);
    }

    /** The file with the program's standard error. */
    public Path stderr() {
        return Path.of(stderr);
    }

    /** The directory the program ran in. */
    public Path workingDirectory() {
        return Path.of(workingDirectory);
    }

    @Override
    public String toString() {
        return "CommandResult[exit " + exitCode + ", outputs " + outputs + ", stdout " + stdout + "]";
    }
}
