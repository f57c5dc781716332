package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.cluster.internal.Envelopes;
import io.paraflow.cluster.internal.Wiretap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A task whose batch is lost on its way to a worker does not wait for ever when the driver sets
 * {@code startWithin}: it is taken back and fails, naming the task and the worker, and the worker keeps working.
 */
@Timeout(60)
class StartWithinTest {

    @Test
    void aTaskWhoseBatchIsLostFailsOnceItHasNotStartedInTime() throws Exception {
        WorkerJvm.InJvm cluster = WorkerJvm.InJvm.named("losing");
        ClusterWorker worker = cluster.worker();
        try {
            Wiretap tap = Wiretap.losing(Wiretap.member("losing"), Envelopes.TASKS, 1);
            ClusterExecutor executor = cluster.driver().startWithin(Duration.ofSeconds(2)).build();
            try (Flow flow = Flow.builder().threads(1).executor(executor).build()) {
                Task<Integer> lost = flow.task("lost").on("cluster").submit(() -> 1);
                assertThatThrownBy(() -> lost.get(20, TimeUnit.SECONDS)).rootCause()
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("task lost")
                        .hasMessageContaining("losing").hasMessageContaining("has not started there");
                assertThat(tap.captured(Envelopes.TASKS)).as("batches sent").isNotEmpty();
                assertThat(flow.task("after").on("cluster").submit(() -> 6 * 7).get(20, TimeUnit.SECONDS)).isEqualTo(42);
                assertThat(executor.unanswered()).as("attempts still reserved").isZero();
            }
        } finally {
            worker.close();
        }
        ClusterLeaks.assertNoneLeft();
    }

    @Test
    void startWithinMustBePositive() {
        assertThatThrownBy(() -> ClusterExecutor.builder().startWithin(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("startWithin");
    }
}
