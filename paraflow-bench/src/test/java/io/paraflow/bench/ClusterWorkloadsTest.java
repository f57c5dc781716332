package io.paraflow.bench;

import io.paraflow.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster workloads at a tiny size: they complete and check their results. No timing asserted. */
@Timeout(120)
class ClusterWorkloadsTest {

    @Test
    void batchesRoundTripsAndAJoiningWorkerComplete() throws Exception {
        List<ClusterWorkloads.WorkerJvm> workers = ClusterWorkloads.startCluster(1);
        try (Flow flow = ClusterWorkloads.clusterFlow(workers)) {
            ClusterWorkloads.batch(flow, 500);
            long[] nanos = ClusterWorkloads.roundTrips(flow, 20);
            assertThat(nanos).hasSize(20).isSorted();
            assertThat(nanos[0]).isPositive();
            assertThat(ClusterWorkloads.startToFirstTask(flow, workers.get(0))).isPositive();
            assertThat(ClusterWorkloads.largeResults(flow, 2, false)).hasSize(2);
            assertThat(ClusterWorkloads.largeResults(flow, 2, true)).hasSize(2);
        } finally {
            ClusterWorkloads.stop(workers);
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void theSchedulerSimulationPlacesTasks() {
        assertThat(ClusterWorkloads.nanosPerDecision(10, 10_000, false)).isPositive();
        assertThat(ClusterWorkloads.nanosPerDecision(10, 10_000, true)).isPositive();
        assertThat(ClusterWorkloads.nanosPerDecision(10, 10_000, false, true)).isPositive();
    }
}
