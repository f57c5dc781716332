package io.paraflow.exec.process;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskFailedException;
import io.paraflow.WorkerLostException;
import io.paraflow.testing.ProcessLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How worker processes start, get recycled and end: with the executor, and with the driver's death. */
@Timeout(120)
class WorkerLifecycleTest {

    static long pid() {
        return ProcessHandle.current().pid();
    }

    @Test
    void aWorkerIsReplacedAfterRunningTheConfiguredNumberOfTasks() throws Exception {
        List<Long> pids = new ArrayList<>();
        try (Flow flow = Flow.builder().threads(1)
                .executor(ProcessExecutor.builder().workers(1).recycleAfter(2).forwardStderr(false).build()).build()) {
            for (int i = 0; i < 5; i++) {
                pids.add(flow.task("pid").on(ProcessExecutor.DEFAULT_LABEL).submit(WorkerLifecycleTest::pid).get());
            }
        }
        assertThat(pids.get(0)).isEqualTo(pids.get(1));
        assertThat(pids.get(2)).isEqualTo(pids.get(3)).isNotEqualTo(pids.get(1));
        assertThat(pids.get(4)).isNotEqualTo(pids.get(3));
        ProcessLeaks.assertNoneLeft();
    }

    @Test
    void closeLeavesNoProcessEvenWhileTasksRun() throws Exception {
        ProcessExecutor executor = ProcessExecutor.builder().workers(2).forwardStderr(false).build();
        List<Task<Object>> sleepers = new ArrayList<>();
        try (Flow flow = Flow.builder().threads(1).executor(executor).cancelOnClose(true).build()) {
            for (int i = 0; i < 4; i++) {
                sleepers.add(flow.task("sleeper").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> {
                    Thread.sleep(60_000);
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (executor.workers().size() < 2) {
                assertThat(System.nanoTime()).as("two workers started within the hang guard").isLessThan(deadline);
                Thread.sleep(10);
            }
        }
        // the two that ran were killed, the two that waited never started
        assertThat(sleepers).allMatch(Task::isCancelled);
        ProcessLeaks.assertNoneLeft();
    }

    @Test
    void aWorkerThatCannotStartFailsTheWaitingTasksWithTheJvmsComplaint() {
        try (Flow flow = Flow.builder().threads(1)
                .executor(ProcessExecutor.builder().workers(1).forwardStderr(false).jvmOptions("-Xmx1k").build()).build()) {
            Task<Integer> task = flow.task("never").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> 1);

            assertThatThrownBy(task::get).cause().isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOfSatisfying(WorkerLostException.class, e -> {
                        assertThat(e.exitStatus()).isEqualTo(1);
                        assertThat(e).hasMessageContaining("could not start: exit status 1");
                        assertThat(String.join("\n", e.stderrTail())).containsIgnoringCase("heap");
                    });
        }
        ProcessLeaks.assertNoneLeft();
    }

    @Test
    void workersExitWhenTheDriverIsKilled() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process driver = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DyingDriver.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<ProcessHandle> workers = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < DyingDriver.WORKERS; i++) {
                String line = out.readLine();
                assertThat(line).as("the driver reports its workers").isNotNull();
                ProcessHandle.of(Long.parseLong(line)).ifPresent(workers::add);
            }
            assertThat(workers).hasSize(DyingDriver.WORKERS).allMatch(ProcessHandle::isAlive);

            driver.destroyForcibly();
            assertThat(driver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            driver.destroyForcibly();
        }
        for (ProcessHandle worker : workers) {
            worker.onExit().get(30, TimeUnit.SECONDS);
            assertThat(worker.isAlive()).isFalse();
        }
    }
}
