package io.paraflow.exec.process;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskCancelledException;
import io.paraflow.TaskFailedException;
import io.paraflow.TaskTimeoutException;
import io.paraflow.WorkerLostException;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.testing.ProcessLeaks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Workers that die in every way a JVM can, timeouts and cancellation that kill a worker: the task's
 * attempt fails as lost (or is retried on a fresh worker), the pool replaces the worker, the driver goes
 * on. The task functions run in the workers, so they share nothing with the test but files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class WorkerCrashTest {

    private Path dir;
    private ProcessExecutor executor;
    private Flow flow;

    @BeforeAll
    void startFlow() throws IOException {
        dir = Files.createTempDirectory("paraflow-crash-test");
        // Java serialization: what is tested here does not depend on the serializer, and its workers start faster
        executor = ProcessExecutor.builder().label("isolated").workers(2).forwardStderr(false).serializer(JavaSerializer.Factory.class)
                .jvmOptions("-Xmx48m", "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"))
                .build();
        flow = Flow.builder().threads(2).executor(executor).build();
    }

    @AfterAll
    void closeFlow() throws IOException {
        flow.close();
        ProcessLeaks.assertNoneLeft();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    static Object exit() {
        System.err.println("about to exit with status 3");
        System.exit(3);
        return null;
    }

    static Object exhaustMemory() {
        List<long[]> hog = new ArrayList<>();
        while (true) {
            hog.add(new long[1 << 20]);
        }
    }

    static Object killSelf() throws Exception {
        new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
        Thread.sleep(30_000);
        return null;
    }

    static Object crashNatively() throws Exception {
        Field field = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Object unsafe = field.get(null);
        unsafe.getClass().getMethod("putAddress", long.class, long.class).invoke(unsafe, 0L, 42L);
        return null;
    }

    /** Writes this worker's pid to {@code file}, then blocks far longer than any test. */
    static Object recordPidAndBlock(String file) throws Exception {
        Files.writeString(Path.of(file), Long.toString(ProcessHandle.current().pid()));
        Thread.sleep(60_000);
        return null;
    }

    /** Exits on the first attempt (leaving its pid in {@code marker}), returns its pid on the next. */
    static long exitOnFirstAttempt(String marker) throws IOException {
        Path path = Path.of(marker);
        if (Files.exists(path)) {
            return ProcessHandle.current().pid();
        }
        Files.writeString(path, Long.toString(ProcessHandle.current().pid()));
        System.exit(1);
        return -1;
    }

    private WorkerLostException lost(Task<?> task) {
        Throwable[] failure = new Throwable[1];
        assertThatThrownBy(task::get).cause().isInstanceOfSatisfying(TaskFailedException.class, e -> failure[0] = e.getCause());
        assertThat(failure[0]).isInstanceOf(WorkerLostException.class);
        return (WorkerLostException) failure[0];
    }

    private void assertPoolStillWorks() throws Exception {
        assertThat(flow.task("after").on("isolated").submit(() -> "alive").get()).isEqualTo("alive");
    }

    @Test
    void aWorkerThatExitsIsReportedWithItsStatusAndStderr() throws Exception {
        WorkerLostException e = lost(flow.task("exits").on("isolated").submit(WorkerCrashTest::exit));

        assertThat(e.exitStatus()).isEqualTo(3);
        assertThat(e.worker()).startsWith("isolated-").contains("pid ");
        assertThat(e.stderrTail()).contains("about to exit with status 3");
        assertThat(e).hasMessageContaining("exit status 3").hasMessageContaining("about to exit with status 3");
        assertPoolStillWorks();
    }

    @Test
    void aWorkerThatRunsOutOfMemoryIsLost() throws Exception {
        WorkerLostException e = lost(flow.task("hog").on("isolated").submit(WorkerCrashTest::exhaustMemory));

        assertThat(e.stderrTail()).anySatisfy(line -> assertThat(line).contains("OutOfMemoryError"));
        assertPoolStillWorks();
    }

    @Test
    void aKilledWorkerIsReportedWithTheSignal() throws Exception {
        WorkerLostException e = lost(flow.task("killed").on("isolated").submit(WorkerCrashTest::killSelf));

        assertThat(e.exitStatus()).isEqualTo(128 + 9);
        assertThat(e).hasMessageContaining("killed by signal 9 (SIGKILL)");
        assertPoolStillWorks();
    }

    @Test
    void aNativeCrashOfAWorkerIsReportedWithTheJvmsReport() throws Exception {
        WorkerLostException e = lost(flow.task("segfault").on("isolated").submit(WorkerCrashTest::crashNatively));

        assertThat(e.exitStatus()).isNotZero();
        assertThat(e.stderrTail()).anySatisfy(line -> assertThat(line).contains("SIGSEGV"));
        assertPoolStillWorks();
    }

    @Test
    void aLostWorkersTaskIsRetriedOnAFreshWorker() throws Exception {
        Path marker = dir.resolve("retry-marker");
        Task<Long> task = flow.task("flaky").on("isolated").retries(1)
                .submit(WorkerCrashTest::exitOnFirstAttempt, flow.value(marker.toString()));

        long secondPid = task.get();
        long firstPid = Long.parseLong(Files.readString(marker));
        assertThat(secondPid).isNotEqualTo(firstPid);
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aTimeoutKillsTheWorkerAndThePoolReplacesIt() throws Exception {
        Path pidFile = dir.resolve("timeout-pid");
        Task<Object> slow = flow.task("slow").on("isolated").timeout(Duration.ofMillis(500))
                .submit(WorkerCrashTest::recordPidAndBlock, flow.value(pidFile.toString()));

        assertThatThrownBy(slow::get).cause().isInstanceOf(TaskTimeoutException.class).hasMessageContaining("'slow'");
        assertExits(Long.parseLong(Files.readString(pidFile)));
        assertPoolStillWorks();
    }

    @Test
    void cancellingARunningTaskKillsItsWorker() throws Exception {
        Path pidFile = dir.resolve("cancel-pid");
        Task<Object> running = flow.task("running").on("isolated")
                .submit(WorkerCrashTest::recordPidAndBlock, flow.value(pidFile.toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(pidFile) || Files.readString(pidFile).isEmpty()) {
            assertThat(System.nanoTime()).as("the task started within the hang guard").isLessThan(deadline);
            Thread.sleep(10);
        }

        assertThat(running.cancel(true)).isTrue();

        assertThatThrownBy(running::get).isInstanceOf(TaskCancelledException.class);
        assertExits(Long.parseLong(Files.readString(pidFile)));
        assertPoolStillWorks();
    }

    private static void assertExits(long pid) throws Exception {
        ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
        if (handle != null) {
            handle.onExit().get(30, TimeUnit.SECONDS);
        }
    }
}
