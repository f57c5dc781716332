package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
    void rangesAtTheEndsOfLongAreSplitWithoutOverflow() throws Exception {
        try (ParallelFor team = ParallelFor.create(3)) {
            for (ParallelFor.Schedule schedule : List.of(ParallelFor.staticChunks(), ParallelFor.dynamicChunks(7))) {
                assertThat(team.reduce(Long.MAX_VALUE - 10, Long.MAX_VALUE, schedule, () -> 0L, (n, i) -> n + 1, Long::sum))
                        .isEqualTo(10);
                assertThat(team.reduce(Long.MIN_VALUE, Long.MIN_VALUE + 10, schedule, () -> 0L, (n, i) -> n + 1, Long::sum))
                        .isEqualTo(10);
            }
        }
        // The largest range: each of two threads starts on its own half (before, the second half was empty).
        try (ParallelFor team = ParallelFor.create(2)) {
            Set<Long> firsts = ConcurrentHashMap.newKeySet();
            CyclicBarrier both = new CyclicBarrier(2);
            assertThatThrownBy(() -> team.forEach(0, Long.MAX_VALUE, ParallelFor.staticChunks(), i -> {
                firsts.add(i);
                both.await(20, TimeUnit.SECONDS);
                throw new IllegalStateException("seen");
            })).isInstanceOf(PatternException.class).hasRootCauseMessage("seen");
            assertThat(firsts).containsExactlyInAnyOrder(0L, Long.MAX_VALUE / 2 + 1);
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
    void aMapStageRunsADataParallelLoopOnEachItemOnATeamOfItsRun() {
        Set<String> teamThreads = ConcurrentHashMap.newKeySet();
        // Index 0 waits until a thread of the team ran an index: a helper takes part on a loaded machine too.
        CountDownLatch aHelperRan = new CountDownLatch(1);
        Pattern<List<Long>> pattern = Pattern.from(Source.range(0, 50))
                .then(ParallelFor.map(3, (Long n, ParallelFor team) -> team.reduce(0, n * 100, ParallelFor.dynamicChunks(64),
                        () -> 0L, (acc, i) -> {
                            String thread = Thread.currentThread().getName();
                            teamThreads.add(thread);
                            if (thread.startsWith("paraflow-pfor-")) {
                                aHelperRan.countDown();
                            }
                            if (i == 0 && !aHelperRan.await(20, TimeUnit.SECONDS)) {
                                throw new AssertionError("no helper of the team took part in the loop");
                            }
                            return acc + i;
                        }, Long::sum)))
                .collect(Collectors.toList());
        for (int run = 0; run < 2; run++) {
            List<Long> sums = pattern.run();
            for (int n = 0; n < 50; n++) {
                long size = n * 100L;
                assertThat(sums.get(n)).isEqualTo(size * (size - 1) / 2);
            }
            // The team's threads ended with the run (the node's thread is the third member).
            assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
        }
        assertThat(teamThreads).anyMatch(name -> name.startsWith("paraflow-pfor-"));
    }

    /** A map stage whose loop over its first item never ends by itself; counts the indices it ran. */
    private static Block<Long, Long> endlessLoop(ParallelFor.Schedule schedule, AtomicLong ran) {
        return ParallelFor.map(2, (Long item, ParallelFor team) -> {
            team.forEach(0, 1L << 40, schedule, i -> ran.incrementAndGet());
            return item;
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"static", "dynamic"})
    void cancellingThePatternStopsARunningLoopPromptly(String chunks) throws Exception {
        AtomicLong ran = new AtomicLong();
        ParallelFor.Schedule schedule = chunks.equals("static") ? ParallelFor.staticChunks() : ParallelFor.dynamicChunks(1_000);
        Running<Void> running = Pattern.from(Source.range(0, 10)).then(endlessLoop(schedule, ran)).forEach(i -> { }).start();
        while (ran.get() < 100_000) {
            Thread.onSpinWait();
        }
        running.cancel();
        assertThatThrownBy(() -> running.await(Duration.ofSeconds(20))).isInstanceOf(CancellationException.class);
        long atTheEnd = ran.get();
        assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
        assertThat(ran.get()).isEqualTo(atTheEnd);
    }

    @Test
    void aFailureElsewhereInThePatternStopsARunningLoop() {
        AtomicLong ran = new AtomicLong();
        Pattern<Void> pattern = Pattern.from(Source.range(0, 2))
                .then(Farm.ofBlocks(2, w -> w == 0 ? endlessLoop(ParallelFor.dynamicChunks(100), ran)
                        : Block.of((Long item, Output<Long> out) -> {
                            while (ran.get() < 100_000) {
                                Thread.onSpinWait();
                            }
                            throw new IllegalStateException("worker 1 gives up");
                        })))
                .forEach(i -> { });
        assertThatThrownBy(pattern::run).isInstanceOf(PatternException.class)
                .hasMessageContaining("farm worker 1 of stage 2 failed").hasRootCauseMessage("worker 1 gives up");
    }

    @Test
    void aFailingLoopBodyFailsTheMapStageAndTheTeamIsClosed() {
        Pattern<Void> pattern = Pattern.from(Source.range(0, 10))
                .then(ParallelFor.map(2, (Long item, ParallelFor team) -> {
                    team.forEach(0, 1_000, ParallelFor.dynamicChunks(10), i -> {
                        if (item == 3 && i == 500) {
                            throw new IllegalStateException("bad index");
                        }
                    });
                    return item;
                }))
                .forEach(i -> { });
        assertThatThrownBy(pattern::run).isInstanceOf(PatternException.class)
                .hasMessageStartingWith("pattern 'pattern': stage 2 failed")
                .hasRootCauseMessage("bad index");
        assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
        assertThatThrownBy(() -> ParallelFor.map(0, (Long item, ParallelFor team) -> item))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void interruptingTheCallerOfALoopCancelsIt() throws Exception {
        AtomicLong ran = new AtomicLong();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagKept = new AtomicBoolean();
        try (ParallelFor team = ParallelFor.create(2)) {
            Thread caller = new Thread(() -> {
                try {
                    team.forEach(0, 1L << 40, ParallelFor.staticChunks(), i -> ran.incrementAndGet());
                } catch (RuntimeException e) {
                    thrown.set(e);
                    flagKept.set(Thread.currentThread().isInterrupted());
                }
            }, "test-caller");
            caller.start();
            while (ran.get() < 100_000) {
                Thread.onSpinWait();
            }
            caller.interrupt();
            caller.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(caller.isAlive()).isFalse();
        }
        assertThat(thrown.get()).isInstanceOf(CancellationException.class)
                .hasMessageContaining("was cancelled: its calling thread was interrupted");
        assertThat(flagKept).isTrue();
    }

    @Test
    void aCallerInterruptedBeforeTheLoopRunsNoIndex() {
        AtomicLong ran = new AtomicLong();
        try (ParallelFor team = ParallelFor.create(2)) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> team.forEach(0, 1_000, ParallelFor.dynamicChunks(10), i -> ran.incrementAndGet()))
                        .isInstanceOf(CancellationException.class)
                        .hasMessageContaining("was cancelled before it started: its calling thread was interrupted");
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag kept").isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(ran).hasValue(0);
            assertThat(team.reduce(0, 1_000, ParallelFor.staticChunks(), () -> 0L, (acc, i) -> acc + i, Long::sum))
                    .as("the next loop of a caller no longer interrupted").isEqualTo(999L * 1_000 / 2);
        }
    }

    @Test
    void anInterruptAfterEveryIndexRanKeepsTheResult() throws Exception {
        // Static chunks over [0, 2) on two threads: the caller folds 0, then waits for the helper, which folds
        // 1 and, once the caller is parked waiting for it, interrupts it: every index has run, so the loop
        // returns its result, flag set.
        Thread caller = Thread.currentThread();
        CountDownLatch zeroDone = new CountDownLatch(1);
        try (ParallelFor team = ParallelFor.create(2)) {
            long sum;
            boolean flagKept;
            try {
                sum = team.reduce(0, 2, ParallelFor.staticChunks(), () -> 0L, (acc, i) -> {
                    if (i == 0) {
                        zeroDone.countDown();
                    } else if (!zeroDone.await(20, TimeUnit.SECONDS)) {
                        throw new AssertionError("index 0 never ran");
                    } else {
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                        while (caller.getState() != Thread.State.WAITING) {
                            if (System.nanoTime() > deadline) {
                                throw new AssertionError("the caller never waited for the helper");
                            }
                            Thread.onSpinWait();
                        }
                        caller.interrupt();
                    }
                    return acc + i + 10;
                }, Long::sum);
            } finally {
                flagKept = Thread.interrupted();
            }
            assertThat(sum).isEqualTo(21L);
            assertThat(flagKept).as("interrupt flag kept").isTrue();
        }
    }
}
