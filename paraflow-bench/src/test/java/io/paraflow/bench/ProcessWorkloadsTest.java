package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.serial.ForySerializer;
import io.paraflow.serial.JavaSerializer;
import io.paraflow.serial.SerializerFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the worker-process workloads at a tiny size, with each serializer: they complete and check their results. No timing asserted. */
@Timeout(120)
class ProcessWorkloadsTest {

    @ParameterizedTest
    @ValueSource(classes = {JavaSerializer.Factory.class, ForySerializer.Factory.class})
    void roundTripsAndBatchesOfNoOpTasksComplete(Class<? extends SerializerFactory> serializer) throws Exception {
        try (Flow flow = ProcessWorkloads.flow(serializer)) {
            long[] nanos = ProcessWorkloads.roundTrips(flow, 20);
            assertThat(nanos).hasSize(20).isSorted();
            assertThat(nanos[0]).isPositive();
            ProcessWorkloads.batch(flow, 500);
        }
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }
}
