package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.exec.process.ProcessExecutor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts every worker process of a flow's process executor before a test gives them the tries it looks at.
 * Workers start lazily, and a worker that is ready early may run every warm-up try alone; a try that waits
 * for a worker still starting is then sent by the thread reading that worker's answers, not by the thread
 * that submits it. So each warm-up try holds its worker until one runs on every worker at once.
 */
final class WorkerWarmUp {

    /** The file in the markers' directory that lets every warm-up try end at once (a test that failed). */
    static final String RELEASE = "release";
    private static final String MARKER = "running-";

    private WorkerWarmUp() {
    }

    /**
     * Runs one warm-up try named "warm-up" on each of the {@code workers} worker processes at once, its
     * marker in {@code markers} (an empty directory), and waits for them; throws if they did not all run at once.
     */
    static void startEveryWorker(Flow flow, int workers, Path markers) throws Exception {
        String directory = markers.toString();
        List<Task<Boolean>> warmUp = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            warmUp.add(flow.task("warm-up").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> holdUntilAllRun(directory, workers)));
        }
        for (Task<Boolean> task : warmUp) {
            if (!task.get()) {
                throw new IllegalStateException("the " + workers + " warm-up tries did not all run at once");
            }
        }
    }

    /**
     * Writes a marker into {@code directory} and waits until {@code count} are there (returns true), or
     * until the {@link #RELEASE} file is there or a minute has passed (returns false). Runs in a worker process.
     */
    static boolean holdUntilAllRun(String directory, int count) throws IOException, InterruptedException {
        Path markers = Path.of(directory);
        Files.createFile(markers.resolve(MARKER + UUID.randomUUID()));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (markers(markers) < count) {
            if (Files.exists(markers.resolve(RELEASE)) || System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    private static long markers(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().startsWith(MARKER)).count();
        }
    }
}
