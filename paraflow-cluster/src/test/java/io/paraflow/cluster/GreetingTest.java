package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Wiretap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A greeting lost on its way to a worker is sent again: the worker is not left without tasks for the whole run. */
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
}
