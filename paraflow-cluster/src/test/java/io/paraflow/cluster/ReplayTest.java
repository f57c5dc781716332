package io.paraflow.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.cluster.internal.Batches;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Greeting;
import io.paraflow.cluster.internal.Hazelcasts;
import io.paraflow.cluster.internal.Wiretap;
import io.paraflow.exec.Invocation;
import io.paraflow.fn.Fn1;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Someone on the cluster's network, without the secret, records sealed messages and delivers them again
 * (from a Hazelcast member of its own that copied the cluster's name): to the member they were meant for,
 * to another member, or to the driver of another run. None of it may run a task again or complete one.
 * The workers run in this JVM, so that the test can record what they receive and count what their tasks do;
 * the same set-up checks a cancellation that overtakes its task on the way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class ReplayTest {
    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    private static volatile CountDownLatch gate = new CountDownLatch(0);

    private ClusterWorker first;
    private ClusterWorker second;
    private ClusterExecutor executor;
    private Flow flow;
    private HazelcastInstance eavesdropper;
    private Envelopes holder;

    @BeforeAll
    void startCluster() {
        first = ClusterWorker.builder().secret(WorkerJvm.SECRET).port(WorkerJvm.freePort()).cores(2).name("first")
                .detection(Duration.ofSeconds(5)).drainTime(Duration.ofSeconds(5)).start();
        // not for this test's driver (another label); a single core runs what it accepts in order
        second = ClusterWorker.builder().secret(WorkerJvm.SECRET).join(first.address()).port(WorkerJvm.freePort())
                .cores(1).label("elsewhere").name("second").detection(Duration.ofSeconds(5))
                .drainTime(Duration.ofSeconds(5)).start();
        executor = driver();
        flow = Flow.builder().threads(2).executor(executor).build();

        Hazelcasts.Settings settings = new Hazelcasts.Settings(WorkerJvm.SECRET, List.of(first.address()), "127.0.0.1",
                WorkerJvm.freePort(), false, Duration.ofSeconds(5), true, Map.of(Hazelcasts.ROLE, "driver"));
        Config config = Hazelcasts.config(settings, (kind, payload) -> { });
        // it has no secret, only the cluster's name (it travels in clear)
        config.setClusterName(WorkerJvm.SECRET.clusterName());
        eavesdropper = Hazelcast.newHazelcastInstance(config);
        // what a member holding the secret sends from the same place, for controls (one session for the class:
        // a worker keeps to the first session it learnt from a member)
        holder = Envelopes.ofDriver(WorkerJvm.SECRET.cipher(), "secret holder");
        holder.connect(eavesdropper, "secret holder");
        // as a driver does, it greets the worker it sends to: that starts the worker's session with it
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.HELLO, Greeting.fresh(holderId()).encode(),
                Duration.ofSeconds(10))).isTrue();
    }

    private String holderId() {
        return eavesdropper.getCluster().getLocalMember().getUuid().toString();
    }

    private ClusterExecutor driver() {
        return ClusterExecutor.builder().join(first.address()).port(WorkerJvm.freePort()).secret(WorkerJvm.SECRET)
                .awaitWorkers(1, Duration.ofSeconds(30)).build();
    }

    @AfterAll
    void stopEverything() {
        if (flow != null) {
            flow.close();
        }
        if (eavesdropper != null) {
            eavesdropper.shutdown();
        }
        for (ClusterWorker worker : new ClusterWorker[] {second, first}) {
            if (worker != null) {
                worker.close();
            }
        }
        ClusterLeaks.assertNoneLeft();
    }

    static int run(String what) {
        return RUNS.computeIfAbsent(what, w -> new AtomicInteger()).incrementAndGet();
    }

    static int runs(String what) {
        return RUNS.computeIfAbsent(what, w -> new AtomicInteger()).get();
    }

    static String awaitGate(String value) throws InterruptedException {
        gate.await();
        return value;
    }

    @Test
    void aTaskBatchRecordedAndDeliveredAgainToItsWorkerDoesNotRunAgain() throws Exception {
        Wiretap tap = Wiretap.on(Wiretap.member("first"));
        assertThat(flow.task("counted").on("cluster").submit(ReplayTest::run, flow.value("replayed")).get()).isEqualTo(1);
        List<Wiretap.Message> batches = tap.captured(Envelopes.TASKS);
        assertThat(batches).isNotEmpty();
        // control: what was recorded is the genuine batch for this worker, and would open there had it not come before
        UUID firstId = Wiretap.member("first").getCluster().getLocalMember().getUuid();
        assertThat(batches.stream().map(batch -> Wiretap.open(WorkerJvm.SECRET, firstId, batch))
                .flatMap(plain -> Batches.decodeTasks(plain).jobs().stream()).map(Batches.Job::name)).contains("counted");

        for (Wiretap.Message batch : batches) {
            Wiretap.replay(eavesdropper, memberOf("first"), batch);
        }
        // takes every core of the worker: it starts after anything queued before it has ended
        assertThat(flow.task("after").on("cluster").cores(2).submit(() -> 1).get(20, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(runs("replayed")).as("runs of the recorded task").isEqualTo(1);
    }

    @Test
    void aTaskBatchRecordedForOneWorkerAndDeliveredToAnotherDoesNotRunThere() throws Exception {
        Wiretap tap = Wiretap.on(Wiretap.member("first"));
        assertThat(flow.task("counted").on("cluster").submit(ReplayTest::run, flow.value("redirected")).get()).isEqualTo(1);

        for (Wiretap.Message batch : tap.captured(Envelopes.TASKS)) {
            Wiretap.replay(eavesdropper, memberOf("second"), batch);
        }
        // control: a batch sealed for the second worker by a member holding the secret runs there, after the
        // redirected ones (one core, in order of arrival), which shows that the second worker does run tasks
        Serializer fory = new ForySerializer.Factory().create(List.of());
        Fn1<String, Integer> counted = ReplayTest::run;
        Batches.Job job = new Batches.Job(Long.MAX_VALUE, 1, 0, "control", fory.toBytes(new Invocation(counted, "control")));
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.TASKS, Batches.encode(new Batches.TaskBatch(
                holderId(), ForySerializer.Factory.class.getName(), List.of(), List.of(job))), Duration.ofSeconds(10)))
                .isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (runs("control") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(runs("control")).as("runs of the control task").isEqualTo(1);
        assertThat(runs("redirected")).as("runs of the redirected task").isEqualTo(1);
    }

    @Test
    void aCancellationThatOvertakesItsTaskStillCancelsIt() throws Exception {
        // a member holding the secret, as a driver: its cancellation of a task reaches the worker before the task
        Serializer fory = new ForySerializer.Factory().create(List.of());
        Fn1<String, Integer> counted = ReplayTest::run;
        long key = Long.MAX_VALUE - 1;
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.CANCEL, Batches.encode(new Batches.Cancel(holderId(),
                false, false, new long[] {key})), Duration.ofSeconds(10))).isTrue();
        List<Batches.Job> jobs = List.of(
                new Batches.Job(key, 1, 0, "overtaken", fory.toBytes(new Invocation(counted, "overtaken"))),
                new Batches.Job(key - 1, 1, 0, "control", fory.toBytes(new Invocation(counted, "after overtaken"))));
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.TASKS, Batches.encode(new Batches.TaskBatch(
                holderId(), ForySerializer.Factory.class.getName(), List.of(), jobs)), Duration.ofSeconds(10))).isTrue();
        // one core, in order: once the control task of the same batch ran, the cancelled one would have run before it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (runs("after overtaken") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(runs("after overtaken")).as("runs of the control task").isEqualTo(1);
        assertThat(runs("overtaken")).as("runs of the task cancelled before it arrived").isZero();
    }

    @Test
    void aCancellationThatMayNotInterruptLeavesARunningTaskRunning() throws Exception {
        Serializer fory = new ForySerializer.Factory().create(List.of());
        Fn1<String, String> sleeper = ReplayTest::sleepCounted;
        long key = Long.MAX_VALUE - 20;
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.TASKS, Batches.encode(new Batches.TaskBatch(
                holderId(), ForySerializer.Factory.class.getName(), List.of(), List.of(new Batches.Job(key, 1, 0,
                        "sleeper", fory.toBytes(new Invocation(sleeper, "not interrupted")))))),
                Duration.ofSeconds(10))).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (runs("not interrupted started") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.CANCEL, Batches.encode(new Batches.Cancel(holderId(),
                false, true, new long[] {key})), Duration.ofSeconds(10))).isTrue();
        while (runs("not interrupted ended") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(runs("not interrupted ended")).as("runs that slept to their end").isEqualTo(1);
        assertThat(runs("not interrupted interrupted")).as("runs interrupted").isZero();
    }

    /** Counts its start, then sleeps 1 s and counts how that ended. */
    static String sleepCounted(String what) {
        run(what + " started");
        try {
            Thread.sleep(1_000);
            run(what + " ended");
        } catch (InterruptedException e) {
            run(what + " interrupted");
        }
        return what;
    }

    @Test
    void tasksSealedByAMemberHoldingTheSecretInTheNameOfAnotherDriverDoNotRun() throws Exception {
        Serializer fory = new ForySerializer.Factory().create(List.of());
        Fn1<String, Integer> counted = ReplayTest::run;
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.TASKS, Batches.encode(new Batches.TaskBatch(
                driverId(), ForySerializer.Factory.class.getName(), List.of(), List.of(new Batches.Job(Long.MAX_VALUE - 10,
                        1, 0, "impersonated", fory.toBytes(new Invocation(counted, "impersonated")))))),
                Duration.ofSeconds(10))).isTrue();
        // control, after it on the same single core: the same member's tasks in its own name run
        assertThat(holder.sendAndWait(memberOf("second"), Envelopes.TASKS, Batches.encode(new Batches.TaskBatch(
                holderId(), ForySerializer.Factory.class.getName(), List.of(), List.of(new Batches.Job(Long.MAX_VALUE - 11,
                        1, 0, "own", fory.toBytes(new Invocation(counted, "in its own name")))))),
                Duration.ofSeconds(10))).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (runs("in its own name") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(runs("in its own name")).as("runs of the control task").isEqualTo(1);
        assertThat(runs("impersonated")).as("runs of the task sent in another driver's name").isZero();
    }

    @Test
    void resultsRecordedForOneRunAndDeliveredToTheDriverOfAnotherCompleteNothing() throws Exception {
        Wiretap tap = Wiretap.on(member(executorUuid()));
        List<Task<String>> mine = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            mine.add(flow.task("mine").on("cluster").submit(() -> "first run"));
        }
        for (Task<String> task : mine) {
            assertThat(task.get()).isEqualTo("first run");
        }
        List<Wiretap.Message> results = tap.captured(Envelopes.RESULTS);
        UUID firstRun = executorUuid();
        Set<Long> keys = results.stream().map(message -> Wiretap.open(WorkerJvm.SECRET, firstRun, message))
                .flatMap(plain -> Batches.decodeResults(plain).outcomes().stream()).map(Batches.Outcome::key)
                .collect(Collectors.toSet());

        gate = new CountDownLatch(1);
        ClusterExecutor other = driver();
        try (Flow otherFlow = Flow.builder().threads(2).executor(other).build()) {
            // the other run numbers its tasks from 1 too: these are waiting on the same worker under the same keys
            List<Task<String>> theirs = new ArrayList<>();
            long highest = keys.stream().mapToLong(Long::longValue).max().orElseThrow();
            assertThat(highest).as("recorded keys fit in the worker's slots").isLessThan(60);
            for (long key = 1; key <= highest; key++) {
                theirs.add(otherFlow.task("theirs").on("cluster").submit(ReplayTest::awaitGate, otherFlow.value("second run")));
            }
            Member otherDriver = otherDriver();
            for (Wiretap.Message message : results) {
                Wiretap.replay(eavesdropper, otherDriver, message);
            }
            assertThat(theirs).as("tasks of the other run completed by the replayed results").noneMatch(Task::isDone);
            gate.countDown();
            // the replayed results, had they been taken, would have been reported before the real ones
            for (Task<String> task : theirs) {
                assertThat(task.get(20, TimeUnit.SECONDS)).isEqualTo("second run");
            }
        } finally {
            gate.countDown();
        }
    }

    private String driverId() {
        return executorUuid().toString();
    }

    /** The member id of this test's driver. */
    private UUID executorUuid() {
        return eavesdropper.getCluster().getMembers().stream()
                .filter(m -> "driver".equals(m.getAttribute(Hazelcasts.ROLE)) && !m.localMember()).findFirst()
                .orElseThrow().getUuid();
    }

    private Member memberOf(String name) {
        return eavesdropper.getCluster().getMembers().stream().filter(m -> name.equals(m.getAttribute(Hazelcasts.NAME)))
                .findFirst().orElseThrow();
    }

    /** The driver member of another run: the one that is not this test's driver. */
    private Member otherDriver() throws InterruptedException {
        UUID mine = executorUuid();
        while (true) {
            for (Member member : eavesdropper.getCluster().getMembers()) {
                if ("driver".equals(member.getAttribute(Hazelcasts.ROLE)) && !member.getUuid().equals(mine)
                        && !member.localMember()) {
                    return member;
                }
            }
            Thread.sleep(10);
        }
    }

    /** The Hazelcast instance in this JVM of the member with id {@code id}. */
    private static HazelcastInstance member(UUID id) {
        return Hazelcast.getAllHazelcastInstances().stream()
                .filter(h -> id.equals(h.getCluster().getLocalMember().getUuid())).findFirst().orElseThrow();
    }
}
