package io.paraflow.cluster.security;

/**
 * A sealed message that does not open: it was sealed with another secret or for another purpose, was
 * changed on the way, or is not a sealed message at all. Nothing of its content has been interpreted.
 */
public final class RejectedMessageException extends Exception {
    private static final long serialVersionUID = 1L;

    RejectedMessageException(String message) {
        super(message);
    }

    RejectedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
