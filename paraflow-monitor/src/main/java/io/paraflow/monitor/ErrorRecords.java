package io.paraflow.monitor;

import io.paraflow.DependencyFailedException;
import io.paraflow.TaskException;
import io.paraflow.TaskFailedException;
import io.paraflow.monitor.store.FailureRow;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Turns the error of a task event into a row of {@code failures}: the root error, its type and trace. */
final class ErrorRecords {

    private ErrorRecords() {
    }

    static FailureRow of(long taskId, int attempt, String outcome, Throwable error) {
        Throwable root = error instanceof TaskFailedException && error.getCause() != null ? error.getCause() : error;
        Long rootTaskId = error instanceof DependencyFailedException dependency ? dependency.failedTaskId() : null;
        // the runtime's own exceptions (timeout, cancellation, failed dependency) carry no useful trace
        boolean ownError = !(root instanceof TaskException);
        return new FailureRow(taskId, attempt, outcome, root.getClass().getName(), root.getMessage(), rootTaskId,
                ownError ? stackTrace(root) : null, null);
    }

    static String stackTrace(Throwable error) {
        StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
