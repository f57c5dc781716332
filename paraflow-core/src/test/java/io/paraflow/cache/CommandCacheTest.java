package io.paraflow.cache;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.data.FileRef;
import io.paraflow.exec.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Memoized commands: reused across runs only while their inputs and outputs have the recorded content. */
class CommandCacheTest {

    @TempDir
    Path dir;

    private int runs;

    /** One run of a flow resuming from the store: sorts {@code input} into sorted.txt, counting runs in a file. */
    private Path sortRun(Path input, String order) throws Exception {
        Path runDirectory = dir.resolve("run-" + runs++);
        try (Flow flow = Flow.builder().threads(2).checkpoints(dir.resolve("store")).resume(true)
                .flushPolicy(FlushPolicy.everyTask())
                .executor(CommandExecutor.create(CommandExecutor.LABEL, new Resources(2, Long.MAX_VALUE, 0), runDirectory))
                .build()) {
            Task<CommandResult> sorted = flow.command("sort").cache("v1")
                    .shell("echo ran >> \"$3\"; sort $2 \"$1\" > sorted.txt")
                    .args(FileRef.of(input), order, dir.resolve("count").toString())
                    .outputs("sorted.txt")
                    .submit();
            Task<List<String>> lines = flow.task("read").cache()
                    .submit(result -> Files.readAllLines(result.output().path()), sorted);
            assertThat(lines.get()).isNotEmpty();
            return sorted.get().output().path();
        }
    }

    private long commandRuns() throws Exception {
        Path count = dir.resolve("count");
        return Files.exists(count) ? Files.readAllLines(count).size() : 0;
    }

    @Test
    void aCommandIsReusedWhileItsInputsAndOutputsAreUnchanged() throws Exception {
        Path input = Files.writeString(dir.resolve("numbers.txt"), "3\n1\n2\n");
        Path first = sortRun(input, "-n");
        assertThat(Files.readAllLines(first)).containsExactly("1", "2", "3");
        assertThat(sortRun(input, "-n")).isEqualTo(first);
        assertThat(commandRuns()).isEqualTo(1);

        sortRun(input, "-rn");
        assertThat(commandRuns()).as("other arguments").isEqualTo(2);

        Files.writeString(input, "5\n4\n");
        Path changedInput = sortRun(input, "-n");
        assertThat(Files.readAllLines(changedInput)).containsExactly("4", "5");
        assertThat(commandRuns()).as("the input's content changed").isEqualTo(3);

        Files.writeString(changedInput, "tampered\n");
        Path rerun = sortRun(input, "-n");
        assertThat(rerun).isNotEqualTo(changedInput);
        assertThat(Files.readAllLines(rerun)).containsExactly("4", "5");
        assertThat(commandRuns()).as("the recorded output's content changed").isEqualTo(4);

        Files.delete(rerun);
        sortRun(input, "-n");
        assertThat(commandRuns()).as("the recorded output is gone").isEqualTo(5);
    }
}
