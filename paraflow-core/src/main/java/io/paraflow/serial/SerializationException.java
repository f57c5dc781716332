package io.paraflow.serial;

import io.paraflow.ParaflowException;

/**
 * A value could not be serialized, or bytes could not be deserialized. The message names the type at
 * fault: the class that is not serializable, or the class outside the allow-list.
 */
public final class SerializationException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final String type;

    /**
     * Creates the exception.
     *
     * @param type the name of the class at fault, or null if none is known (corrupt bytes)
     */
    public SerializationException(String type, String message, Throwable cause) {
        super(message, cause);
        this.type = type;
    }

    /** The name of the class at fault, or null if none is known. */
    public String type() {
        return type;
    }
}
