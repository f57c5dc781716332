package io.paraflow.command;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.exec.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.fail;

/** Flows with a command executor in a test's temporary directory, and helpers to look at processes. */
final class CommandFlows {
    /** Bound of every wait in these tests: a hang guard, never a speed check. */
    static final Duration GUARD = Duration.ofSeconds(60);

    private CommandFlows() {
    }

    /** A flow with 2 threads and a command executor of {@code cores} cores running in {@code runDirectory}. */
    static Flow flow(Path runDirectory, int cores) {
        return Flow.builder().threads(2)
                .executor(CommandExecutor.create(CommandExecutor.LABEL, new Resources(cores, Long.MAX_VALUE, 0),
                        runDirectory))
                .build();
    }

    /** The task's failure (the cause {@code get()} reports, or its cancellation), or null if it succeeded. */
    static Throwable failureOf(Task<?> task) {
        try {
            task.get(GUARD.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    /** The directory a command task's first attempt runs in. */
    static Path directoryOf(Path runDirectory, Task<?> task) {
        return runDirectory.resolve(task.name() + "-" + task.id());
    }

    /** Waits until {@code file} holds {@code lines} lines (written by a command), and returns them. */
    static List<String> awaitLines(Path file, int lines) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (true) {
            if (Files.exists(file)) {
                List<String> read = Files.readAllLines(file).stream().filter(l -> !l.isBlank())
                        .collect(Collectors.toList());
                if (read.size() >= lines) {
                    return read;
                }
            }
            if (System.nanoTime() > deadline) {
                fail(file + " did not get " + lines + " lines within the hang guard");
            }
            Thread.sleep(10);
        }
    }

    /** The processes among {@code pids} that still run (zombies, killed but not yet reaped, do not). */
    static List<Long> alive(List<String> pids) {
        return pids.stream().map(String::trim).map(Long::parseLong)
                .filter(pid -> ProcessHandle.of(pid).map(ProcessTree::isRunning).orElse(false))
                .collect(Collectors.toList());
    }
}
