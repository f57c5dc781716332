package io.paraflow.command;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Kills a command's process with everything it started. */
final class ProcessTree {

    /** How long a killed program may take to exit after SIGTERM before it and its children get SIGKILL. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private ProcessTree() {
    }

    /**
     * Asks the process and all its descendants to terminate, waits up to {@link #GRACE} for them, then kills
     * what is left forcibly and waits for the process to be gone. Descendants are collected before their
     * parent dies (an orphan is no longer a descendant) and again before the forced kill, for children
     * started meanwhile. Keeps the caller's interrupt status but is not ended by an interrupt.
     */
    static void kill(Process process) {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        long deadline = System.nanoTime() + GRACE.toNanos();
        boolean interrupted = Thread.interrupted();
        for (ProcessHandle handle : concat(process.toHandle(), tree)) {
            interrupted |= awaitExit(handle, deadline - System.nanoTime());
        }
        process.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        interrupted |= awaitExit(process.toHandle(), Long.MAX_VALUE);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process and its descendants forcibly at once, without waiting (the JVM is exiting). */
    static void killNow(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static Set<ProcessHandle> concat(ProcessHandle first, Set<ProcessHandle> rest) {
        Set<ProcessHandle> all = new LinkedHashSet<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /** Waits up to {@code nanos} for {@code handle} to exit; returns whether an interrupt arrived meanwhile. */
    private static boolean awaitExit(ProcessHandle handle, long nanos) {
        boolean interrupted = false;
        while (handle.isAlive()) {
            try {
                handle.onExit().get(Math.max(0, nanos), TimeUnit.NANOSECONDS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (TimeoutException e) {
                break;
            } catch (ExecutionException impossible) {
                throw new IllegalStateException("onExit of " + handle.pid() + " failed", impossible);
            }
        }
        return interrupted;
    }
}
