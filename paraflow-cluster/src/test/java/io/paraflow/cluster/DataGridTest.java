package io.paraflow.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.paraflow.Flow;
import io.paraflow.ResultUnavailableException;
import io.paraflow.Task;
import io.paraflow.cluster.internal.Hazelcasts;
import io.paraflow.cluster.internal.ResultStore;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.cluster.security.RejectedMessageException;
import io.paraflow.serial.ForySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The data grid of large results, with two worker JVMs on 127.0.0.1: a result at or above the threshold
 * stays in the cluster until the driver needs it, a task that takes it runs where it is and uses the value
 * itself, a member without the secret can neither read nor plant one, and the loss of the worker holding
 * it loses nothing (its backup). The last test kills a worker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class DataGridTest {
    private static final int DETECTION_SECONDS = 3;
    private static final long THRESHOLD = 32 << 10;
    private static final byte[] PATTERN = "paraflow plaintext ".getBytes(StandardCharsets.US_ASCII);
    private static final ClusterSecret WRONG = ClusterSecret.generate();

    private List<WorkerJvm> workers = new ArrayList<>();
    private ClusterExecutor executor;
    private Flow flow;

    /** A value of {@code size} bytes, with the JVM that made it; it travels between JVMs. */
    record Blob(String jvm, byte[] data, boolean producedHere) {
    }

    /** What the last {@link #produce} returned in this (worker) JVM. */
    static volatile Blob lastProduced;

    @BeforeAll
    void startCluster() {
        workers = WorkerJvm.startCluster(2, DETECTION_SECONDS);
        executor = WorkerJvm.driverOf(workers).detection(Duration.ofSeconds(DETECTION_SECONDS)).gridThreshold(THRESHOLD)
                .build();
        flow = Flow.builder().threads(2).executor(executor).build();
    }

    @AfterAll
    void stopCluster() {
        WorkerJvm.stopAll(flow, workers);
    }

    static Blob produce(int size) {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
            data[i] = PATTERN[i % PATTERN.length];
        }
        Blob blob = new Blob(ManagementFactory.getRuntimeMXBean().getName(), data, true);
        lastProduced = blob;
        return blob;
    }

    /** A new blob of the same size, saying whether its input is the very object produced in this JVM. */
    static Blob next(Blob input) {
        return new Blob(ManagementFactory.getRuntimeMXBean().getName(), input.data().clone(), input == lastProduced);
    }

    private Task<Blob> produceOnCluster(int size) {
        return flow.task("produce").on("cluster").submit(DataGridTest::produce, flow.value(size));
    }

    @Test
    @Order(1)
    void aResultAtOrAboveTheThresholdStaysInTheGridUntilAskedASmallerOneComesBackAtOnce() throws Exception {
        long reads = executor.gridReads();
        int entries = executor.gridEntries();
        Task<Blob> large = produceOnCluster((int) THRESHOLD * 2);
        Task<Blob> small = produceOnCluster((int) THRESHOLD / 2);
        flow.awaitAll();

        assertThat(large.isDone()).isTrue();
        assertThat(executor.gridEntries()).as("only the large result is in the grid").isEqualTo(entries + 1);
        assertThat(executor.gridReads()).as("nothing fetched before it is asked for").isEqualTo(reads);

        assertThat(small.get().data()).hasSize((int) THRESHOLD / 2);
        assertThat(executor.gridReads()).isEqualTo(reads);
        assertThat(large.get().data()).isEqualTo(produce((int) THRESHOLD * 2).data());
        assertThat(large.get().data()).hasSize((int) THRESHOLD * 2);
        assertThat(executor.gridReads()).as("fetched once, on first need").isEqualTo(reads + 1);
    }

    @Test
    @Order(2)
    void aTaskTakingALargeResultRunsOnItsWorkerWithTheValueItselfAndTheDriverFetchesNothing() throws Exception {
        long reads = executor.gridReads();
        for (int round = 0; round < 3; round++) {
            Task<Blob> first = produceOnCluster((int) THRESHOLD * 4);
            Task<Blob> second = flow.task("next").on("cluster").submit(DataGridTest::next, first);
            Task<Integer> third = flow.task("next").on("cluster").submit(b -> b.data().length, second);

            assertThat(third.get()).isEqualTo((int) THRESHOLD * 4);
            assertThat(executor.gridReads()).as("the chain ran without the driver fetching").isEqualTo(reads);
            Blob before = first.get();
            Blob after = second.get();
            assertThat(after.jvm()).as("round %d: the second task ran where the first kept its result", round)
                    .isEqualTo(before.jvm());
            assertThat(after.producedHere()).as("round %d: and used the object itself", round).isTrue();
            assertThat(after.data()).isEqualTo(before.data());
            reads += 2;
            assertThat(executor.gridReads()).isEqualTo(reads);
        }
        Task<Integer> local = flow.submit(b -> b.data().length, produceOnCluster((int) THRESHOLD));
        assertThat(local.get()).as("a task on the driver's threads gets the fetched value").isEqualTo((int) THRESHOLD);
    }

    @Test
    @Order(3)
    void aValueNobodyCanAskForAnyMoreIsDeletedFromTheGrid() throws Exception {
        Task<Blob> held = produceOnCluster((int) THRESHOLD * 2);
        flow.awaitAll();
        Set<Long> before = executor.gridKeys();
        produceOnCluster((int) THRESHOLD * 2);
        flow.awaitAll();
        // the Cleaner may delete older entries meanwhile, never add one: what is new is the unreferenced task's
        Set<Long> added = executor.gridKeys();
        added.removeAll(before);
        assertThat(added).as("the unreferenced task's result is in the grid").hasSize(1);
        long key = added.iterator().next();

        // the task and its handle are garbage now; the grid entry goes once the collector has noticed
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (executor.gridKeys().contains(key) && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(executor.gridKeys()).as("the entry of the unreferenced result was deleted").doesNotContain(key);
        assertThat(held.get().data()).as("a result still referenced stays").hasSize((int) THRESHOLD * 2);
    }

    @Test
    @Order(4)
    void aMemberWithoutTheSecretCanNeitherReadNorPlantAValueAndTheClusterKeepsWorking() throws Exception {
        HazelcastInstance impostor = startImpostor();
        try {
            String driver = driverUuid(impostor);
            IMap<Long, byte[]> map = impostor.getMap(ResultStore.mapName(driver));
            Set<Long> before = new HashSet<>(map.keySet());
            Task<Blob> a = produceOnCluster((int) THRESHOLD * 2);
            Task<Blob> b = produceOnCluster((int) THRESHOLD * 2);
            Task<Blob> c = produceOnCluster((int) THRESHOLD * 2);
            flow.awaitAll();
            List<Long> keys = new ArrayList<>(map.keySet());
            keys.removeAll(before);
            keys.sort(null);
            assertThat(keys).as("a, b, c in submission order").hasSize(3);

            for (long key : keys) {
                byte[] sealed = map.get(key);
                assertThat(indexOf(sealed, PATTERN)).as("the plaintext is not in the grid").isEqualTo(-1);
                assertThatThrownBy(() -> WRONG.cipher().open(ResultStore.purpose(driver, key), sealed))
                        .isInstanceOf(RejectedMessageException.class);
            }
            // a value moved to another key, and one sealed without the secret, do not open
            map.set(keys.get(0), map.get(keys.get(1)));
            byte[] forged = new ForySerializer.Factory().create(List.of("io.paraflow.**"))
                    .toBytes(new Blob("forged", new byte[10], false));
            map.set(keys.get(1), WRONG.cipher().seal(ResultStore.purpose(driver, keys.get(1)), forged));
            map.set(keys.get(2), WRONG.cipher().seal(ResultStore.purpose(driver, keys.get(2)), forged));

            for (Task<Blob> planted : List.of(a, b)) {
                assertThatThrownBy(planted::get).isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOfSatisfying(ResultUnavailableException.class, e -> {
                            assertThat(e.taskName()).isEqualTo("produce");
                            assertThat(e).hasMessageContaining("failed authentication");
                        });
            }
            assertThatThrownBy(c::get).cause().isInstanceOf(ResultUnavailableException.class);
            assertThat(flow.task("after").on("cluster").submit(() -> 1).get()).isEqualTo(1);
            assertThat(produceOnCluster((int) THRESHOLD * 2).get().data()).hasSize((int) THRESHOLD * 2);
        } finally {
            impostor.shutdown();
        }
    }

    @Test
    @Order(5)
    void killingTheWorkerThatHoldsTheOnlyCopyOfAResultButItsBackupLosesNothing() throws Exception {
        // a driver of its own, so that its grid holds this one value and the test knows where its primary copy is
        Task<Blob> unfetched;
        String secondDriver;
        ClusterExecutor second = WorkerJvm.driverOf(workers).detection(Duration.ofSeconds(DETECTION_SECONDS))
                .gridThreshold(THRESHOLD).label("cluster").build();
        try (Flow run = Flow.builder().threads(2).executor(second).build()) {
            Task<Blob> kept = run.task("produce").on("cluster").submit(DataGridTest::produce, run.value((int) THRESHOLD * 8));
            run.awaitAll();
            Set<String> owners = second.gridOwners();
            assertThat(owners).as("the worker holding the primary copy").hasSize(1);
            WorkerJvm victim = workers.stream().filter(w -> owners.contains(w.address())).findFirst().orElseThrow();
            workers.remove(victim);
            victim.kill();

            assertThat(kept.get(60, TimeUnit.SECONDS).data()).isEqualTo(produce((int) THRESHOLD * 8).data());
            assertThat(second.gridReads()).isEqualTo(1);
            Task<Integer> downstream = run.task("after loss").on("cluster").submit(b -> b.data().length, kept);
            assertThat(downstream.get(60, TimeUnit.SECONDS)).isEqualTo((int) THRESHOLD * 8);
            unfetched = run.task("produce").on("cluster").submit(DataGridTest::produce, run.value((int) THRESHOLD));
            run.awaitAll();
            secondDriver = second.driverUuid();
            assertThat(executor.gridHasMapOf(secondDriver)).as("another member sees the second driver's map").isTrue();
        }
        assertThatThrownBy(unfetched::get).as("a value not fetched before close").cause()
                .isInstanceOfSatisfying(ResultUnavailableException.class, e -> assertThat(e)
                        .hasMessageContaining("'produce'").hasMessageContaining("cluster executor was closed"));
        // seen from a member that stays: closing the flow destroyed the second driver's map
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (executor.gridHasMapOf(secondDriver) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(executor.gridHasMapOf(secondDriver)).as("closing the flow destroyed its map").isFalse();
    }

    private HazelcastInstance startImpostor() {
        Hazelcasts.Settings settings = new Hazelcasts.Settings(WRONG, List.of(WorkerJvm.addresses(workers).split(",")),
                "127.0.0.1", WorkerJvm.freePort(), false, Duration.ofSeconds(DETECTION_SECONDS), false,
                Map.of(Hazelcasts.ROLE, "impostor"));
        Config config = Hazelcasts.config(settings, (kind, payload) -> { });
        config.setClusterName(WorkerJvm.SECRET.clusterName());
        return Hazelcast.newHazelcastInstance(config);
    }

    private static String driverUuid(HazelcastInstance member) {
        return member.getCluster().getMembers().stream().filter(m -> "driver".equals(m.getAttribute(Hazelcasts.ROLE)))
                .findFirst().orElseThrow().getUuid().toString();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
