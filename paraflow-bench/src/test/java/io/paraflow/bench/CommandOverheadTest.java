package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.command.CommandExecutor;
import io.paraflow.exec.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the command-overhead workloads once each and checks what they did (never how fast). */
class CommandOverheadTest {

    @TempDir
    Path scratch;

    @Test
    void eachWorkloadRunsTheProgram() throws Exception {
        Path run = scratch.resolve("run");
        try (Flow flow = Flow.builder().executor(CommandExecutor.create(CommandExecutor.LABEL,
                new Resources(1, Long.MAX_VALUE, 0), run)).build()) {
            CommandOverhead.commandTask(flow);
        }
        CommandOverhead.bareProcess();
        CommandOverhead.processByHand(scratch, 0);

        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".stdout"));
        }
        assertThat(scratch.resolve("by-hand")).isDirectory();
    }

    @Test
    void deleteTreeRemovesEverything() throws Exception {
        Path root = Files.createDirectories(scratch.resolve("a/b/c"));
        Files.writeString(root.resolve("f"), "x");

        CommandOverhead.deleteTree(scratch.resolve("a"));

        assertThat(scratch.resolve("a")).doesNotExist();
    }
}
