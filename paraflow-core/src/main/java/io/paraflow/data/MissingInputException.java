package io.paraflow.data;

import io.paraflow.ParaflowException;

import java.nio.file.Path;

/**
 * An input file of a command (a {@link FileRef} among its arguments) does not exist when the command is
 * about to start; the program is not started and the command's task fails with it.
 */
public final class MissingInputException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final String file;

    /**
     * Creates the error for {@code file}.
     *
     * @param detail which task and argument needed it, appended to the message
     */
    public MissingInputException(Path file, String detail) {
        super("missing input file " + file + ": " + detail, null);
        this.file = file.toString();
    }

    /** The missing file. */
    public Path file() {
        return Path.of(file);
    }
}
