package io.paraflow.command;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskCancelledException;
import io.paraflow.TaskFailedException;
import io.paraflow.TaskTimeoutException;
import io.paraflow.data.FileRef;
import io.paraflow.data.MissingInputException;
import io.paraflow.data.MissingOutputException;
import io.paraflow.exec.Resources;
import io.paraflow.internal.ChildEnvironment;
import io.paraflow.testing.NoLeakedThreads;
import io.paraflow.testing.StartedFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.paraflow.command.CommandFlows.GUARD;
import static io.paraflow.command.CommandFlows.alive;
import static io.paraflow.command.CommandFlows.awaitLines;
import static io.paraflow.command.CommandFlows.directoryOf;
import static io.paraflow.command.CommandFlows.failureOf;
import static io.paraflow.command.CommandFlows.flow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** External programs as tasks: outcomes, failures, output files, timeouts, cancellation and cleanup. */
@ExtendWith(NoLeakedThreads.class)
class CommandTest {

    @TempDir
    Path runs;

    @Test
    void aCommandRunsInItsOwnDirectoryWithItsOutputsAndStdoutNamedAfterTheTask() throws Exception {
        Path input = Files.write(runs.resolve("input.txt"), List.of("pear", "apple", "fig"));
        try (Flow flow = flow(runs.resolve("run"), 2)) {
            Task<CommandResult> sort = flow.command("sort")
                    .args("sort", "-o", "sorted.txt", FileRef.of(input)).outputs("sorted.txt").submit();
            Task<CommandResult> echo = flow.command("greet").args("echo", "hello").submit();

            CommandResult sorted = sort.get();
            Path directory = directoryOf(runs.resolve("run"), sort);
            assertThat(sorted.exitCode()).isZero();
            assertThat(sorted.workingDirectory()).isEqualTo(directory);
            assertThat(sorted.output()).isEqualTo(FileRef.of(directory.resolve("sorted.txt")));
            assertThat(sorted.output("sorted.txt")).isEqualTo(sorted.output());
            assertThat(Files.readAllLines(sorted.output().path())).containsExactly("apple", "fig", "pear");
            assertThat(echo.get().stdout()).isEqualTo(runs.resolve("run").resolve("greet-" + echo.id() + ".stdout"));
            assertThat(Files.readString(echo.get().stdout())).isEqualTo("hello\n");
            assertThat(echo.get().stderr().getFileName()).hasToString("greet-" + echo.id() + ".stderr");
        }
    }

    @Test
    void aNonZeroExitFailsTheTaskWithTheExitCodeAndTheTailOfStderr() {
        try (Flow flow = flow(runs, 1)) {
            // 30 lines on stderr: the message keeps the last 20
            Task<CommandResult> failing = flow.command("crash")
                    .shell("for i in $(seq 1 30); do echo \"problem $i\" >&2; done; echo partial; exit 3").submit();

            assertThat(failureOf(failing)).isInstanceOfSatisfying(TaskFailedException.class, e -> {
                assertThat(e.taskName()).isEqualTo("crash");
                assertThat(e.executor()).isEqualTo(CommandExecutor.LABEL);
                assertThat(e.getCause()).isInstanceOfSatisfying(CommandFailedException.class, c -> {
                    assertThat(c.exitCode()).isEqualTo(3);
                    assertThat(c.stderrTail().lines()).hasSize(20).startsWith("problem 11").endsWith("problem 30");
                    assertThat(c.stdoutTail()).isEqualTo("partial");
                    assertThat(c.getMessage()).contains("command 'crash' (#" + failing.id() + ") exited with code 3")
                            .contains("problem 30").doesNotContain("problem 10\n").contains("partial")
                            .contains(c.stderr().toString());
                });
                assertThat(e.getMessage()).contains("exited with code 3").contains("problem 30");
            });
        }
    }

    @Test
    void aLastStderrLineLongerThanTheTailsWindowKeepsItsEnd() {
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> failing = flow.command("long-line")
                    .shell("printf 'begin'; head -c 20000 /dev/zero | tr '\\0' x >&2; echo ' fatal: out of range' >&2; exit 2")
                    .submit();

            assertThat(failureOf(failing)).cause().isInstanceOfSatisfying(CommandFailedException.class, e -> {
                assertThat(e.stderrTail()).startsWith("…xxx").endsWith("xxx fatal: out of range").doesNotContain("\n");
                assertThat(e.output().stderrTail()).isEqualTo(e.stderrTail());
                assertThat(e.stdoutTail()).isEqualTo("begin");
                assertThat(e).hasMessageContaining("--- last lines of stderr").hasMessageEndingWith(e.output().sections());
                assertThat(e.getMessage()).contains("x fatal: out of range\n--- last lines of stdout");
            });
        }
    }

    @Test
    void theMessageQuotesTheCommandLineAsAShellWouldTakeItBack() {
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> failing = flow.command("quoted").args("sh", "-c", "echo 'a b' >&2; exit 4", "").submit();

            assertThat(failureOf(failing)).cause().isInstanceOfSatisfying(CommandFailedException.class, e -> {
                assertThat(e).hasMessageContaining("exited with code 4: sh -c 'echo '\\''a b'\\'' >&2; exit 4' ''");
                assertThat(e.stderrTail()).isEqualTo("a b");
            });
        }
    }

    @Test
    void aDeclaredOutputThatIsMissingFailsTheCommandNamingTheFile() {
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> forgetful = flow.command("forgetful")
                    .shell("echo wrote nothing >&2").outputs("result.csv").submit();

            assertThat(failureOf(forgetful)).isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOfSatisfying(MissingOutputException.class, e -> {
                        assertThat(e.file()).isEqualTo(directoryOf(runs, forgetful).resolve("result.csv"));
                        assertThat(e.getMessage()).contains("result.csv").contains("'forgetful'")
                                .contains("wrote nothing");
                    });
        }
    }

    @Test
    void aMissingInputFileFailsTheCommandBeforeItsProgramStarts() throws IOException {
        Path marker = runs.resolve("started");
        try (Flow flow = flow(runs.resolve("run"), 1)) {
            Task<CommandResult> consumer = flow.command("consumer")
                    .args("touch", marker, FileRef.of(runs.resolve("absent.txt"))).submit();

            assertThat(failureOf(consumer)).isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOfSatisfying(MissingInputException.class, e -> {
                        assertThat(e.file()).isEqualTo(runs.resolve("absent.txt"));
                        assertThat(e.getMessage()).contains("absent.txt").contains("'consumer'").contains("not started");
                    });
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void aProgramThatCannotStartFailsWithTheIoError() {
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> missing = flow.command("ghost").args("no-such-program-paraflow").submit();

            assertThat(failureOf(missing)).isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOf(IOException.class).hasMessageContaining("no-such-program-paraflow");
        }
    }

    @Test
    void fiftyMegabytesOfStdoutGoToTheFileWithoutBlockingTheProgram() throws Exception {
        long size = 50L << 20;
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> loud = flow.command("loud").args("head", "-c", size, "/dev/zero").submit();

            assertThat(Files.size(loud.get().stdout())).isEqualTo(size);
        }
    }

    @Test
    void aTimeoutKillsTheProgramAndTheProcessesItStarted() {
        assertTimeoutPreemptively(GUARD, () -> {
            List<String> pids;
            Task<CommandResult> slow;
            try (Flow flow = flow(runs, 1)) {
                slow = flow.command("slow").timeout(Duration.ofSeconds(2))
                        .shell("echo warming up >&2; echo step 1; sleep 120 & echo $! >> pids; sleep 120 & echo $! >> pids;"
                                + " echo $$ >> pids; wait").submit();
                pids = awaitLines(directoryOf(runs, slow).resolve("pids"), 3);

                assertThat(failureOf(slow)).isInstanceOfSatisfying(TaskTimeoutException.class, e -> {
                    assertThat(e.taskName()).isEqualTo("slow");
                    assertThat(e).hasMessageContaining("--- last lines of stderr").hasMessageContaining("warming up")
                            .hasMessageContaining("--- last lines of stdout").hasMessageContaining("step 1");
                    assertThat(e.output()).hasValueSatisfying(output -> {
                        assertThat(output.stderrTail()).isEqualTo("warming up");
                        assertThat(output.stdoutTail()).isEqualTo("step 1");
                        assertThat(output.stderr()).isEqualTo(runs.resolve("slow-" + slow.id() + ".stderr"));
                        assertThat(e.getMessage()).endsWith(output.sections());
                    });
                });
            }
            // close() waited for the killing thread
            assertThat(alive(pids)).isEmpty();
        });
    }

    @Test
    void cancellingARunningCommandKillsItsProcessTree() {
        assertTimeoutPreemptively(GUARD, () -> {
            List<String> pids;
            try (Flow flow = flow(runs, 1)) {
                Task<CommandResult> slow = flow.command("slow")
                        .shell("sh -c 'sleep 120 & echo $! >> pids; wait' & echo $! >> pids; echo $$ >> pids; wait").submit();
                Task<String> after = flow.submit(r -> "ran", slow);
                pids = awaitLines(directoryOf(runs, slow).resolve("pids"), 3);

                assertThat(slow.cancel(true)).isTrue();
                assertThat(failureOf(slow)).isInstanceOf(TaskCancelledException.class);
                assertThat(failureOf(after)).isInstanceOf(TaskCancelledException.class);
            }
            assertThat(alive(pids)).isEmpty();
        });
    }

    @Test
    void closingWithCancellationKillsRunningCommands() {
        assertTimeoutPreemptively(GUARD, () -> {
            List<String> pids;
            Path run = runs.resolve("run");
            Flow flow = Flow.builder().cancelOnClose(true)
                    .executor(CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, 0, 0), run))
                    .build();
            Task<CommandResult> slow = flow.command("slow")
                    .shell("sleep 120 & echo $! >> pids; echo $$ >> pids; wait").submit();
            pids = awaitLines(directoryOf(run, slow).resolve("pids"), 2);

            flow.close();

            assertThat(failureOf(slow)).isInstanceOf(TaskCancelledException.class);
            assertThat(alive(pids)).isEmpty();
        });
    }

    @Test
    void concurrentCommandsWritingTheSameFileNameDoNotCollide() throws Exception {
        try (Flow flow = flow(runs, 4)) {
            List<Task<CommandResult>> writers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                writers.add(flow.command("writer").shell("echo \"$1\" > out.txt; sleep 0.05; cat out.txt")
                        .args(i).outputs("out.txt").submit());
            }
            for (int i = 0; i < writers.size(); i++) {
                CommandResult result = writers.get(i).get();
                assertThat(Files.readString(result.output().path())).isEqualTo(i + "\n");
                assertThat(Files.readString(result.stdout())).isEqualTo(i + "\n");
            }
            assertThat(writers.stream().map(t -> t.join().workingDirectory()).distinct()).hasSize(8);
        }
    }

    @Test
    void commandsHoldTheCoresTheyAskForSoWideOnesNeverOverlap() throws Exception {
        // mkdir is atomic: a second command inside the section at the same time would exit with 9
        String section = "mkdir ../section || exit 9; sleep 0.05; rmdir ../section";
        try (Flow flow = flow(runs, 2)) {
            List<Task<CommandResult>> wide = IntStream.range(0, 6)
                    .mapToObj(i -> flow.command("wide").cores(2).shell(section).submit()).collect(Collectors.toList());
            for (Task<CommandResult> task : wide) {
                assertThat(task.get().exitCode()).isZero();
            }
        }
    }

    @Test
    void thePublicNamingRuleFindsEveryAttemptsOutputFilesAndListenersLearnTheRunDirectory() throws Exception {
        StartedFlow listener = new StartedFlow();
        Path run = runs.resolve("run");
        CommandExecutor commands = CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, Long.MAX_VALUE, 0), run);
        try (Flow flow = Flow.builder().threads(1).executor(commands).listener(listener).build()) {
            assertThat(listener.info().commandRunDirectories()).containsExactly(Map.entry(CommandExecutor.LABEL, run.toAbsolutePath()));
            Task<CommandResult> odd = flow.command("make a/b").retries(1)
                    .shell("echo out $PARAFLOW_ATTEMPT; echo err >&2; [ \"$PARAFLOW_ATTEMPT\" -ge 2 ]").submit();
            CommandResult result = odd.get();

            assertThat(CommandExecutor.attemptName("make a/b", odd.id(), 2)).isEqualTo("make_a_b-" + odd.id() + "-attempt2");
            assertThat(CommandExecutor.outputFile(run.toAbsolutePath(), odd.name(), odd.id(), 2, "stdout")).isEqualTo(result.stdout());
            assertThat(CommandExecutor.outputFile(run.toAbsolutePath(), odd.name(), odd.id(), 2, "stderr")).isEqualTo(result.stderr());
            CommandOutput first = CommandExecutor.output(run, odd.name(), odd.id(), 1);
            assertThat(first.stdout()).isEqualTo(run.resolve("make_a_b-" + odd.id() + ".stdout"));
            assertThat(first.stdoutTail()).isEqualTo("out 1");
            assertThat(first.stderrTail()).isEqualTo("err");
            assertThat(CommandExecutor.output(run, odd.name(), odd.id(), 3).stdoutTail()).as("no third attempt").isEmpty();
            assertThatThrownBy(() -> CommandExecutor.outputFile(run, odd.name(), odd.id(), 1, "stdin"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"stdin\"");
            assertThatThrownBy(() -> CommandExecutor.attemptName(odd.name(), odd.id(), 0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("attempts are numbered from 1, got 0");
        }
        try (Flow plain = Flow.builder().threads(1).listener(listener).build()) {
            assertThat(listener.info().commandRunDirectories()).as("every flow's default command executor")
                    .containsOnlyKeys(CommandExecutor.LABEL);
        }
    }

    @Test
    void aFlakyCommandIsRetriedInAFreshDirectory() throws Exception {
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> flaky = flow.command("flaky").retries(2)
                    .shell("echo attempt $PARAFLOW_ATTEMPT > out.txt; [ \"$PARAFLOW_ATTEMPT\" -ge 2 ] || exit 1")
                    .outputs("out.txt").submit();

            CommandResult result = flaky.get();
            assertThat(Files.readString(result.output().path())).isEqualTo("attempt 2\n");
            assertThat(result.workingDirectory().getFileName()).hasToString("flaky-" + flaky.id() + "-attempt2");
            assertThat(Files.readString(directoryOf(runs, flaky).resolve("out.txt"))).isEqualTo("attempt 1\n");
        }
    }

    @Test
    void theProgramSeesItsEnvironmentResourcesAndPositionalArguments() throws Exception {
        Path spaced = Files.writeString(runs.resolve("a file with spaces.txt"), "x\n");
        try (Flow flow = flow(runs.resolve("run"), 4)) {
            Task<CommandResult> env = flow.command("env").cores(3).memory(1024).env("GREETING", "hi")
                    .shell("echo \"$GREETING $PARAFLOW_CORES $PARAFLOW_MEMORY_BYTES $PARAFLOW_TASK_NAME $0\"; cat \"$1\"")
                    .args(FileRef.of(spaced)).submit();

            assertThat(Files.readString(env.get().stdout())).isEqualTo("hi 3 1024 env env\nx\n");
        }
    }

    @Test
    void theProgramDoesNotInheritTheClusterSecretUnlessGivenExplicitly() throws Exception {
        assertThat(System.getenv(ChildEnvironment.SECRET_VARIABLE)).as("set for this test by the build").isNotNull();
        try (Flow flow = flow(runs.resolve("run"), 2)) {
            Task<CommandResult> inherited = flow.command("inherited").shell("echo \"[${PARAFLOW_SECRET:-}]\"").submit();
            Task<CommandResult> explicit = flow.command("explicit").env(ChildEnvironment.SECRET_VARIABLE, "given")
                    .shell("echo \"[${PARAFLOW_SECRET:-}]\"").submit();

            assertThat(Files.readString(inherited.get().stdout())).isEqualTo("[]\n");
            assertThat(Files.readString(explicit.get().stdout())).isEqualTo("[given]\n");
        }
    }

    @Test
    void aCommandWhoseDependencyFailedDoesNotRun() {
        Path marker = runs.resolve("started");
        try (Flow flow = flow(runs.resolve("run"), 1)) {
            Task<FileRef> broken = flow.task("make-input").submit(() -> {
                throw new IllegalStateException("no input today");
            });
            Task<CommandResult> consumer = flow.command("consumer").args("touch", marker, broken).submit();

            assertThat(failureOf(consumer)).isInstanceOfSatisfying(DependencyFailedException.class, e -> {
                assertThat(e.failedTaskName()).isEqualTo("make-input");
                assertThat(e).hasMessageContaining("no input today");
            });
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void misuseIsReportedAtSubmit() {
        try (Flow flow = flow(runs, 1)) {
            assertThatThrownBy(() -> flow.command("empty").submit()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'empty' has no program");
            assertThatThrownBy(() -> flow.command("nulls").args("echo", null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("argument 2 is null");
            assertThatThrownBy(() -> flow.command("odd").outputs(42)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("java.lang.Integer");
            assertThatThrownBy(() -> flow.command("big").cores(99).args("true").submit())
                    .isInstanceOf(io.paraflow.ResourceRequestException.class).hasMessageContaining("commands");
        }
    }

    @Test
    void aCommandOnAnExecutorThatIsNotACommandExecutorFailsClearly() {
        try (Flow flow = flow(runs, 1)) {
            Task<CommandResult> misplaced = flow.command("misplaced").on("threads").args("true").submit();

            assertThat(failureOf(misplaced)).isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("must run on a CommandExecutor");
        }
    }
}
