package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.RemoteTaskException;
import io.paraflow.ResourceRequestException;
import io.paraflow.Task;
import io.paraflow.TaskTimeoutException;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.serial.SerializationException;
import org.example.cluster.Reading;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cluster executor with two healthy worker JVMs on 127.0.0.1: results, remote exceptions, resources,
 * dependencies between tasks. One cluster and one flow serve every test of the class (a Hazelcast member
 * takes seconds to start); the class checks at the end that nothing was left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ClusterExecutorTest {
    private List<WorkerJvm> workers = new ArrayList<>();
    private ClusterExecutor executor;
    private Flow flow;
    private final Queue<TaskEvent> events = new ConcurrentLinkedQueue<>();

    @BeforeAll
    void startCluster() {
        workers = WorkerJvm.startCluster(2, 5);
        executor = WorkerJvm.driverOf(workers).build();
        flow = Flow.builder().threads(2).executor(executor).listener(TaskListener.ofEvents(events::add)).build();
    }

    @AfterAll
    void stopCluster() {
        WorkerJvm.stopAll(flow, workers);
    }

    static String jvm() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    @Test
    void tasksRunOnBothWorkersAndTheirResultsComeBack() throws Exception {
        List<Task<String>> where = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            where.add(flow.task("where").on("cluster").submit(() -> {
                Thread.sleep(20);
                return jvm();
            }));
        }
        Set<String> jvms = new HashSet<>();
        for (Task<String> task : where) {
            jvms.add(task.get());
        }
        assertThat(jvms).hasSize(2).doesNotContain(jvm());
        assertThat(executor.capacity().cores()).isEqualTo(2);
        assertThat(executor.workers()).containsExactlyInAnyOrder(WorkerJvm.addresses(workers).split(","));
    }

    @Test
    void manySmallTasksAndDependenciesGiveTheSequentialResult() throws Exception {
        List<Task<Integer>> squares = flow.task("square").on("cluster").map(i -> i * i,
                IntStream.range(0, 2_000).boxed().toList());
        Task<Integer> sum = flow.task("sum").on("cluster").reduce(Integer::sum, squares);
        assertThat(sum.get()).isEqualTo(IntStream.range(0, 2_000).map(i -> i * i).sum());
    }

    @Test
    void anExceptionOfATaskReachesTheDriverWithItsTypeAndMessage() {
        Task<Object> failing = flow.task("failing").on("cluster").submit(() -> {
            throw new IllegalStateException("broken on purpose");
        });
        assertThatThrownBy(failing::get).rootCause().isInstanceOfSatisfying(RemoteTaskException.class, e -> {
            assertThat(e.remoteType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(e).hasMessageContaining("broken on purpose");
        });
    }

    @Test
    void aTaskAskingForMoreCoresThanAnyWorkerHasFailsAtSubmit() {
        assertThatThrownBy(() -> flow.task("big").on("cluster").cores(3).submit(() -> 1))
                .isInstanceOf(ResourceRequestException.class).hasMessageContaining("cluster");
    }

    @Test
    void aTaskTakingAllCoresOfAWorkerRuns() throws Exception {
        assertThat(flow.task("wide").on("cluster").cores(2).submit(() -> 42).get()).isEqualTo(42);
    }

    @Test
    void aTimedOutTaskIsInterruptedOnItsWorkerAndFreesItsCores() throws Exception {
        Task<Object> stuck = flow.task("stuck").on("cluster").timeout(Duration.ofMillis(500)).submit(() -> {
            Thread.sleep(120_000);
            return null;
        });
        assertThatThrownBy(stuck::get).hasRootCauseInstanceOf(TaskTimeoutException.class);
        // each of these needs every core of a worker: one of them waits for the stuck task's core until it is freed
        List<Task<Integer>> wide = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            wide.add(flow.task("wide").on("cluster").cores(2).submit(() -> 1));
        }
        for (Task<Integer> task : wide) {
            assertThat(task.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void aQueuedTaskStartsWhenItsWorkerStartsItAndItsTimeoutCountsFromThen() throws Exception {
        long blocking = 3_000;
        List<Task<Long>> blockers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            blockers.add(flow.task("blocker").on("cluster").cores(2).submit(ClusterExecutorTest::sleep, flow.value(blocking)));
        }
        // started on their workers (not only sent): a batch may overtake another on its way to a worker
        awaitStarted(blockers);
        // sent at once to a worker whose every core is busy: it waits in the worker's queue for longer than its timeout
        // (2 s, not less: its start notice and its outcome may travel in two messages on a loaded machine)
        Task<Integer> queued = flow.task("queued").on("cluster").timeout(Duration.ofSeconds(2)).submit(() -> 1);
        assertThat(queued.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        for (Task<Long> blocker : blockers) {
            assertThat(blocker.get(20, TimeUnit.SECONDS)).isEqualTo(blocking);
        }
        long blockersSubmitted = blockers.stream().mapToLong(blocker -> eventOf(blocker, TaskEvent.Kind.SUBMITTED))
                .min().orElseThrow();
        assertThat(eventOf(queued, TaskEvent.Kind.STARTED)).as("when the queued task started")
                .isGreaterThanOrEqualTo(blockersSubmitted + TimeUnit.MILLISECONDS.toNanos(blocking));
    }

    static long sleep(long millis) throws InterruptedException {
        Thread.sleep(millis);
        return millis;
    }

    /** When {@code task}'s first event of {@code kind} happened (epoch nanoseconds). */
    private long eventOf(Task<?> task, TaskEvent.Kind kind) {
        return events.stream().filter(event -> event.taskId() == task.id() && event.kind() == kind).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " event of " + task)).epochNanos();
    }

    @Test
    void aTaskCancelledWhileQueuedBehindBusyCoresLeavesTheQueueAndNothingStaysReserved() throws Exception {
        assertThat(executor.unanswered()).as("attempts of earlier tests still reserved").isZero();
        List<Task<Object>> blockers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                blockers.add(flow.task("blocker").on("cluster").cores(2).submit(() -> {
                    Thread.sleep(120_000);
                    return null;
                }));
            }
            // started on their workers (not only sent): a batch may overtake another on its way to a worker
            awaitStarted(blockers);
            Task<Integer> queued = flow.task("queued").on("cluster").submit(() -> 1);
            awaitUnanswered(3);
            // sent to a worker whose every core is busy: cancelled in the worker's queue, it is answered from there
            queued.cancel(true);
            assertThatThrownBy(queued::get).isInstanceOf(CancellationException.class);
            awaitUnanswered(2);
            assertThat(executor.unanswered()).as("attempts reserved while the blockers run").isEqualTo(2);
        } finally {
            blockers.forEach(blocker -> blocker.cancel(true));
        }
        awaitUnanswered(0);
        assertThat(executor.unanswered()).as("attempts whose slots stay reserved").isZero();
    }

    private void awaitStarted(List<? extends Task<?>> tasks) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!tasks.stream().allMatch(task -> events.stream()
                .anyMatch(event -> event.taskId() == task.id() && event.kind() == TaskEvent.Kind.STARTED))) {
            assertThat(System.nanoTime()).as("the tasks started within 20 s: " + tasks).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void cancellingTheTaskThatWaitsAtTheHeadOfTheQueueLetsTheTasksBehindItRun() throws Exception {
        assertThat(executor.unanswered()).as("attempts of earlier tests still reserved").isZero();
        long workerMemory = executor.capacity().memoryBytes();
        List<Task<Object>> blockers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                blockers.add(flow.task("memory blocker").on("cluster").memory(workerMemory).submit(() -> {
                    Thread.sleep(120_000);
                    return null;
                }));
            }
            awaitUnanswered(2);
            // no worker has memory left: it waits here, at the head of the queue, and holds back the task behind it
            Task<Integer> head = flow.task("head").on("cluster").memory(1).submit(() -> 1);
            Task<Integer> behind = flow.task("behind").on("cluster").submit(() -> 2);
            head.cancel(false);
            assertThat(behind.get(15, TimeUnit.SECONDS)).isEqualTo(2);
        } finally {
            blockers.forEach(blocker -> blocker.cancel(true));
        }
        awaitUnanswered(0);
    }

    private void awaitUnanswered(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (executor.unanswered() != count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void aTaskWithANameTooLongForOneMessageFieldRuns() throws Exception {
        assertThat(flow.task("n".repeat(70_000)).on("cluster").submit(() -> 7).get(20, TimeUnit.SECONDS)).isEqualTo(7);
    }

    @Test
    void aTaskWhoseExceptionBreaksWhenReadFailsWithItsTypeAndItsWorkerCarriesOn() throws Exception {
        List<Task<Object>> broken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            broken.add(flow.task("unreadable").on("cluster").submit(() -> {
                throw new UnreadableException();
            }));
        }
        for (Task<Object> task : broken) {
            assertThatThrownBy(() -> task.get(20, TimeUnit.SECONDS)).rootCause()
                    .isInstanceOfSatisfying(RemoteTaskException.class, e -> assertThat(e.remoteType())
                            .isEqualTo(UnreadableException.class.getName()));
        }
        // both cores of both workers are still there
        List<Task<Integer>> wide = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            wide.add(flow.task("wide").on("cluster").cores(2).submit(() -> 1));
        }
        for (Task<Integer> task : wide) {
            assertThat(task.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    /** An exception whose message cannot be read, as some libraries' exceptions do when their state is broken. */
    static final class UnreadableException extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("no message");
        }
    }

    @Test
    void callbacksOfACompletedTaskRunOnTheDriversOwnThreadNotOnHazelcasts() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        Task<Integer> opened = flow.submit(() -> {
            gate.await();
            return 1;
        });
        Task<Integer> remote = flow.task("remote").on("cluster").submit(x -> x + 1, opened);
        CompletableFuture<String> callbackThread = remote.toCompletableFuture()
                .thenApply(value -> Thread.currentThread().getName());
        gate.countDown();
        assertThat(callbackThread.get(20, TimeUnit.SECONDS)).isEqualTo("paraflow-cluster-outcomes");
    }

    @Test
    void aDriverWithAnotherSecretFindsNoWorkerAndTheClusterKeepsWorking() throws Exception {
        ClusterExecutor.Builder rogue = ClusterExecutor.builder().join(WorkerJvm.addresses(workers).split(","))
                .port(WorkerJvm.freePort()).secret(ClusterSecret.generate()).awaitWorkers(1, Duration.ofSeconds(3));
        assertThatThrownBy(rogue::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("0 worker(s) with label 'cluster' joined");
        assertThat(flow.task("still").on("cluster").submit(() -> 6 * 7).get()).isEqualTo(42);
        assertThat(executor.workers()).hasSize(2);
    }

    @Test
    void anArgumentWhoseClassIsNotAllowedIsRefusedAtSubmit() {
        assertThatThrownBy(() -> flow.task("foreign").on("cluster").submit(Reading::value, flow.value(new Reading("t", 1))))
                .isInstanceOfSatisfying(SerializationException.class, e -> {
                    assertThat(e.type()).isEqualTo(Reading.class.getName());
                    assertThat(e).hasMessageContaining("'foreign'").hasMessageContaining("argument 1");
                });
    }
}
