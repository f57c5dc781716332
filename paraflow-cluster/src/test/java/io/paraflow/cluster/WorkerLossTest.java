package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.cluster.security.ClusterSecret;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failures of members: three worker JVMs on 127.0.0.1 with a detection time of 3 s. A worker killed with
 * SIGKILL at a random moment (three times, a fresh worker replacing each; twice more while every result and
 * its consumer's input is kept in the data grid) loses no result and changes no result; a driver killed
 * while it keeps every worker busy leaves no worker busy, and no map of its results in the grid.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class WorkerLossTest {
    private static final int DETECTION_SECONDS = 3;
    private static final int TASKS = 300;
    private List<WorkerJvm> workers = new ArrayList<>();
    private ClusterExecutor executor;
    private Flow flow;

    @BeforeAll
    void startCluster() {
        workers = WorkerJvm.startCluster(3, DETECTION_SECONDS);
        executor = WorkerJvm.driverOf(workers).detection(Duration.ofSeconds(DETECTION_SECONDS)).prefetch(4)
                .build();
        flow = Flow.builder().threads(2).executor(executor).build();
    }

    @AfterAll
    void stopCluster() {
        WorkerJvm.stopAll(flow, workers);
    }

    record Square(long value, String jvm) {
    }

    static Square square(int i) throws InterruptedException {
        Thread.sleep(10);
        return new Square((long) i * i, ManagementFactory.getRuntimeMXBean().getName());
    }

    @Test
    void aWorkerKilledAtARandomMomentChangesNoResult() throws Exception {
        Random random = new Random();
        long expected = 0;
        for (int i = 0; i < TASKS; i++) {
            expected += (long) i * i;
        }
        for (int round = 0; round < 3; round++) {
            List<Task<Square>> squares = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                squares.add(flow.task("square").on("cluster").submit(WorkerLossTest::square, flow.value(i)));
            }
            Thread.sleep(50 + random.nextInt(300));
            WorkerJvm victim = workers.remove(random.nextInt(workers.size()));
            victim.kill();
            long sum = 0;
            Set<String> jvms = new HashSet<>();
            for (Task<Square> task : squares) {
                Square square = task.get(30, TimeUnit.SECONDS);
                sum += square.value();
                jvms.add(square.jvm());
            }
            assertThat(sum).as("round %d", round).isEqualTo(expected);
            assertThat(jvms).as("results from the survivors (and the victim before it died)").hasSizeBetween(2, 3);
            assertThat(executor.workers()).as("the lost worker is noticed").hasSize(2);
            workers.add(WorkerJvm.start(workers, 2, "cluster", DETECTION_SECONDS, null));
        }
    }

    static long plusOne(Square square) {
        return square.value() + 1;
    }

    @Test
    void aWorkerKilledAtARandomMomentWhileEveryResultIsKeptInTheGridChangesNoResult() throws Exception {
        // every result is kept in the grid: the kill may hit a store (and its backup), a consumer reading the
        // grid, or the holder a consumer was placed near
        Random random = new Random();
        long expected = 0;
        for (int i = 0; i < TASKS; i++) {
            expected += (long) i * i + 1;
        }
        ClusterExecutor grid = WorkerJvm.driverOf(workers).detection(Duration.ofSeconds(DETECTION_SECONDS)).prefetch(4)
                .gridThreshold(0).build();
        try (Flow run = Flow.builder().threads(2).executor(grid).build()) {
            for (int round = 0; round < 2; round++) {
                List<Task<Square>> squares = new ArrayList<>();
                List<Task<Long>> consumers = new ArrayList<>();
                for (int i = 0; i < TASKS; i++) {
                    Task<Square> square = run.task("square").on("cluster").submit(WorkerLossTest::square, run.value(i));
                    squares.add(square);
                    consumers.add(run.task("plus one").on("cluster").submit(WorkerLossTest::plusOne, square));
                }
                Thread.sleep(50 + random.nextInt(600));
                WorkerJvm victim = workers.remove(random.nextInt(workers.size()));
                victim.kill();
                long sum = 0;
                for (Task<Long> consumer : consumers) {
                    sum += consumer.get(60, TimeUnit.SECONDS);
                }
                assertThat(sum).as("round %d: the consumers' results", round).isEqualTo(expected);
                long squaresSum = 0;
                for (Task<Square> square : squares) {
                    squaresSum += square.get(60, TimeUnit.SECONDS).value() + 1;
                }
                assertThat(squaresSum).as("round %d: every kept result fetched by the driver", round).isEqualTo(expected);
                assertThat(grid.gridReads()).as("the driver fetched from the grid").isPositive();
                workers.add(WorkerJvm.start(workers, 2, "cluster", DETECTION_SECONDS, null));
            }
        }
    }

    @Test
    void aDriverKilledWhileWorkersAreBusyLeavesNoWorkerBusy() throws Exception {
        List<String> command = new ArrayList<>(List.of(WorkerJvm.java()));
        command.addAll(ClusterJvm.OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DyingDriver.class.getName(),
                WorkerJvm.addresses(workers), Integer.toString(workers.size())));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put(ClusterSecret.ENVIRONMENT_VARIABLE, WorkerJvm.SECRET.encoded());
        Process driver = builder.start();
        String driverUuid;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("the dying driver keeps every worker busy").startsWith("BUSY ");
            driverUuid = line.substring("BUSY ".length());
            assertThat(executor.gridHasMapOf(driverUuid)).as("the dying driver keeps a result in the grid").isTrue();
        } finally {
            driver.destroyForcibly();
            driver.waitFor(20, TimeUnit.SECONDS);
        }
        // every task below needs all cores of a worker: it can only run once the dead driver's task is gone
        List<Task<Integer>> wide = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            wide.add(flow.task("wide").on("cluster").cores(2).submit(() -> 1));
        }
        for (Task<Integer> task : wide) {
            assertThat(task.get(DETECTION_SECONDS + 20, TimeUnit.SECONDS)).isEqualTo(1);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (executor.gridHasMapOf(driverUuid) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(executor.gridHasMapOf(driverUuid)).as("the workers destroyed the lost driver's map").isFalse();
    }
}
