package io.paraflow.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.paraflow.Flow;
import io.paraflow.cluster.internal.Batches;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Hazelcasts;
import io.paraflow.cluster.internal.Warnings;
import io.paraflow.cluster.internal.Wiretap;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.exec.WorkerLoad;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The driver's side of load reports, with a worker in this JVM whose reports the test records: the latest report
 * is kept under the name task events give the worker, a report recorded and delivered again is refused, so is
 * one sealed outside the driver's session, and one the worker sealed in another member's name; a worker that
 * left is forgotten.
 */
@Timeout(60)
class WorkerLoadTest {

    @Test
    void theDriverKeepsTheLatestLoadOfEachWorkerRefusesReplayedAndImpersonatingOnesAndForgetsAWorkerThatLeft() throws Exception {
        WorkerJvm.InJvm loaded = WorkerJvm.InJvm.named("loaded");
        Wiretap greetings = Wiretap.on(Wiretap.member("loaded"));
        Queue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        ClusterExecutor executor = loaded.driver().build();
        try (Flow flow = Flow.builder().threads(1).executor(executor).listener(TaskListener.ofEvents(events::add)).build()) {
            HazelcastInstance driverMember = driverMember();
            UUID driverId = driverMember.getCluster().getLocalMember().getUuid();
            Wiretap tap = Wiretap.on(driverMember);

            assertThat(flow.task("where").on("cluster").submit(() -> 1).get()).isEqualTo(1);
            String worker = events.stream().filter(e -> e.kind() == TaskEvent.Kind.FINISHED).findFirst().orElseThrow()
                    .worker();
            WorkerLoad first = awaitLoad(executor, load -> true);
            assertThat(first.worker()).as("named as in task events").isEqualTo(worker).isEqualTo("loaded");
            assertThat(first.cpuTimeNanos()).isPositive();
            assertThat(first.memoryUsedBytes()).isPositive();
            assertThat(first.memoryMaxBytes()).isGreaterThanOrEqualTo(first.memoryUsedBytes());
            assertThat(first.epochNanos()).isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis() + 1));

            // a report recorded on the way, delivered again once a newer one is the latest
            Wiretap.Message recorded = awaitRecorded(tap);
            long recordedCpu = Batches.decodeLoad(Wiretap.open(WorkerJvm.SECRET, driverId, recorded)).cpuTimeNanos();
            WorkerLoad newer = awaitLoad(executor, load -> load.cpuTimeNanos() != recordedCpu);
            assertThat(newer.cpuLoad()).as("measured between two reports").isNotNaN().isNotNegative();
            HazelcastInstance workerMember = Wiretap.member("loaded");
            Member driverSeenByWorker = memberWithRole(workerMember, "driver");
            Wiretap.replay(workerMember, driverSeenByWorker, recorded);
            assertThat(single(executor).cpuTimeNanos()).as("CPU time after the replay").isNotEqualTo(recordedCpu);

            // sealed with the secret in the worker's name, but outside the driver's session (another run's)
            Envelopes forger = Envelopes.ofDriver(WorkerJvm.SECRET.cipher(), "forger");
            forger.connect(workerMember, "forger");
            long forgedCpu = Long.MAX_VALUE / 2;
            assertThat(forger.sendAndWait(driverSeenByWorker, Envelopes.LOAD, Batches.encode(new Batches.Load(
                    workerMember.getCluster().getLocalMember().getUuid().toString(), 1, forgedCpu, 1, 1)),
                    java.time.Duration.ofSeconds(10))).isTrue();
            assertThat(single(executor).cpuTimeNanos()).as("CPU time after the forged report").isNotEqualTo(forgedCpu);

            // sealed in the session by the worker itself (it holds the secret), but in the name of another member
            UUID workerId = workerMember.getCluster().getLocalMember().getUuid();
            long unused = tap.captured(Envelopes.LOAD).stream().filter(m -> Envelopes.sender(m.payload()).equals(workerId))
                    .mapToLong(Wiretap::sequence).max().orElseThrow() + 1_000;
            long impersonatedCpu = Long.MAX_VALUE / 3;
            Wiretap.Message inAnothersName = Wiretap.sealedBy(WorkerJvm.SECRET, workerId,
                    greetings.captured(Envelopes.HELLO).get(0), Envelopes.LOAD, Batches.encode(new Batches.Load(
                            driverId.toString(), 1, impersonatedCpu, 1, 1)), unused);
            try (Warnings warnings = Warnings.of(ClusterExecutor.class)) {
                Wiretap.replay(workerMember, driverSeenByWorker, inAnothersName);
                assertThat(warnings.messages()).as("opened, then refused for the name inside").contains("cluster executor"
                        + " 'cluster' dropped a load report in the name of member " + driverId + " sent by member " + workerId);
            }
            assertThat(single(executor).cpuTimeNanos()).as("CPU time after the report in another member's name")
                    .isNotEqualTo(impersonatedCpu);

            loaded.worker().close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!executor.workerLoads().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(executor.workerLoads()).as("loads once the worker left").isEmpty();
            // its last report delivered again (from the driver's own member, the worker's is gone)
            Wiretap.replay(driverMember, driverMember.getCluster().getLocalMember(), tap.captured(Envelopes.LOAD)
                    .get(tap.captured(Envelopes.LOAD).size() - 1));
            assertThat(executor.workerLoads()).as("loads after a report of the worker that left").isEmpty();
        } finally {
            loaded.worker().close();
            ClusterLeaks.assertNoneLeft();
        }
    }

    /** The driver's Hazelcast member in this JVM. */
    private static HazelcastInstance driverMember() {
        return Hazelcast.getAllHazelcastInstances().stream()
                .filter(h -> "driver".equals(h.getCluster().getLocalMember().getAttribute(Hazelcasts.ROLE))).findFirst()
                .orElseThrow();
    }

    private static Member memberWithRole(HazelcastInstance seenBy, String role) {
        return seenBy.getCluster().getMembers().stream().filter(m -> role.equals(m.getAttribute(Hazelcasts.ROLE)))
                .findFirst().orElseThrow();
    }

    /** The executor's only load, which must be there. */
    private static WorkerLoad single(ClusterExecutor executor) {
        List<WorkerLoad> loads = executor.workerLoads();
        assertThat(loads).hasSize(1);
        return loads.get(0);
    }

    /** Waits for the executor's only load to match {@code wanted}. */
    private static WorkerLoad awaitLoad(ClusterExecutor executor, Predicate<WorkerLoad> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<WorkerLoad> loads = executor.workerLoads();
            if (loads.size() == 1 && wanted.test(loads.get(0))) {
                return loads.get(0);
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no such load within 20 s; loads: " + executor.workerLoads());
    }

    private static Wiretap.Message awaitRecorded(Wiretap tap) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (tap.captured(Envelopes.LOAD).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(tap.captured(Envelopes.LOAD)).as("load reports recorded").isNotEmpty();
        return tap.captured(Envelopes.LOAD).get(0);
    }
}
