package io.paraflow.command;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskCancelledException;
import io.paraflow.TaskFailedException;
import io.paraflow.TaskGroup;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.exec.Resources;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static io.paraflow.command.CommandFlows.alive;
import static io.paraflow.command.CommandFlows.awaitLines;
import static io.paraflow.command.CommandFlows.directoryOf;
import static io.paraflow.command.CommandFlows.failureOf;
import static io.paraflow.command.CommandFlows.flow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rest of a command's options and of its result, and the executor every flow has. */
@ExtendWith(NoLeakedThreads.class)
class CommandOptionsTest {

    @TempDir
    Path runs;

    @Test
    void aChosenWorkingDirectoryIsSharedAndResolvesRelativeOutputs() throws Exception {
        Path shared = runs.resolve("shared");
        try (Flow flow = flow(runs.resolve("run"), 2)) {
            Task<CommandResult> first = flow.command("first").workingDirectory(shared)
                    .env(Map.of("WHO", "first", "WHAT", "one")).shell("echo \"$WHO $WHAT\" > first.txt")
                    .outputs("first.txt").submit();
            Task<CommandResult> second = flow.command("second").workingDirectory(shared)
                    .shell("cat first.txt > second.txt").args(first).outputs("second.txt", Path.of("first.txt")).submit();

            CommandResult result = second.get();
            assertThat(result.workingDirectory()).isEqualTo(shared);
            assertThat(result.output("second.txt").path()).isEqualTo(shared.resolve("second.txt"));
            assertThat(result.output("first.txt").path()).isEqualTo(shared.resolve("first.txt"));
            assertThat(Files.readString(result.output("second.txt").path())).isEqualTo("first one\n");
            // stdout and stderr still go to the run directory, named after the task
            assertThat(result.stdout()).isEqualTo(runs.resolve("run").resolve("second-" + second.id() + ".stdout"));
        }
    }

    @Test
    void theProgramReadsAnEmptyStandardInput() throws Exception {
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> reader = flow.command("reader").args("cat").submit();

            assertThat(Files.size(reader.get().stdout())).isZero();
        }
    }

    @Test
    void theResultNamesItsOutputsAndRefusesUnknownOnes() throws Exception {
        try (Flow flow = flow(runs, 1)) {
            CommandResult two = flow.command("two").shell("touch a b").outputs("a", "b").submit().get();
            CommandResult none = flow.command("none").args("true").submit().get();

            assertThat(two.outputs()).extracting(f -> f.path().getFileName().toString()).containsExactly("a", "b");
            assertThatThrownBy(two::output).isInstanceOf(IllegalStateException.class).hasMessageContaining("[a, b]");
            assertThatThrownBy(() -> two.output("c")).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("'c'").hasMessageContaining("[a, b]");
            assertThat(none.outputs()).isEmpty();
            assertThat(none.exitCode()).isZero();
        }
    }

    @Test
    void listenersSeeACommandLikeAnyTask() throws Exception {
        Queue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        try (Flow flow = Flow.builder().listener(TaskListener.ofEvents(events::add))
                .executor(CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, Long.MAX_VALUE, 0), runs))
                .build()) {
            Task<CommandResult> listed = flow.command("listed").args("true").submit();
            listed.get();
        }
        assertThat(events).filteredOn(e -> e.taskName().equals("listed")).extracting(TaskEvent::kind)
                .containsExactly(TaskEvent.Kind.SUBMITTED, TaskEvent.Kind.READY, TaskEvent.Kind.STARTED,
                        TaskEvent.Kind.FINISHED);
        assertThat(events).allSatisfy(e -> assertThat(e.executor()).isEqualTo(CommandExecutor.LABEL));
    }

    @Test
    void aFailingCommandCancelsTheRunningCommandsOfItsGroupAndKillsThem() throws Exception {
        List<String> pids;
        try (Flow flow = flow(runs, 2)) {
            TaskGroup group = flow.groupCancelOnFailure("sweep");
            Task<CommandResult> slow = flow.command("slow").group(group)
                    .shell("sleep 120 & echo $! >> pids; echo $$ >> pids; wait").submit();
            pids = awaitLines(directoryOf(runs, slow).resolve("pids"), 2);
            Task<CommandResult> failing = flow.command("failing").group(group).shell("exit 1").submit();

            assertThat(failureOf(failing)).isInstanceOf(TaskFailedException.class);
            assertThat(failureOf(slow)).isInstanceOf(TaskCancelledException.class);
        }
        assertThat(alive(pids)).isEmpty();
    }

    @Test
    void higherPriorityCommandsStartFirstWhenTheyWait() throws Exception {
        Path order = runs.resolve("order.txt");
        try (Flow flow = flow(runs.resolve("run"), 1)) {
            Path gate = runs.resolve("gate");
            Task<CommandResult> blocker = flow.command("blocker")
                    .shell("while [ ! -e \"$1\" ]; do sleep 0.01; done").args(gate).submit();
            Task<CommandResult> low = flow.command("low").priority(1).shell("echo low >> \"$1\"").args(order).submit();
            Task<CommandResult> high = flow.command("high").priority(5).shell("echo high >> \"$1\"").args(order).submit();
            Files.writeString(gate, "open");

            blocker.get();
            low.get();
            high.get();
        }
        assertThat(Files.readAllLines(order)).containsExactly("high", "low");
    }

    @Test
    void everyFlowHasACommandExecutorUnlessGivenOne() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThat(flow.task("probe").on(CommandExecutor.LABEL)).isNotNull();
        }
        assertThat(CommandExecutor.createDefault().runDirectory().getParent())
                .isEqualTo(Path.of("paraflow-runs").toAbsolutePath());
        assertThat(CommandExecutor.newRunDirectory(runs)).isNotEqualTo(CommandExecutor.newRunDirectory(runs));
        assertThatThrownBy(() -> CommandExecutor.create("c", new Resources(0, 0, 0), runs))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 core");
    }

    @Test
    void aRunDirectoryThatHoldsAnEarlierRunIsRefusedAtStart() throws Exception {
        Path used = runs.resolve("used");
        Files.createDirectories(used.resolve("sort-1"));
        Files.writeString(used.resolve("sort-1").resolve("sorted.txt"), "stale");

        assertThatThrownBy(() -> CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, 0, 0), used))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(used + " is not empty")
                .hasMessageContaining("newRunDirectory");
        Files.createDirectories(runs.resolve("empty"));
        assertThat(CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, 0, 0), runs.resolve("empty"))
                .runDirectory()).isEqualTo(runs.resolve("empty"));
    }
}
