package io.paraflow.data;

import java.nio.file.Path;

/**
 * A file that a task declared as its output does not exist when the task's function or program ended. The
 * task fails with it (the retry policy may retry); its dependents do not run.
 */
public final class MissingOutputException extends MissingFileException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the error for {@code file}.
     *
     * @param detail what declared it and what happened, appended to the message
     */
    public MissingOutputException(Path file, String detail) {
        super(file, "missing output file " + file + ": " + detail);
    }
}
