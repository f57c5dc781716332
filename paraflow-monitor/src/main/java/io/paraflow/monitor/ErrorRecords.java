package io.paraflow.monitor;

import io.paraflow.DependencyFailedException;
import io.paraflow.RemoteTaskException;
import io.paraflow.TaskException;
import io.paraflow.TaskFailedException;
import io.paraflow.TaskTimeoutException;
import io.paraflow.command.CommandFailedException;
import io.paraflow.command.CommandOutput;
import io.paraflow.monitor.store.FailureRow;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Turns the error of a task event into a row of {@code failures}: the root error, its type (for an error
 * thrown in another JVM, the original's) and trace, and for a command that failed or timed out the tails of
 * its stderr and stdout.
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
        CommandOutput output = commandOutput(root);
        return new FailureRow(taskId, attempt, outcome, type(root), message(root), rootTaskId,
                traced ? stackTrace(root) : null, output != null ? output.stderrTail() : null,
                output != null ? output.stdoutTail() : null);
    }

    /**
     * The class of what the function threw: in another JVM (a worker process, the cluster), the original's,
     * if the remote exception names it (the column is NOT NULL: a null would stop the recording of the run).
     */
    private static String type(Throwable error) {
        return error instanceof RemoteTaskException remote && remote.remoteType() != null
                ? remote.remoteType() : error.getClass().getName();
    }

    /** What a command wrote before it failed or timed out; null for other errors. */
    private static CommandOutput commandOutput(Throwable error) {
        if (error instanceof CommandFailedException failed) {
            return failed.output();
        }
        return error instanceof TaskTimeoutException timeout ? timeout.output().orElse(null) : null;
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
