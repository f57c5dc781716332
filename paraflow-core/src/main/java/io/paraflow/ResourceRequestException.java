package io.paraflow;

/**
 * A task asks for something no executor of the flow can give: more cores, memory or GPUs than the
 * executor has, or an executor label the flow does not know. Thrown by {@code submit}, so that a task
 * that could never run fails at once instead of waiting forever. The message says what was asked and
 * what exists.
 */
public final class ResourceRequestException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that states the request and the available capacity. */
    public ResourceRequestException(String message) {
        super(message);
    }
}
