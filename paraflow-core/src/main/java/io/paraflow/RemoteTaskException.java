package io.paraflow;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * An exception thrown by a task function in another JVM (a worker process, a cluster member), as it
 * reaches the driver: it keeps the original exception's class name ({@link #remoteType()}), message and
 * stack trace (the remote frames), and its cause chain as further remote exceptions. Its
 * {@link #toString()} reads like the original's: {@code java.lang.IllegalArgumentException: bad input}.
 *
 * <p>The original exception object is never shipped, so the driver needs neither its class nor to trust
 * it: only strings and stack frames cross the process boundary.
 */
public final class RemoteTaskException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final String remoteType;

    /**
     * Creates a remote exception.
     *
     * @param remoteType the class name of the original exception, or null if the sender does not know it
     * @param message    the original message, or null
     * @param frames     the original stack trace
     * @param cause      the original cause, as a remote exception, or null
     */
    public RemoteTaskException(String remoteType, String message, StackTraceElement[] frames,
                               RemoteTaskException cause) {
        super(message, cause);
        this.remoteType = remoteType;
        setStackTrace(frames);
    }

    /**
     * Captures {@code error}, its cause chain and its suppressed exceptions as remote exceptions, ready
     * to be serialized where {@code error} was thrown.
     */
    public static RemoteTaskException capture(Throwable error) {
        return capture(error, Collections.newSetFromMap(new IdentityHashMap<>()));
    }

    private static RemoteTaskException capture(Throwable error, Set<Throwable> captured) {
        captured.add(error);
        Throwable original = error.getCause();
        RemoteTaskException cause = original == null || captured.contains(original) ? null : capture(original, captured);
        String type = error instanceof RemoteTaskException remote ? remote.remoteType : error.getClass().getName();
        RemoteTaskException copy = new RemoteTaskException(type, error.getMessage(), error.getStackTrace(), cause);
        for (Throwable suppressed : error.getSuppressed()) {
            if (!captured.contains(suppressed)) {
                copy.addSuppressed(capture(suppressed, captured));
            }
        }
        return copy;
    }

    /**
     * The class name of the exception thrown remotely, or null if its sender did not give it (the constructor
     * allows it, and deserialization does not go through the constructor, so a null can come from another JVM).
     */
    public String remoteType() {
        return remoteType;
    }

    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return message == null ? remoteType : remoteType + ": " + message;
    }
}
