package io.paraflow.monitor;

import io.paraflow.DependencyFailedException;
import io.paraflow.TaskException;
import io.paraflow.TaskFailedException;
import io.paraflow.command.CommandFailedException;
import io.paraflow.monitor.store.FailureRow;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Turns the error of a task event into a row of {@code failures}: the root error, its type and trace, and
 * for a command that failed the tails of its stderr and stdout.
 * User exceptions whose {@code getMessage()} or stack trace printing throws are recorded with a note
 * instead, so that one odd exception never stops the recording of a run.
 */
final class ErrorRecords {

    private ErrorRecords() {
    }

    static FailureRow of(long taskId, int attempt, String outcome, Throwable error) {
        Throwable root = error instanceof TaskFailedException && error.getCause() != null ? error.getCause() : error;
        Long rootTaskId = error instanceof DependencyFailedException dependency ? dependency.failedTaskId() : null;
        // the runtime's timeouts and failed dependencies carry no useful trace; a cancellation's shows who cancelled
        boolean traced = !(root instanceof TaskException);
        CommandFailedException command = root instanceof CommandFailedException failed ? failed : null;
        return new FailureRow(taskId, attempt, outcome, root.getClass().getName(), message(root), rootTaskId,
                traced ? stackTrace(root) : null, command != null ? command.stderrTail() : null,
                command != null ? command.stdoutTail() : null);
    }

    private static String message(Throwable error) {
        try {
            return error.getMessage();
        } catch (RuntimeException e) {
            return "(its getMessage() threw " + e.getClass().getName() + ")";
        }
    }

    private static String stackTrace(Throwable error) {
        StringWriter text = new StringWriter();
        try {
            error.printStackTrace(new PrintWriter(text));
        } catch (RuntimeException e) {
            text.append(System.lineSeparator()).append("(printing the stack trace threw ")
                    .append(e.getClass().getName()).append(')');
        }
        return text.toString();
    }
}
