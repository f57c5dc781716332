package io.paraflow.cache;

import io.paraflow.cache.internal.CheckpointStore;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A workflow killed with SIGKILL midway and resumed: the second run re-executes none of the tasks whose
 * checkpoints were written, and gives exactly the result of an uninterrupted run.
 */
class CrashResumeTest {

    @TempDir
    Path dir;

    @RepeatedTest(2)
    void aKilledRunResumesWhereItStopped() throws Exception {
        long expected = CrashWorkflow.run(dir.resolve("clean-store"), dir.resolve("clean-journal"), false);
        assertThat(lines(dir.resolve("clean-journal"))).hasSize(CrashWorkflow.TASKS);

        Path store = dir.resolve("store");
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWorkflow.class.getName(), store.toString(), dir.resolve("journal-1").toString(), "false")
                .redirectErrorStream(true).redirectOutput(dir.resolve("child-output").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (recorded(store) < CrashWorkflow.STEPS / 3 && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(child.isAlive()).as("the child was still running when killed; its output: %s",
                    Files.exists(dir.resolve("child-output")) ? Files.readString(dir.resolve("child-output")) : "").isTrue();
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        int finished = recorded(store);
        assertThat(finished).isBetween(CrashWorkflow.STEPS / 3, CrashWorkflow.TASKS - 1);

        long resumed = CrashWorkflow.run(store, dir.resolve("journal-2"), true);
        assertThat(resumed).isEqualTo(expected);
        assertThat(lines(dir.resolve("journal-2"))).as("tasks run again after the crash")
                .hasSize(CrashWorkflow.TASKS - finished);
    }

    private static int recorded(Path store) throws IOException {
        try {
            return CheckpointStore.read(store).size();
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
