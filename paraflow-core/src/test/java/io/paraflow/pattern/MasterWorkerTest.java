package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class MasterWorkerTest {

    /**
     * Submits each input and each result as a task and counts the tasks; emits the count when quiet.
     * With workers that return {@code d - 1} for {@code d > 0}, an input {@code d} makes {@code d + 1} tasks.
     */
    private static final class CountingMaster implements Master<Long, Long, Long, Long> {
        private long tasks;

        @Override
        public void input(Long depth, MasterContext<Long, Long> context) {
            tasks++;
            context.submit(depth);
        }

        @Override
        public void result(Long childDepth, MasterContext<Long, Long> context) {
            tasks++;
            context.submit(childDepth);
        }

        @Override
        public void end(MasterContext<Long, Long> context) {
            context.emit(tasks);
        }
    }

    @Test
    void masterEndsWhenUpstreamEndedAndNoTaskIsInFlight() {
        // Each task of depth d > 0 gives two tasks of depth d - 1: a binary tree of tasks per input.
        List<Long> result = Pattern.from(Source.of(List.of(10L, 5L)))
                .then(MasterWorker.of(CountingMaster::new, 3, () -> (Long depth, Output<Long> out) -> {
                    if (depth > 0) {
                        out.emit(depth - 1);
                        out.emit(depth - 1);
                    }
                }).onDemand(2))
                .collect(Collectors.toList())
                .capacity(2)
                .run();
        assertThat(result).containsExactly((1L << 11) - 1 + (1L << 6) - 1);
    }

    @Test
    void masterWithoutInputStartsItsOwnTasksAndEndMaySubmitMore() {
        List<String> result = Pattern.from(Source.<Long>empty())
                .then(MasterWorker.of(() -> new Master<Long, Long, Long, String>() {
                    private long sum;
                    private int rounds;

                    @Override
                    public void start(MasterContext<Long, String> context) {
                        for (long i = 0; i < 100; i++) {
                            context.submit(i);
                        }
                    }

                    @Override
                    public void input(Long item, MasterContext<Long, String> context) {
                        throw new AssertionError("no input expected");
                    }

                    @Override
                    public void result(Long square, MasterContext<Long, String> context) {
                        sum += square;
                    }

                    @Override
                    public void end(MasterContext<Long, String> context) {
                        if (rounds++ == 0) {
                            context.submitTo(context.workerCount() - 1, 1_000L);
                        } else {
                            context.emit("sum " + sum + " after " + rounds + " rounds");
                        }
                    }
                }, 2, () -> Stage.<Long, Long>map(i -> i * i)))
                .collect(Collectors.toList())
                .run();
        long squares = 0;
        for (long i = 0; i < 100; i++) {
            squares += i * i;
        }
        assertThat(result).containsExactly("sum " + (squares + 1_000_000) + " after 2 rounds");
    }

    @Test
    void masterWorkerInsideAPipelineWithStagesAround() {
        long total = Pattern.from(Source.range(1, 200))
                .map(i -> i * 2)
                .then(MasterWorker.of(CountingMaster::new, 2, () -> (Long depth, Output<Long> out) -> {
                    if (depth > 0) {
                        out.emit(depth - 1);
                    }
                }))
                .map(count -> count + 1)
                .collect(Collectors.summingLong(i -> i))
                .run();
        // Inputs 2, 4, ..., 398 make 3 + 5 + ... + 399 tasks; the master emits that once, plus one.
        assertThat(total).isEqualTo(2 * (199L * 200 / 2) + 199 + 1);
    }

    @Test
    void pipelineWrapAroundThroughTheMaster() {
        // Collatz: the worker pipeline computes the next term in two stages and drops the 1s; the master
        // resubmits every term, so each start value's trajectory loops through the pipeline until it reaches 1.
        List<Long> steps = Pattern.from(Source.range(1, 300))
                .then(MasterWorker.ofBlocks(CountingMaster::new, 1, w -> Pipeline.of(new Stage<Long, Long>() {
                    @Override
                    public void process(Long n, Output<Long> out) {
                        out.emit(n % 2 == 0 ? n / 2 : 3 * n + 1);
                    }
                }).then(Stage.filter(n -> n != 1))))
                .collect(Collectors.toList())
                .run();
        long expected = 0;
        for (long start = 1; start < 300; start++) {
            long n = start;
            do {
                expected++;
                n = n % 2 == 0 ? n / 2 : 3 * n + 1;
            } while (n != 1);
        }
        assertThat(steps).containsExactly(expected);
    }

    @Test
    void aWorkerThatIsNotAChainOfStagesIsRefused() {
        Pattern<List<Long>> pattern = Pattern.from(Source.range(0, 10))
                .then(MasterWorker.ofBlocks(CountingMaster::new, 2, w -> Pipeline.of(Stage.<Long, Long>map(i -> i))
                        .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i)))))
                .collect(Collectors.toList());
        assertThatThrownBy(pattern::run).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("worker 0 of stage 2 is not a stage or a pipeline of stages");
    }

    @Test
    void invalidWorkerCountIsRefused() {
        assertThatThrownBy(() -> MasterWorker.of(CountingMaster::new, 0, () -> Stage.<Long, Long>map(i -> i)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a master-worker farm needs at least one worker, got 0");
    }
}
