package io.paraflow;

import java.util.List;

/**
 * The worker process (or node) running a task's attempt died before answering: it exited, crashed, was
 * killed or ran out of memory. The attempt is offered to the task's retry policy like any failure, so
 * {@code retries(n)} runs it again on a fresh worker. The message names the worker, how it ended and
 * the last lines it wrote to its standard error.
 */
public final class WorkerLostException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final String worker;
    private final int exitStatus;
    private final List<String> stderrTail;

    /**
     * Creates the exception.
     *
     * @param worker     the worker's name
     * @param exitStatus its exit status ({@code 128 + n} when killed by signal n)
     * @param stderrTail the last lines of its standard error, oldest first
     * @param started    whether the worker had started; if not, it failed to start (bad JVM options, say)
     */
    public WorkerLostException(String worker, int exitStatus, List<String> stderrTail, boolean started) {
        super("worker " + worker + (started ? " was lost: " : " could not start: ") + describeExit(exitStatus)
                + (stderrTail.isEmpty() ? "; it wrote nothing to stderr"
                : "; last lines of its stderr:\n  " + String.join("\n  ", stderrTail)), null);
        this.worker = worker;
        this.exitStatus = exitStatus;
        this.stderrTail = List.copyOf(stderrTail);
    }

    /** The name of the worker that was lost. */
    public String worker() {
        return worker;
    }

    /** Its exit status; {@code 128 + n} when it was killed by signal n. */
    public int exitStatus() {
        return exitStatus;
    }

    /** The last lines it wrote to its standard error, oldest first. */
    public List<String> stderrTail() {
        return stderrTail;
    }

    private static String describeExit(int status) {
        if (status > 128 && status < 128 + 65) {
            int signal = status - 128;
            String name = switch (signal) {
                case 6 -> " (SIGABRT)";
                case 9 -> " (SIGKILL)";
                case 11 -> " (SIGSEGV)";
                case 15 -> " (SIGTERM)";
                default -> "";
            };
            return "exit status " + status + ", killed by signal " + signal + name;
        }
        return "exit status " + status;
    }
}
