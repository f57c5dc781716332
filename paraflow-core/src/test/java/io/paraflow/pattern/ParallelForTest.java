package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class ParallelForTest {

    @Test
    void everyIndexRunsExactlyOnceWithEitherSchedule() {
        try (ParallelFor team = ParallelFor.create(3)) {
            for (ParallelFor.Schedule schedule : List.of(ParallelFor.staticChunks(), ParallelFor.dynamicChunks(7))) {
                for (int round = 0; round < 50; round++) {
                    AtomicIntegerArray runs = new AtomicIntegerArray(1_000);
                    team.forEach(0, 1_000, schedule, i -> runs.incrementAndGet((int) i));
                    for (int i = 0; i < 1_000; i++) {
                        assertThat(runs.get(i)).as("runs of index %d", i).isEqualTo(1);
                    }
                }
            }
        }
    }

    @Test
    void reduceCombinesPartialResults() {
        try (ParallelFor team = ParallelFor.create(2)) {
            long sum = team.reduce(1, 100_001, ParallelFor.dynamicChunks(1_000), () -> 0L, (acc, i) -> acc + i, Long::sum);
            assertThat(sum).isEqualTo(100_000L * 100_001 / 2);
            String ordered = team.reduce(0, 10, ParallelFor.staticChunks(), () -> "", (acc, i) -> acc + i, String::concat);
            assertThat(ordered).isEqualTo("0123456789");
            assertThat(team.reduce(5, 5, ParallelFor.staticChunks(), () -> -1L, (acc, i) -> acc + i, Long::sum)).isEqualTo(-1L);
        }
    }

    @Test
    void moreThreadsThanIndicesStillWork() {
        try (ParallelFor team = ParallelFor.create(4)) {
            assertThat(team.reduce(0, 2, ParallelFor.staticChunks(), () -> 0L, (acc, i) -> acc + 1, Long::sum)).isEqualTo(2);
        }
    }

    @Test
    void aFailingBodyStopsTheLoopAndThrowsOnce() {
        AtomicLong ran = new AtomicLong();
        try (ParallelFor team = ParallelFor.create(2)) {
            assertThatThrownBy(() -> team.forEach(0, 1_000_000, ParallelFor.dynamicChunks(10), i -> {
                ran.incrementAndGet();
                if (i == 500) {
                    throw new IllegalStateException("bad index");
                }
            })).isInstanceOf(PatternException.class)
                    .hasMessageContaining("parallel-for loop over [0, 1000000) failed")
                    .hasRootCauseMessage("bad index");
            assertThat(ran.get()).isLessThan(1_000_000);
            team.forEach(0, 10, ParallelFor.staticChunks(), i -> ran.incrementAndGet());
        }
    }

    @Test
    void misuseIsRefusedWithTheReason() {
        ParallelFor team = ParallelFor.create(2);
        assertThatThrownBy(() -> team.forEach(0, 10, ParallelFor.dynamicChunks(1),
                i -> team.forEach(0, 1, ParallelFor.staticChunks(), j -> { })))
                .isInstanceOf(PatternException.class)
                .rootCause().hasMessageStartingWith("a loop cannot be started from inside a loop of the same team");
        team.close();
        assertThatThrownBy(() -> team.forEach(0, 1, ParallelFor.staticChunks(), i -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageEndingWith("is closed");
        assertThatThrownBy(() -> ParallelFor.create(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ParallelFor.dynamicChunks(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStageRunsADataParallelLoopOnEachItem() {
        try (ParallelFor team = ParallelFor.create(2)) {
            List<Long> sums = Pattern.from(Source.range(0, 50))
                    .map(n -> team.reduce(0, n * 100, ParallelFor.dynamicChunks(64), () -> 0L, (acc, i) -> acc + i, Long::sum))
                    .collect(Collectors.toList())
                    .run();
            for (int n = 0; n < 50; n++) {
                long size = n * 100L;
                assertThat(sums.get(n)).isEqualTo(size * (size - 1) / 2);
            }
        }
    }
}
