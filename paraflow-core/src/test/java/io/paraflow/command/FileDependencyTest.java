package io.paraflow.command;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskFailedException;
import io.paraflow.data.FileRef;
import io.paraflow.data.MissingOutputException;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.paraflow.command.CommandFlows.failureOf;
import static io.paraflow.command.CommandFlows.flow;
import static org.assertj.core.api.Assertions.assertThat;

/** Files as dependencies: a task of a file is a dependency for Java tasks and commands alike, in both directions. */
@ExtendWith(NoLeakedThreads.class)
class FileDependencyTest {

    @TempDir
    Path runs;

    @Test
    void aFileFlowsFromAJavaTaskThroughACommandToAJavaTask() throws Exception {
        Path numbers = runs.resolve("numbers.txt");
        try (Flow flow = flow(runs.resolve("run"), 2)) {
            Task<FileRef> written = flow.task("write").submit(() -> {
                Files.write(numbers, List.of("30", "4", "200", "4"));
                return FileRef.output(numbers);
            });
            Task<CommandResult> sorted = flow.command("sort")
                    .args("sort", "-n", "-u", "-o", "sorted.txt", written).outputs("sorted.txt").submit();
            Task<List<String>> read = flow.task("read").submit(r -> Files.readAllLines(r.output().path()), sorted);

            assertThat(read.get()).containsExactly("4", "30", "200");
        }
    }

    @Test
    void aJavaTaskWhoseDeclaredOutputIsMissingFailsAndItsConsumersDoNotRun() {
        AtomicBoolean consumerRan = new AtomicBoolean();
        try (Flow flow = flow(runs, 1)) {
            Task<FileRef> producer = flow.task("producer").submit(() -> FileRef.output(runs.resolve("never-written")));
            Task<CommandResult> consumer = flow.command("consumer").args("cat", producer).submit();
            Task<Boolean> javaConsumer = flow.submit(f -> consumerRan.getAndSet(true), producer);

            assertThat(failureOf(producer)).isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOf(MissingOutputException.class).hasMessageContaining("never-written");
            assertThat(failureOf(consumer)).isInstanceOfSatisfying(DependencyFailedException.class,
                    e -> assertThat(e.failedTaskName()).isEqualTo("producer"));
            assertThat(failureOf(javaConsumer)).isInstanceOf(DependencyFailedException.class);
        }
        assertThat(consumerRan).isFalse();
    }

    @Test
    void theResultOfACommandStandsForItsOutputFilesInTheNextCommand() throws Exception {
        try (Flow flow = flow(runs, 2)) {
            Task<CommandResult> split = flow.command("split")
                    .shell("printf 'a\\nb\\n' > one.txt; printf 'c\\n' > two.txt").outputs("one.txt", "two.txt").submit();
            Task<CommandResult> count = flow.command("count").shell("cat \"$@\" | wc -l > count.txt").args(split)
                    .outputs("count.txt").submit();

            assertThat(Files.readString(count.get().output().path()).trim()).isEqualTo("3");
            assertThat(split.get().output("two.txt").path().getFileName()).hasToString("two.txt");
        }
    }

    @Test
    void aCommandCanDependOnManyTasksOfFilesAndValues() throws Exception {
        try (Flow flow = flow(runs.resolve("run"), 2)) {
            List<Task<FileRef>> parts = IntStream.range(0, 6).mapToObj(i -> flow.task("part").submit(() -> {
                Path p = Files.writeString(runs.resolve("part" + i + ".txt"), "line " + i + "\n");
                return FileRef.output(p);
            })).collect(Collectors.toList());
            List<Object> args = new ArrayList<>(List.of("cat"));
            args.addAll(parts);
            Task<CommandResult> joined = flow.command("join").args(args.toArray()).submit();
            Task<CommandResult> listed = flow.command("list").shell("cat \"$@\" > all.txt; echo \"$#\"")
                    .args(flow.all(parts)).outputs("all.txt").submit();
            Task<CommandResult> valued = flow.command("value").args("echo", flow.submit(() -> 6 * 7)).submit();

            String expected = IntStream.range(0, 6).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
            assertThat(Files.readString(joined.get().stdout())).isEqualTo(expected);
            assertThat(Files.readString(listed.get().output().path())).isEqualTo(expected);
            assertThat(Files.readString(listed.get().stdout())).isEqualTo("6\n");
            assertThat(Files.readString(valued.get().stdout())).isEqualTo("42\n");
        }
    }

    @Test
    void aGraphMixesThreadTasksAndCommandsWithDependenciesBothWays() throws Exception {
        try (Flow flow = flow(runs.resolve("run"), 2)) {
            List<Task<Long>> sums = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                int n = i * 10;
                Task<CommandResult> seq = flow.command("seq").shell("seq 1 \"$1\" > numbers.txt").args(n)
                        .outputs("numbers.txt").submit();
                Task<FileRef> generated = flow.submit(CommandResult::output, seq);
                Task<FileRef> reversed = flow.task("reverse").submit(f -> {
                    List<String> lines = Files.readAllLines(f.path());
                    Collections.reverse(lines);
                    Path out = runs.resolve("reversed" + n + ".txt");
                    Files.write(out, lines);
                    return FileRef.output(out);
                }, generated);
                Task<CommandResult> sorted = flow.command("sort").args("sort", "-n", "-o", "sorted.txt", reversed)
                        .outputs("sorted.txt").submit();
                sums.add(flow.task("sum").submit(r -> Files.readAllLines(r.output().path()).stream()
                        .mapToLong(Long::parseLong).sum(), sorted));
            }
            Task<Long> total = flow.reduce(Long::sum, sums);

            // 1..10, 1..20, 1..30, 1..40
            assertThat(total.get()).isEqualTo(55 + 210 + 465 + 820);
        }
    }
}
