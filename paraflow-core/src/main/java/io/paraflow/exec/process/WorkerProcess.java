package io.paraflow.exec.process;

import io.paraflow.internal.ChildEnvironment;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One worker JVM as the driver sees it: the process, the stream its tasks go to, the thread that reads
 * its answers and the thread that keeps the tail of its stderr (and forwards it). The fields about the
 * task it runs are guarded by the executor's lock.
 */
final class WorkerProcess {
    final String name;
    final Process process;
    final DataInputStream answers;
    final StderrTail stderrTail = new StderrTail();
    private final DataOutputStream requests;
    private final String threadPrefix;
    private final Thread stderrThread;
    private Thread readerThread;

    /** The attempt it runs; guarded by the executor's lock. */
    ProcessExecutor.Assignment running;
    /** Tasks it has been given; guarded by the executor's lock. */
    int tasksGiven;
    /** Whether it said it is ready; guarded by the executor's lock. */
    boolean ready;
    /** Set when it must get no more tasks (recycled, stopped or closing); guarded by the executor's lock. */
    boolean retired;

    /**
     * Starts the process. Returns once it was started, without waiting for the JVM to be up: the first
     * task waits in the pipe meanwhile.
     */
    WorkerProcess(String label, int number, List<String> command, Map<String, String> environment,
                  PrintStream forwardTo) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        ChildEnvironment.withoutSecret(builder.environment());
        builder.environment().putAll(environment);
        this.process = builder.start();
        this.name = label + "-" + number + " (pid " + process.pid() + ")";
        this.requests = new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 16));
        this.answers = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        String prefix = "[" + label + "-" + number + "] ";
        this.threadPrefix = "paraflow-" + label + "-" + number;
        this.stderrThread = new Thread(() -> drainStderr(prefix, forwardTo), threadPrefix + "-stderr");
        this.stderrThread.setDaemon(true);
        this.stderrThread.start();
    }

    /** Starts the thread that reads answers, running {@code loop}. */
    void startReader(Runnable loop) {
        readerThread = new Thread(loop, threadPrefix + "-answers");
        readerThread.setDaemon(true);
        readerThread.start();
    }

    /** Sends a task. Called by one thread at a time: the one that assigned the task. */
    void send(byte[] invocation) throws IOException {
        Frames.write(requests, Frames.RUN, invocation);
    }

    /** Closes the worker's stdin: it exits at once, even if it runs a task. */
    void endInput() {
        try {
            requests.close();
        } catch (IOException alreadyGone) {
            // a dead worker's pipe: nothing left to end
        }
    }

    /** Kills the process (SIGKILL). */
    void kill() {
        process.destroyForcibly();
    }

    /**
     * Waits for the process to exit, killing it after {@code graceMillis}; returns its exit status.
     * Never waits for ever.
     */
    int awaitExit(long graceMillis) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                        process.destroyForcibly();
                        process.waitFor();
                    }
                    return process.exitValue();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits for the stderr thread to have read what the dead process wrote; bounded, since a child the
     * task started may still hold the pipe open.
     */
    void awaitStderr(long millis) {
        join(stderrThread, millis);
    }

    /**
     * Waits for both of its threads to end (after the process exited). A child the task started may hold
     * the stderr pipe open: after {@code millis} the stream is closed under the thread, which ends it.
     */
    void joinThreads(long millis) {
        join(stderrThread, millis);
        if (stderrThread.isAlive()) {
            try {
                process.getErrorStream().close();
            } catch (IOException ignored) {
                // closing is all that was asked
            }
            join(stderrThread, millis);
        }
        if (readerThread != null && readerThread != Thread.currentThread()) {
            join(readerThread, millis);
        }
    }

    /**
     * The last lines left on the worker's stdout after it stopped writing frames (a crashed JVM's
     * report), once the process exited.
     */
    List<String> remainingStdout() {
        StderrTail rest = new StderrTail();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            // only what is already there: a child of the worker may hold the pipe open
            for (int available; (available = answers.available()) > 0; ) {
                bytes.write(answers.readNBytes(available));
            }
        } catch (IOException closed) {
            // what was read is what there is
        }
        bytes.toString(StandardCharsets.UTF_8).lines().forEach(rest::add);
        return rest.lines();
    }

    boolean threadsAlive() {
        return stderrThread.isAlive() || readerThread != null && readerThread.isAlive();
    }

    private static void join(Thread thread, long millis) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainStderr(String prefix, PrintStream forwardTo) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                stderrTail.add(line);
                if (forwardTo != null) {
                    forwardTo.println(prefix + line);
                }
            }
        } catch (IOException closed) {
            // the process is gone; its tail is complete
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
