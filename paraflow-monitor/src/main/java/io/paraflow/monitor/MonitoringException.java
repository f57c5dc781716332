package io.paraflow.monitor;

import io.paraflow.ParaflowException;

/**
 * Monitoring could not do its job: the database could not be created or written. The run's tasks are
 * never affected by it; the message names the file and what went wrong.
 */
public final class MonitoringException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the file, and the underlying error. */
    public MonitoringException(String message, Throwable cause) {
        super(message, cause);
    }
}
