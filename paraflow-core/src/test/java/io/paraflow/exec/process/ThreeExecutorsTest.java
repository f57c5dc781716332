package io.paraflow.exec.process;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.data.FileRef;
import io.paraflow.exec.Resources;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.testing.NoLeakedThreads;
import io.paraflow.testing.StartedFlow;
import io.paraflow.testing.ProcessLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One graph over the three kinds of executor: threads, worker processes (child JVMs, so file references
 * and command results cross a serialization boundary) and commands, with file dependencies in every
 * direction, and no process left behind.
 */
@ExtendWith(NoLeakedThreads.class)
class ThreeExecutorsTest {

    @TempDir
    Path dir;

    @Test
    void filesFlowBetweenThreadTasksWorkerTasksAndCommands() throws Exception {
        String numbers = dir.resolve("numbers.txt").toString();
        long driver = ProcessHandle.current().pid();
        try (Flow flow = Flow.builder().threads(2)
                .executor(ProcessExecutor.builder().label("isolated").workers(2)
                        .serializer(JavaSerializer.Factory.class).build())
                .executor(CommandExecutor.create(CommandExecutor.LABEL, new Resources(2, Long.MAX_VALUE, 0),
                        dir.resolve("run")))
                .build()) {
            Task<FileRef> written = flow.task("write").on("isolated").submit(() -> {
                Files.write(Path.of(numbers), List.of("3", "1", "2"));
                return FileRef.output(Path.of(numbers));
            });
            Task<CommandResult> sorted = flow.command("sort").args("sort", "-o", "sorted.txt", written)
                    .outputs("sorted.txt").submit();
            Task<List<String>> readInWorker = flow.task("read").on("isolated").submit(r -> {
                if (ProcessHandle.current().pid() == driver) {
                    throw new IllegalStateException("a worker task ran in the driver");
                }
                return Files.readAllLines(r.output().path());
            }, sorted);
            Task<FileRef> doubled = flow.task("double").submit(lines -> {
                Path out = Path.of(numbers).resolveSibling("doubled.txt");
                Files.write(out, lines.stream().map(l -> String.valueOf(2 * Integer.parseInt(l))).toList());
                return FileRef.output(out);
            }, readInWorker);
            Task<CommandResult> summed = flow.command("sum").shell("awk '{s += $1} END {print s}' \"$1\" > sum.txt")
                    .args(doubled).outputs("sum.txt").submit();
            Task<Integer> total = flow.task("total").on("isolated")
                    .submit(r -> Integer.parseInt(Files.readString(r.output().path()).trim()), summed);

            assertThat(readInWorker.get()).containsExactly("1", "2", "3");
            assertThat(total.get()).isEqualTo(12);
        }
        ProcessLeaks.assertNoneLeft();
    }

    @Test
    void commandsRunOnlyOnACommandExecutorSoListenersLearnNoRunDirectoryForWorkerProcesses() throws Exception {
        StartedFlow listener = new StartedFlow();
        try (Flow flow = Flow.builder().threads(1).listener(listener)
                .executor(ProcessExecutor.builder().label("isolated").workers(1).build())
                .executor(CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, Long.MAX_VALUE, 0),
                        dir.resolve("run")))
                .build()) {
            assertThat(listener.info().commandRunDirectories())
                    .containsExactly(Map.entry(CommandExecutor.LABEL, dir.resolve("run").toAbsolutePath()));
            Task<CommandResult> misplaced = flow.command("misplaced").on("isolated").args("true").submit();
            assertThatThrownBy(misplaced::get).hasStackTraceContaining("must run on a CommandExecutor");
        }
        ProcessLeaks.assertNoneLeft();
    }
}
