package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.exec.process.ProcessExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the worker-process workloads at a tiny size: they complete and check their results. No timing asserted. */
@Timeout(120)
class ProcessWorkloadsTest {

    @Test
    void roundTripsAndBatchesOfNoOpTasksComplete() throws Exception {
        try (Flow flow = Flow.builder().threads(2)
                .executor(ProcessExecutor.builder().label("isolated").workers(2).build()).build()) {
            long[] nanos = ProcessWorkloads.roundTrips(flow, 20);
            assertThat(nanos).hasSize(20).isSorted();
            assertThat(nanos[0]).isPositive();
            ProcessWorkloads.batch(flow, 500);
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }
}
