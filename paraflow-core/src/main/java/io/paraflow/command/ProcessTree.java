package io.paraflow.command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

/** Kills a command's process with everything it started. */
final class ProcessTree {

    /** How long a killed program may take to exit after SIGTERM before it and its children get SIGKILL. */
    static final Duration GRACE = Duration.ofSeconds(2);
    private static final long POLL_MILLIS = 5;

    private ProcessTree() {
    }

    /**
     * Asks the process and all its descendants to terminate, waits up to {@link #GRACE} for them, then kills
     * what is left forcibly and waits for them to be gone. Descendants are collected before their parent
     * dies (an orphan is no longer a descendant) and again before the forced kill, for children started
     * meanwhile. Keeps the caller's interrupt status but is not cut short by an interrupt.
     */
    static void kill(Process process) {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        boolean interrupted = Thread.interrupted();
        interrupted |= awaitExit(process, tree);
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        interrupted |= awaitExit(process, tree);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process and its descendants forcibly at once, without waiting (the JVM is exiting). */
    static void killNow(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /**
     * Whether the process still runs: alive and not a zombie. An orphan that was killed stays a zombie until
     * the system's init reaps it, which some containers' init processes do late or never; the JDK counts
     * zombies as alive. Zombies are recognised on Linux (from {@code /proc}); elsewhere this is {@code isAlive}.
     */
    static boolean isRunning(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException | UncheckedIOException noProcFileSystem) {
            return handle.isAlive();
        }
    }

    /**
     * Waits up to {@link #GRACE} until the process and {@code tree} have exited; returns whether an interrupt
     * arrived meanwhile. Polls: the JDK's exit notification for processes that are not our children polls too,
     * with waits that grow to seconds.
     */
    private static boolean awaitExit(Process process, Set<ProcessHandle> tree) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + GRACE.toNanos();
        while (process.isAlive() || tree.stream().anyMatch(ProcessTree::isRunning)) {
            if (System.nanoTime() - deadline > 0) {
                break;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
