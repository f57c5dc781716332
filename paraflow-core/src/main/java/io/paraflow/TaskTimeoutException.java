package io.paraflow;

import io.paraflow.command.CommandOutput;

import java.time.Duration;
import java.util.Optional;

/**
 * An attempt of a task ran longer than the task's timeout. The attempt was interrupted (a thread) or
 * killed (a process); the retry policy sees this exception and may try again. For a command, it carries
 * what the program wrote until then ({@link #output()}), and its message ends with those last lines.
 */
public final class TaskTimeoutException extends TaskException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;
    private final CommandOutput output;

    /** Creates the timeout of the given attempt of a task. */
    public TaskTimeoutException(long taskId, String taskName, int attempt, Duration timeout, String worker) {
        this(taskId, taskName, attempt, timeout, worker, null);
    }

    /**
     * Creates the timeout of the given attempt of a command task, with what its program wrote until then
     * (null if unknown), whose last lines end the message.
     */
    public TaskTimeoutException(long taskId, String taskName, int attempt, Duration timeout, String worker,
                                CommandOutput output) {
        super(taskId, taskName, "task " + describe(taskId, taskName) + " " + reason(timeout)
                + " on attempt " + attempt + " (worker " + worker + ")" + (output == null ? "" : output.sections()), null);
        this.timeout = timeout;
        this.output = output;
    }

    /** The timeout the attempt exceeded. */
    public Duration timeout() {
        return timeout;
    }

    /** What the attempt's program wrote until it was stopped: for a command task; empty for other tasks. */
    public Optional<CommandOutput> output() {
        return Optional.ofNullable(output);
    }

    static String reason(Duration timeout) {
        return "timed out after " + Durations.format(timeout);
    }
}
