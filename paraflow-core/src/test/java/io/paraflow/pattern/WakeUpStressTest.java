package io.paraflow.pattern;

import io.paraflow.pattern.internal.Run;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hunts lost wake-ups: small channels make every node wait for room or for an item at almost every
 * step, with far more threads than this machine's cores, so that nodes park and are woken all the time.
 * A lost wake-up leaves a node parked until its park limit, which the runtime counts: the test fails if
 * the count grows.
 */
@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class WakeUpStressTest {

    private static final int RUNS = 21;
    /**
     * One and two items make nodes wait at almost every step; 16 items let channels defer wake-ups (by
     * batches of 4) while the nodes still wait often.
     */
    private static final int[] CAPACITIES = {1, 2, 16};
    private static final long ITEMS = 1_000;
    private static final long SUM = ITEMS * (ITEMS - 1) / 2;

    static Stream<Arguments> topologies() {
        IntFunction<Pattern<Long>> pipeline = capacity -> Pattern.from(Source.range(0, ITEMS))
                .then(Pipeline.of(Stage.<Long, Long>map(i -> i)).map(i -> i).map(i -> i).map(i -> i))
                .collect(Collectors.summingLong(i -> i)).capacity(capacity);
        IntFunction<Pattern<Long>> onDemandFarm = capacity -> Pattern.from(Source.range(0, ITEMS))
                .then(Farm.of(6, () -> Stage.<Long, Long>map(i -> i)).onDemand(1).collector(Stage.<Long, Long>map(i -> i)))
                .collect(Collectors.summingLong(i -> i)).capacity(capacity);
        IntFunction<Pattern<Long>> orderedFarm = capacity -> Pattern.from(Source.range(0, ITEMS))
                .then(Farm.of(4, () -> Stage.<Long, Long>map(i -> i)).ordered())
                .then(new Stage<Long, Long>() {
                    private long expected;

                    @Override
                    public void process(Long item, Output<Long> out) {
                        if (item != expected++) {
                            throw new IllegalStateException("out of order: " + item);
                        }
                        out.emit(item);
                    }
                })
                .collect(Collectors.summingLong(i -> i)).capacity(capacity);
        IntFunction<Pattern<Long>> allToAll = capacity -> Pattern.from(Source.range(0, ITEMS))
                .then(AllToAll.of(3, () -> Stage.<Long, Long>map(i -> i), 3, () -> Stage.<Long, Long>map(i -> i))
                        .byKey(i -> i % 5))
                .collect(Collectors.summingLong(i -> i)).capacity(capacity);
        IntFunction<Pattern<Long>> masterWorker = capacity -> Pattern.from(Source.range(0, ITEMS))
                .then(MasterWorker.of(() -> new ForwardingMaster((result, context) -> context.emit(result)), 4,
                        () -> Stage.<Long, Long>map(i -> i)).onDemand(1))
                .collect(Collectors.summingLong(i -> i)).capacity(capacity);
        return Stream.of(Arguments.of("pipeline of 6 nodes", pipeline), Arguments.of("on-demand farm of 6", onDemandFarm),
                Arguments.of("ordered farm of 4", orderedFarm), Arguments.of("all-to-all 3 x 3 by key", allToAll),
                Arguments.of("master and 4 workers", masterWorker));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topologies")
    void tinyChannelsNeverLoseAWakeUp(String topology, IntFunction<Pattern<Long>> pattern) {
        long lateBefore = Run.lateWakeUps();
        for (int run = 0; run < RUNS; run++) {
            int capacity = CAPACITIES[run % CAPACITIES.length];
            assertThat(pattern.apply(capacity).run()).as("%s, run %d, capacity %d", topology, run, capacity).isEqualTo(SUM);
        }
        assertThat(Run.lateWakeUps() - lateBefore).as("lost wake-ups (parks that ran into their limit)").isZero();
    }
}
