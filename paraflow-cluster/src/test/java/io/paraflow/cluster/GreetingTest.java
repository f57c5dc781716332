package io.paraflow.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.paraflow.Flow;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Greeting;
import io.paraflow.cluster.internal.Hazelcasts;
import io.paraflow.cluster.internal.Warnings;
import io.paraflow.cluster.internal.Wiretap;
import io.paraflow.cluster.security.ClusterSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A greeting lost on its way to a worker is sent again: the worker is not left without tasks for the whole run.
 * An answer to a greeting counts only from the member it names.
 */
@Timeout(60)
class GreetingTest {

    @Test
    void aWorkerWhoseFirstGreetingIsLostIsGreetedAgainAndGetsTasks() throws Exception {
        WorkerJvm.InJvm cluster = WorkerJvm.InJvm.named("greeted twice");
        ClusterWorker worker = cluster.worker();
        try {
            Wiretap tap = Wiretap.losing(Wiretap.member("greeted twice"), Envelopes.HELLO, 1);
            // build() waits for the worker's answer, which only a second greeting can bring
            ClusterExecutor executor = cluster.driver().build();
            try (Flow flow = Flow.builder().threads(1).executor(executor).build()) {
                assertThat(tap.captured(Envelopes.HELLO)).as("greetings sent").hasSizeGreaterThanOrEqualTo(2);
                assertThat(executor.workers()).containsExactly("greeted twice");
                assertThat(flow.task("after").on("cluster").submit(() -> 6 * 7).get(20, TimeUnit.SECONDS)).isEqualTo(42);
            }
        } finally {
            worker.close();
        }
        ClusterLeaks.assertNoneLeft();
    }

    @Test
    void anAnswerAWorkerSealsInTheNameOfAMemberWithoutTheSecretAdmitsNothing() throws Exception {
        WorkerJvm.InJvm cluster = WorkerJvm.InJvm.named("honest");
        HazelcastInstance impostor = null;
        try {
            HazelcastInstance honest = Wiretap.member("honest");
            Wiretap greetings = Wiretap.on(honest);
            ClusterExecutor executor = cluster.driver().build();
            try (Flow flow = Flow.builder().threads(1).executor(executor).build()) {
                // a member that learnt the cluster's name but not its secret joins; the driver greets it
                List<Wiretap.Message> toImpostor = new CopyOnWriteArrayList<>();
                Hazelcasts.Settings settings = new Hazelcasts.Settings(ClusterSecret.generate(),
                        List.of(cluster.worker().address()), "127.0.0.1", WorkerJvm.freePort(), false, Duration.ofSeconds(5),
                        false, Map.of(Hazelcasts.ROLE, "worker", Hazelcasts.CORES, "8", Hazelcasts.MEMORY,
                        Long.toString(1L << 34), Hazelcasts.LABELS, "cluster", Hazelcasts.NAME, "impostor"));
                Config config = Hazelcasts.config(settings, (kind, payload) -> toImpostor.add(new Wiretap.Message(kind, payload)));
                config.setClusterName(WorkerJvm.SECRET.clusterName());
                impostor = Hazelcast.newHazelcastInstance(config);
                UUID impostorId = impostor.getCluster().getLocalMember().getUuid();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (toImpostor.stream().noneMatch(m -> m.kind() == Envelopes.HELLO) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                Wiretap.Message hello = toImpostor.stream().filter(m -> m.kind() == Envelopes.HELLO)
                        .reduce((first, last) -> last).orElseThrow(() -> new AssertionError("the impostor was not greeted"));

                // the honest worker holds the secret: it reads the impostor's greeting and answers it in its name
                Greeting greeting = Greeting.decode(Wiretap.open(WorkerJvm.SECRET, impostorId, hello));
                UUID honestId = honest.getCluster().getLocalMember().getUuid();
                // numbered past the few messages (its answer, a load report a second) the worker sent the driver
                Wiretap.Message answer = Wiretap.sealedBy(WorkerJvm.SECRET, honestId, greetings.captured(Envelopes.HELLO)
                        .get(0), Envelopes.WELCOME, greeting.answeredBy(impostorId.toString()).encode(), 1_000);
                Member driver = honest.getCluster().getMembers().stream()
                        .filter(m -> "driver".equals(m.getAttribute(Hazelcasts.ROLE))).findFirst().orElseThrow();
                try (Warnings warnings = Warnings.of(ClusterExecutor.class)) {
                    Wiretap.replay(honest, driver, answer);
                    assertThat(warnings.messages()).as("opened, then refused for the name inside").contains("cluster"
                            + " executor 'cluster' dropped an answer to a greeting in the name of member " + impostorId
                            + " sent by member " + honestId);
                }
                assertThat(executor.workers()).containsExactly("honest");
                assertThat(flow.task("after").on("cluster").submit(() -> 6 * 7).get(20, TimeUnit.SECONDS)).isEqualTo(42);
            }
        } finally {
            if (impostor != null) {
                impostor.shutdown();
            }
            cluster.worker().close();
        }
        ClusterLeaks.assertNoneLeft();
    }
}
