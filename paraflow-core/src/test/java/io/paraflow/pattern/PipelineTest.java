package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NoLeakedThreads.class)
@Timeout(20)
class PipelineTest {

    @Test
    void itemsPassEveryStageInOrder() {
        List<String> result = Pattern.from(Source.range(0, 10_000))
                .map(i -> i * 2)
                .then((Long i, Output<String> out) -> out.emit("#" + i))
                .collect(Collectors.toList())
                .run();
        assertThat(result).containsExactlyElementsOf(
                LongStream.range(0, 10_000).mapToObj(i -> "#" + (2 * i)).collect(Collectors.toList()));
    }

    @Test
    void stagesMayEmitNothingOrManyAndInTheirHooks() {
        Stage<Long, Long> hooks = new Stage<>() {
            @Override
            public void start(Output<Long> out) {
                out.emit(-1L);
            }

            @Override
            public void process(Long item, Output<Long> out) {
                for (long k = 0; k < item % 3; k++) {
                    out.emit(item);
                }
            }

            @Override
            public void end(Output<Long> out) {
                out.emit(-2L);
            }
        };
        List<Long> result = Pattern.from(Source.range(0, 7)).then(hooks).collect(Collectors.toList()).run();
        assertThat(result).containsExactly(-1L, 1L, 2L, 2L, 4L, 5L, 5L, -2L);
    }

    @Test
    void endHookRunsOnceAfterTheLastItemAndTheSinkSeesEverything() {
        List<String> events = new ArrayList<>();
        Pattern.from(Source.of(List.of("a", "b"))).to(new Stage<String, Void>() {
            @Override
            public void start(Output<Void> out) {
                events.add("start");
            }

            @Override
            public void process(String item, Output<Void> out) {
                events.add(item);
            }

            @Override
            public void inputEnded(int input, Output<Void> out) {
                events.add("ended " + input);
            }

            @Override
            public void end(Output<Void> out) {
                events.add("end");
            }
        }).run();
        assertThat(events).containsExactly("start", "a", "b", "ended 0", "end");
    }

    @Test
    void emptyStreamStillRunsHooks() {
        List<Long> result = Pattern.from(Source.<Long>empty())
                .then(new Stage<Long, Long>() {
                    @Override
                    public void process(Long item, Output<Long> out) {
                        out.emit(item);
                    }

                    @Override
                    public void end(Output<Long> out) {
                        out.emit(42L);
                    }
                })
                .collect(Collectors.toList()).run();
        assertThat(result).containsExactly(42L);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 64})
    void tinyChannelsKeepEveryItem(int capacity) {
        long sum = Pattern.from(Source.range(0, 50_000))
                .map(i -> i + 1)
                .then(Pipeline.of(Stage.<Long, Long>map(i -> i - 1)).then(Stage.filter(i -> true)))
                .collect(Collectors.summingLong(i -> i))
                .capacity(capacity)
                .run();
        assertThat(sum).isEqualTo(50_000L * 49_999 / 2);
    }

    /**
     * A channel may defer waking a parked consumer until more items follow; a producer that emits one item
     * and then waits in its own code for the consumer to see it must still get it through (it would wait
     * forever if the deferral had no bound). Both a source and a stage do so here, on large channels.
     */
    @Test
    void anItemReachesTheNextNodeWhileItsProducerWaitsInItsOwnCode() {
        Semaphore stageSaw = new Semaphore(0);
        Semaphore sinkSideSaw = new Semaphore(0);
        List<Long> result = Pattern.from(waitingAfterEachItem(100, stageSaw))
                .then((Long item, Output<Long> out) -> {
                    stageSaw.release();
                    out.emit(item);
                    sinkSideSaw.acquire();
                })
                .then((Long item, Output<Long> out) -> {
                    sinkSideSaw.release();
                    out.emit(item);
                })
                .collect(Collectors.toList())
                .capacity(1024)
                .run();
        assertThat(result).containsExactlyElementsOf(LongStream.range(0, 100).boxed().collect(Collectors.toList()));
    }

    /**
     * The same with busy-spinning nodes, which never park: a node spinning for an item must still find one
     * its producer stored without publishing (the producer publishes in batches, and here waits in its own
     * code after each item until the next node has seen it).
     */
    @Test
    void aBusySpinningNodeGetsAnItemWhileItsProducerWaitsInItsOwnCode() {
        Semaphore stageSaw = new Semaphore(0);
        List<Long> result = Pattern.from(waitingAfterEachItem(20, stageSaw))
                .then((Long item, Output<Long> out) -> {
                    stageSaw.release();
                    out.emit(item);
                })
                .collect(Collectors.toList())
                .capacity(1024)
                .busySpin()
                .run();
        assertThat(result).containsExactlyElementsOf(LongStream.range(0, 20).boxed().collect(Collectors.toList()));
    }

    /** A source of {@code 0..count-1} that, after each item, waits until {@code seen} is released. */
    private static Source<Long> waitingAfterEachItem(long count, Semaphore seen) {
        return out -> {
            for (long i = 0; i < count; i++) {
                out.emit(i);
                seen.acquire();
            }
        };
    }

    @Test
    void aFastProducerWaitsForItsSlowConsumer() throws Exception {
        // The sink holds its first item until released: the source can then get ahead by no more than what
        // the two channels hold and the stage and the sink have in hand.
        int capacity = 8;
        AtomicLong emitted = new AtomicLong();
        CountDownLatch release = new CountDownLatch(1);
        Running<Void> running = Pattern.from((Output<Long> out) -> {
                    for (long i = 0; i < 1_000_000; i++) {
                        out.emit(i);
                        emitted.incrementAndGet();
                    }
                })
                .map(i -> i)
                .to((Long item, Output<Object> out) -> release.await())
                .capacity(capacity)
                .start();
        while (emitted.get() < capacity) {
            Thread.sleep(1);
        }
        Thread.sleep(200);
        long ahead = emitted.get();
        release.countDown();
        running.await();
        assertThat(ahead).as("items emitted while the sink held its first").isLessThanOrEqualTo(2L * capacity + 2);
        assertThat(emitted).hasValue(1_000_000);
    }

    @Test
    void unboundedChannelsGiveTheSameResult() {
        Pattern<Long> sum = Pattern.from(Source.range(0, 20_000)).map(i -> i * 3).collect(Collectors.summingLong(i -> i));
        assertThat(sum.unboundedChannels().run()).isEqualTo(3L * 20_000 * 19_999 / 2);
    }

    @Test
    void busySpinGivesTheSameResult() {
        // Few items: busy-spinning threads on a machine with fewer free cores than threads progress only
        // when the scheduler preempts a spinner, which is the documented cost of this mode.
        Pattern<Long> sum = Pattern.from(Source.range(0, 2_000)).map(i -> i * 3).collect(Collectors.summingLong(i -> i));
        assertThat(sum.busySpin().run()).isEqualTo(3L * 2_000 * 1_999 / 2);
    }

    @Test
    void aPatternRunsAgainWithFreshSinkState() {
        Pattern<List<Long>> pattern = Pattern.from(Source.range(0, 3)).collect(Collectors.toList());
        assertThat(pattern.run()).containsExactly(0L, 1L, 2L);
        assertThat(pattern.run()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void nodesKnowTheirNamesAndPositions() {
        AtomicReference<String> name = new AtomicReference<>();
        AtomicReference<Integer> worker = new AtomicReference<>();
        Pattern.from(Source.range(0, 1))
                .then(Pipeline.of((Long i, Output<Long> out) -> {
                    name.set(out.name());
                    worker.set(out.worker());
                    out.emit(i);
                }).then(Stage.filter(i -> true)))
                .forEach(i -> { })
                .run();
        assertThat(name.get()).isEqualTo("stage 1 of stage 2");
        assertThat(worker.get()).isEqualTo(-1);
    }

    @Test
    void nullsCannotBeEmitted() {
        assertThatThrownBy(() -> Pattern.from(Source.range(0, 1))
                .then((Long i, Output<String> out) -> out.emit(null))
                .forEach(i -> { }).run())
                .isInstanceOf(PatternException.class)
                .hasRootCauseInstanceOf(NullPointerException.class)
                .hasMessageContaining("stage 2 failed");
    }

    @Test
    void emittingFromTheSinkFailsClearly() {
        assertThatThrownBy(() -> Pattern.from(Source.range(0, 1))
                .to((Long i, Output<Long> out) -> out.emit(i)).run())
                .isInstanceOf(PatternException.class)
                .hasMessageContaining("stage 2 (sink) failed")
                .hasMessageContaining("has no outputs");
    }
}
