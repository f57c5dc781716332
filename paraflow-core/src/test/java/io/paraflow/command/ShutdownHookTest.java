package io.paraflow.command;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.paraflow.command.CommandFlows.GUARD;
import static io.paraflow.command.CommandFlows.alive;
import static org.assertj.core.api.Assertions.assertThat;

/** A driver JVM that exits without closing its flow takes its running commands with it. */
class ShutdownHookTest {

    @TempDir
    Path runs;

    @Test
    void commandsOfADriverThatExitsWithoutClosingAreKilled() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process driver = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                AbandonedCommandMain.class.getName(), runs.resolve("run").toString())
                .redirectErrorStream(true).redirectOutput(runs.resolve("driver.log").toFile()).start();
        try {
            assertThat(driver.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)).as("driver exited").isTrue();
        } finally {
            driver.destroyForcibly();
        }
        assertThat(driver.exitValue()).as(Files.readString(runs.resolve("driver.log"))).isZero();
        List<String> pids;
        try (var dirs = Files.list(runs.resolve("run"))) {
            Path directory = dirs.filter(p -> p.getFileName().toString().startsWith("abandoned-")
                    && Files.isDirectory(p)).findFirst().orElseThrow();
            pids = Files.readAllLines(directory.resolve("pids")).stream().filter(l -> !l.isBlank())
                    .collect(Collectors.toList());
        }
        assertThat(pids).hasSize(2);
        // the hook kills forcibly without waiting; the processes may need a moment to be gone
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!alive(pids).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(alive(pids)).isEmpty();
    }
}
