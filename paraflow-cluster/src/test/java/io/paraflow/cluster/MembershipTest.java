package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.RemoteTaskException;
import io.paraflow.Task;
import io.paraflow.serial.SerializationException;
import org.example.cluster.OnlyOnDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Workers coming and going during a run, and a worker that lacks a class. One seed worker (2 cores) and one
 * flow serve the class; each test starts the extra workers it needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class MembershipTest {
    private List<WorkerJvm> workers = new ArrayList<>();
    private ClusterExecutor executor;
    private Flow flow;

    @BeforeAll
    void startCluster() {
        workers = WorkerJvm.startCluster(1, 5);
        executor = WorkerJvm.driverOf(workers).prefetch(2).build();
        flow = Flow.builder().threads(2).executor(executor).build();
    }

    @AfterAll
    void stopCluster() {
        WorkerJvm.stopAll(flow, workers);
    }

    /** Where and when a task ended. */
    record Ended(long pid, long atMillis) {
    }

    static Ended sleepThenSay(int millis) throws InterruptedException {
        Thread.sleep(millis);
        return new Ended(ProcessHandle.current().pid(), System.currentTimeMillis());
    }

    @Test
    void aWorkerJoiningDuringARunGetsWorkAtOnce() throws Exception {
        List<Task<Ended>> tasks = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            tasks.add(flow.task("sleep").on("cluster").submit(MembershipTest::sleepThenSay, flow.value(100)));
        }
        try (WorkerJvm joining = WorkerJvm.start(workers, 2, "cluster", 5, null)) {
            List<Long> pids = new ArrayList<>();
            for (Task<Ended> task : tasks) {
                pids.add(task.get().pid());
            }
            assertThat(pids).as("tasks ran on the worker that joined").contains(joining.process.pid())
                    .contains(workers.get(0).process.pid());
        }
    }

    @Test
    void aWorkerLeavingCleanlyFinishesItsRunningTasksAndHandsBackTheRest() throws Exception {
        WorkerJvm leaving = WorkerJvm.start(workers, 2, "cluster", 5, null);
        while (executor.workers().size() < 2) {
            Thread.sleep(10);
        }
        List<Task<Ended>> tasks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            tasks.add(flow.task("sleep").on("cluster").submit(MembershipTest::sleepThenSay, flow.value(400)));
        }
        Thread.sleep(600);
        long askedToLeave = System.currentTimeMillis();
        leaving.close();
        assertThat(leaving.process.exitValue()).as("the worker left by itself (SIGTERM, then its shutdown hook)")
                .isEqualTo(143);
        List<Ended> ended = new ArrayList<>();
        for (Task<Ended> task : tasks) {
            ended.add(task.get());
        }
        assertThat(ended).as("what ran on the leaving worker when it was asked to leave finished there")
                .anyMatch(e -> e.pid() == leaving.process.pid() && e.atMillis() > askedToLeave);
        assertThat(ended).as("the rest ran on the seed").anyMatch(e -> e.pid() == workers.get(0).process.pid()
                && e.atMillis() > askedToLeave);
        assertThat(executor.workers()).hasSize(1);
    }

    /** Sleeps for good in the JVM {@code stubbornPid} (after saying so in {@code started}), else ends at once. */
    static Ended sleepForGoodIn(long stubbornPid, String started) throws Exception {
        if (ProcessHandle.current().pid() == stubbornPid) {
            Files.createTempFile(Path.of(started), "running", "");
            Thread.sleep(120_000);
        }
        return new Ended(ProcessHandle.current().pid(), System.currentTimeMillis());
    }

    @Test
    void tasksInterruptedBecauseTheirWorkerLeavesAreHandedBackAndRunElsewhere(@TempDir Path started) throws Exception {
        WorkerJvm leaving = WorkerJvm.start(workers, 2, "cluster", 5, null);
        while (executor.workers().size() < 2) {
            Thread.sleep(10);
        }
        List<Task<Ended>> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(flow.task("stubborn").on("cluster").submit(MembershipTest::sleepForGoodIn,
                    flow.value(leaving.process.pid()), flow.value(started.toString())));
        }
        while (true) {
            try (Stream<Path> files = Files.list(started)) {
                if (files.findAny().isPresent()) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        leaving.close();
        for (Task<Ended> task : tasks) {
            assertThat(task.get().pid()).as("every task ended on the seed").isEqualTo(workers.get(0).process.pid());
        }
    }

    @Test
    void aClassMissingOnAWorkerFailsTheTaskNamingTheClassAndTheWorker(@TempDir Path dir) throws Exception {
        String classpath = classpathWithout(OnlyOnDriver.class, dir);
        try (WorkerJvm bare = WorkerJvm.start(workers, 1, "bare", 5, classpath);
             Flow bareFlow = Flow.builder().threads(1).executor(ClusterExecutor.builder().label("bare")
                     .join(workers.get(0).address()).port(WorkerJvm.freePort()).secret(WorkerJvm.SECRET)
                     .allow("org.example.cluster.*").build()).build()) {
            Task<Integer> twice = bareFlow.task("twice").on("bare").submit(OnlyOnDriver.TWICE, bareFlow.value(21));
            Throwable failure = catchThrowable(twice::get);
            while (failure != null && !(failure instanceof RemoteTaskException)) {
                failure = failure.getCause();
            }
            assertThat(failure).isInstanceOfSatisfying(RemoteTaskException.class, e -> {
                assertThat(e.remoteType()).isEqualTo(SerializationException.class.getName());
                assertThat(e).hasMessageContaining(OnlyOnDriver.class.getName()).hasMessageContaining("'twice'")
                        .hasMessageContaining("worker " + bare.address());
            });
        }
    }

    @Test
    void aWorkerGivenTheApplicationClassesApartRunsTheirTasks(@TempDir Path dir) throws Exception {
        String classpath = classpathWithout(OnlyOnDriver.class, dir);
        Path application = dir.resolve("application");
        String classFile = OnlyOnDriver.class.getName().replace('.', '/') + ".class";
        Files.createDirectories(application.resolve(classFile).getParent());
        Files.copy(Path.of(OnlyOnDriver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).resolve(classFile),
                application.resolve(classFile));
        try (WorkerJvm apart = WorkerJvm.start(workers, 1, "apart", 5, classpath, application);
             Flow apartFlow = Flow.builder().threads(1).executor(ClusterExecutor.builder().label("apart")
                     .join(workers.get(0).address()).port(WorkerJvm.freePort()).secret(WorkerJvm.SECRET)
                     .allow("org.example.cluster.*").build()).build()) {
            assertThat(apartFlow.task("twice").on("apart").submit(OnlyOnDriver.TWICE, apartFlow.value(21)).get())
                    .isEqualTo(42);
        }
    }

    /** The test classpath with a copy of the test classes that lacks {@code missing}. */
    private static String classpathWithout(Class<?> missing, Path dir) throws IOException {
        Path copy = dir.resolve("test-classes");
        String classFile = missing.getName().replace('.', '/') + ".class";
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (Files.isDirectory(source) && Files.exists(source.resolve(classFile))) {
                copyTree(source, copy);
                Files.delete(copy.resolve(classFile));
                entries.add(copy.toString());
            } else {
                entries.add(entry);
            }
        }
        assertThat(entries).contains(copy.toString());
        return String.join(File.pathSeparator, entries);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.forEach(file -> {
                try {
                    Files.copy(file, to.resolve(from.relativize(file).toString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
