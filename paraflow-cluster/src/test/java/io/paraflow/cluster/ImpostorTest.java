package io.paraflow.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.cluster.internal.Batches;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Hazelcasts;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.cluster.security.RejectedMessageException;
import io.paraflow.exec.Invocation;
import io.paraflow.fn.Fn0;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A member that learnt the cluster's name (it travels in clear in Hazelcast's join messages) but does not
 * hold the secret joins Hazelcast's membership with a worker's attributes. It must get nothing useful: no
 * task placed on it, no task of its own executed, no result of its own accepted, nothing it receives
 * readable; and the cluster keeps working.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class ImpostorTest {
    private static final ClusterSecret WRONG = ClusterSecret.generate();

    @TempDir
    Path directory;

    private List<WorkerJvm> workers = List.of();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private ClusterExecutor executor;
    private Flow flow;
    private HazelcastInstance impostor;
    private Envelopes forged;

    private record Received(byte kind, byte[] payload) {
    }

    @BeforeAll
    void startClusterAndImpostor() {
        workers = WorkerJvm.startCluster(2, 5);
        executor = WorkerJvm.driverOf(workers).build();
        flow = Flow.builder().threads(2).executor(executor).build();

        // a member like any worker, but for its secret; it copies the cluster's name
        Hazelcasts.Settings settings = new Hazelcasts.Settings(WRONG, List.of(WorkerJvm.addresses(workers).split(",")),
                "127.0.0.1", WorkerJvm.freePort(), false, Duration.ofSeconds(5), false, Map.of(Hazelcasts.ROLE, "worker",
                Hazelcasts.CORES, "8", Hazelcasts.MEMORY, Long.toString(1L << 34), Hazelcasts.LABELS, "cluster",
                Hazelcasts.NAME, "impostor"));
        Config config = Hazelcasts.config(settings, (kind, payload) -> received.add(new Received(kind, payload)));
        config.setClusterName(WorkerJvm.SECRET.clusterName());
        impostor = Hazelcast.newHazelcastInstance(config);
        forged = Envelopes.ofDriver(WRONG.cipher(), "impostor");
        forged.connect(impostor, "impostor");
    }

    @AfterAll
    void stopEverything() {
        if (impostor != null) {
            impostor.shutdown();
        }
        WorkerJvm.stopAll(flow, workers);
    }

    @Test
    void theImpostorJoinsHazelcastButIsNeverGivenATaskAndCannotReadWhatItReceives() throws Exception {
        assertThat(impostor.getCluster().getMembers()).hasSize(4);

        List<Task<Integer>> squares = flow.task("square").on("cluster").map(i -> i * i,
                IntStream.range(0, 200).boxed().toList());
        for (int i = 0; i < squares.size(); i++) {
            assertThat(squares.get(i).get()).isEqualTo(i * i);
        }

        assertThat(executor.workers()).hasSize(2).doesNotContain("impostor");
        assertThat(received).as("what the driver sent the impostor").isNotEmpty()
                .allSatisfy(message -> assertThat(message.kind()).isEqualTo(Envelopes.HELLO));
        for (Received message : received) {
            assertThatThrownBy(() -> WRONG.cipher().open("hello", message.payload()))
                    .isInstanceOf(RejectedMessageException.class);
        }
    }

    @Test
    void aTaskTheImpostorSendsToAWorkerIsNotExecuted() throws Exception {
        Path marker = directory.resolve("executed");
        String target = marker.toString();
        Fn0<String> intrusion = () -> Files.writeString(Path.of(target), "intruded").toString();
        Serializer fory = new ForySerializer.Factory().create(List.of("io.paraflow.**"));
        // a key no task of the driver has, so the control below cannot complete a real task
        Batches.Job job = new Batches.Job(Long.MAX_VALUE, 1, 0, "intrusion", fory.toBytes(new Invocation(intrusion)));
        Batches.TaskBatch batch = new Batches.TaskBatch(driverOf(impostor), ForySerializer.Factory.class.getName(),
                List.of("io.paraflow.**"), List.of(job));

        for (Member worker : workerMembers()) {
            assertThat(forged.sendAndWait(worker, Envelopes.TASKS, Batches.encode(batch), Duration.ofSeconds(10)))
                    .as("delivered to " + worker).isTrue();
        }
        // every worker has handled the forged envelope when sendAndWait returns; real tasks run after it
        assertThat(flow.task("after").on("cluster").map(i -> i + 1, List.of(1, 2, 3, 4)).get(3).get()).isEqualTo(5);

        assertThat(marker).doesNotExist();

        // control: the forgery was well formed: decoded as a worker decodes it, its task writes the marker
        Batches.Job decoded = Batches.decodeTasks(Batches.encode(batch)).jobs().get(0);
        Invocation invocation = (Invocation) fory.fromBytes(decoded.invocation(), 0, decoded.invocation().length);
        Invocation.call(invocation.function(), invocation.arguments());
        assertThat(marker).exists();
    }

    @Test
    void aResultTheImpostorSendsTheDriverIsIgnored() throws Exception {
        Task<String> slow = flow.task("slow").on("cluster").submit(() -> {
            Thread.sleep(300);
            return "computed";
        });
        sendResultsForEveryKey(forged);

        assertThat(slow.get()).isEqualTo("computed");

        // even sealed with the secret, results in the name of the workers that run the tasks are not taken from
        // another member (a member with the secret learns the driver's session from the greeting the driver sent it)
        Task<String> slowToo = flow.task("slow").on("cluster").submit(() -> {
            Thread.sleep(300);
            return "computed";
        });
        Envelopes genuine = Envelopes.ofWorker(WorkerJvm.SECRET.cipher(), "test");
        genuine.connect(impostor, "test");
        assertThat(genuine.open(Envelopes.HELLO, greeting().payload())).isNotNull();
        sendResultsForEveryKey(genuine);
        assertThat(slowToo.get()).isEqualTo("computed");
    }

    /** Claims, as each worker in turn, that every task key the driver may have given out returned "forged". */
    private void sendResultsForEveryKey(Envelopes sender) {
        Serializer fory = new ForySerializer.Factory().create(List.of());
        List<Batches.Outcome> guesses = new ArrayList<>();
        for (long key = 0; key < 5_000; key++) {
            guesses.add(new Batches.Outcome(key, Batches.RESULT, fory.toBytes("forged")));
        }
        Member driver = impostor.getCluster().getMembers().stream()
                .filter(m -> "driver".equals(m.getAttribute(Hazelcasts.ROLE))).findFirst().orElseThrow();
        for (Member worker : workerMembers()) {
            assertThat(sender.sendAndWait(driver, Envelopes.RESULTS,
                    Batches.encode(new Batches.ResultBatch(worker.getUuid().toString(), guesses)), Duration.ofSeconds(10)))
                    .isTrue();
        }
    }

    /** The greeting the driver sent the impostor when it joined. */
    private Received greeting() throws InterruptedException {
        while (received.isEmpty()) {
            Thread.sleep(10);
        }
        return received.get(0);
    }

    private List<Member> workerMembers() {
        return impostor.getCluster().getMembers().stream()
                .filter(m -> "worker".equals(m.getAttribute(Hazelcasts.ROLE)) && !m.localMember()).toList();
    }

    private static String driverOf(HazelcastInstance member) {
        return member.getCluster().getMembers().stream().filter(m -> "driver".equals(m.getAttribute(Hazelcasts.ROLE)))
                .findFirst().orElseThrow().getUuid().toString();
    }
}
