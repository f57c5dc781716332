package io.paraflow.data;

import java.nio.file.Path;

/**
 * An input file of a command (a {@link FileRef} among its arguments) does not exist when the command is
 * about to start; the program is not started and the command's task fails with it.
 */
public final class MissingInputException extends MissingFileException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error for {@code file}.
     *
     * @param detail which task and argument needed it, appended to the message
     */
    public MissingInputException(Path file, String detail) {
        super(file, "missing input file " + file + ": " + detail);
    }
}
