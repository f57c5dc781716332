package io.paraflow.exec;

import io.paraflow.Flow;
import io.paraflow.event.FlowInfo;
import io.paraflow.testing.NoLeakedThreads;
import io.paraflow.testing.ReportingExecutor;
import io.paraflow.testing.StartedFlow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A listener asks for the loads of the flow's remote workers through {@link FlowInfo#workerLoads}: every
 * executor's {@link TaskExecutor#workerLoads}, with an executor that breaks the contract skipped and null entries dropped.
 */
@ExtendWith(NoLeakedThreads.class)
class WorkerLoadsTest {

    @Test
    void theLoadsOfEveryExecutorReachTheListenerWhenItAsksAndABrokenExecutorOrANullEntryIsSkipped() {
        WorkerLoad first = new WorkerLoad("10.0.0.7:5701", 1_000, 1.5, 2_000_000, 64 << 20, 256 << 20);
        WorkerLoad second = new WorkerLoad("10.0.0.8:5701", 1_001, Double.NaN, -1, -1, -1);
        List<List<WorkerLoad>> reported = new CopyOnWriteArrayList<>(List.of(List.of(first)));
        StartedFlow keeping = new StartedFlow();
        try (Flow flow = Flow.builder().threads(1)
                .executor(new ReportingExecutor("cluster", () -> reported.get(reported.size() - 1)))
                .executor(new ReportingExecutor("broken", () -> {
                    throw new IllegalStateException("broken on purpose");
                }))
                .executor(new ReportingExecutor("other", () -> Arrays.asList(null, second)))
                .listener(keeping).build()) {
            FlowInfo info = keeping.info();
            assertThat(info.workerLoads().get()).containsExactlyInAnyOrder(first, second);
            // asked again, the latest figures
            WorkerLoad later = new WorkerLoad("10.0.0.7:5701", 2_000, 0.5, 2_500_000, 70 << 20, 256 << 20);
            reported.add(List.of(later));
            assertThat(info.workerLoads().get()).containsExactlyInAnyOrder(later, second);
            assertThat(flow.submit(() -> 1).join()).isEqualTo(1);
        }
    }

    @Test
    void aFlowWithoutRemoteWorkersHasNoLoads() {
        StartedFlow keeping = new StartedFlow();
        try (Flow flow = Flow.builder().threads(1).listener(keeping).build()) {
            assertThat(keeping.info().workerLoads().get()).isEmpty();
        }
    }
}
