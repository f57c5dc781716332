package io.paraflow.data;

import io.paraflow.ParaflowException;

import java.nio.file.Path;

/**
 * A file a task needs or promised is not there; the subclass says which side:
 * {@link MissingInputException} or {@link MissingOutputException}. A retry policy can weigh either, or both
 * through this type.
 */
public abstract class MissingFileException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    /** Kept as a string: {@link Path} is not serializable. */
    private final String file;

    /** Creates the error for {@code file}; {@code message} names it. */
    protected MissingFileException(Path file, String message) {
        super(message, null);
        this.file = file.toString();
    }

    /** The missing file. */
    public Path file() {
        return Path.of(file);
    }
}
