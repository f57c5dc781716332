package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

    /**
     * The first stage of a wrap-around pipeline that triples and increments each value until it passes
     * 10 000: it sends each input round the loop, sends every value that comes back round again or on, and
     * checks that values come back in the order they were sent round.
     */
    private static final class Grow implements Master<Long, Long, Long, String> {
        private final ArrayDeque<Long> goingRound = new ArrayDeque<>();
        private final long stopAfter;
        private long finished;

        Grow(long stopAfter) {
            this.stopAfter = stopAfter;
        }

        @Override
        public void input(Long start, MasterContext<Long, String> context) {
            sendRound(start, context);
        }

        @Override
        public void result(Long grown, MasterContext<Long, String> context) {
            long sent = goingRound.removeFirst();
            assertThat(grown).as("the value that went round first comes back first").isEqualTo(sent * 3 + 1);
            if (grown <= 10_000) {
                sendRound(grown, context);
                return;
            }
            context.emit(sent + " -> " + grown);
            if (++finished == stopAfter) {
                context.endStream();
            }
        }

        private void sendRound(long value, MasterContext<Long, String> context) {
            goingRound.addLast(value);
            context.submit(value);
        }
    }

    private static String grownSequentially(long start) {
        long value = start;
        long before;
        do {
            before = value;
            value = value * 3 + 1;
        } while (value <= 10_000);
        return before + " -> " + value;
    }

    @Test
    void aWrapAroundPipelineFeedsItsLastStageBackToItsFirst() throws Exception {
        Running<List<String>> running = Pattern.from(Source.range(1, 500))
                .then(MasterWorker.wrapAround(() -> new Grow(Long.MAX_VALUE),
                        () -> Pipeline.of(Stage.<Long, Long>map(x -> x * 3)).map(x -> x + 1)))
                .collect(Collectors.toList())
                .capacity(4)
                .start();
        List<String> expected = new ArrayList<>();
        for (long start = 1; start < 500; start++) {
            expected.add(grownSequentially(start));
        }
        assertThat(awaitOrCancel(running)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theFirstStageOfAWrapAroundPipelineEndsAnEndlessStream() throws Exception {
        Running<List<String>> running = Pattern.from(endless())
                .then(MasterWorker.wrapAround(() -> new Grow(100),
                        () -> Pipeline.of(Stage.<Long, Long>map(x -> x * 3)).map(x -> x + 1)))
                .collect(Collectors.toList())
                .start();
        assertThat(awaitOrCancel(running)).hasSize(100).allSatisfy(line -> {
            long start = Long.parseLong(line.substring(0, line.indexOf(' ')));
            assertThat(line).isEqualTo(grownSequentially(start));
        });
    }

    /**
     * A search: squares every input in the workers until it finds {@code target}'s square, then emits it
     * and ends the stream at once, although the input is endless and tasks are out. Its workers make sure
     * of that without relying on timing: after the target, the master submits one more input past it, the
     * held task (the block in front may deliver inputs out of order), and drops the inputs past the target
     * that follow, so that it never waits for a held worker; the target's square waits until the held task
     * was submitted (behind it, if on the same worker), and the held task waits until the stream ended.
     */
    private static final class Search implements Master<Long, Long, Long, Long> {
        private final long target;
        private final AtomicLong tasksOutAtTheEnd;
        private final AtomicBoolean calledAfterTheEnd;
        private final CountDownLatch pastTheTarget = new CountDownLatch(1);
        private final CountDownLatch streamEnded = new CountDownLatch(1);
        private final AtomicLong held = new AtomicLong(-1);
        private boolean targetSubmitted;
        private long submitted;
        private long received;
        private boolean ended;

        Search(long target, AtomicLong tasksOutAtTheEnd, AtomicBoolean calledAfterTheEnd) {
            this.target = target;
            this.tasksOutAtTheEnd = tasksOutAtTheEnd;
            this.calledAfterTheEnd = calledAfterTheEnd;
        }

        /** A worker: squares, held back as described above. */
        Stage<Long, Long> square() {
            return (Long i, Output<Long> out) -> {
                if (i == target) {
                    awaitOrFail(pastTheTarget);
                } else if (i == held.get()) {
                    awaitOrFail(streamEnded);
                }
                out.emit(i * i);
            };
        }

        private static void awaitOrFail(CountDownLatch latch) throws InterruptedException {
            if (!latch.await(20, TimeUnit.SECONDS)) {
                throw new AssertionError("the search did not get that far");
            }
        }

        @Override
        public void input(Long item, MasterContext<Long, Long> context) {
            calledAfterTheEnd.compareAndSet(false, ended);
            if (item > target) {
                if (!targetSubmitted || held.get() >= 0) {
                    return;
                }
                held.set(item);
                pastTheTarget.countDown();
            }
            targetSubmitted |= item == target;
            submitted++;
            context.submit(item);
        }

        @Override
        public void result(Long square, MasterContext<Long, Long> context) {
            calledAfterTheEnd.compareAndSet(false, ended);
            received++;
            if (square == target * target) {
                context.emit(square);
                tasksOutAtTheEnd.set(submitted - received);
                ended = true;
                context.endStream();
                streamEnded.countDown();
            }
        }

        @Override
        public void end(MasterContext<Long, Long> context) {
            calledAfterTheEnd.set(true);
        }
    }

    private static Source<Long> endless() {
        return out -> {
            for (long i = 0; ; i++) {
                out.emit(i);
            }
        };
    }

    static Stream<Arguments> searches() {
        return Stream.of(
                Arguments.of("stage in front, one-stage workers", (Function<Search, Pattern<List<Long>>>)
                        search -> Pattern.from(endless()).map(i -> i)
                                .then(MasterWorker.of(() -> search, 2, search::square).onDemand(2))
                                .collect(Collectors.toList())),
                Arguments.of("farm in front, pipeline workers", (Function<Search, Pattern<List<Long>>>)
                        search -> Pattern.from(endless())
                                .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i)))
                                .then(MasterWorker.ofBlocks(() -> search, 3, w -> Pipeline.of(Stage.<Long, Long>map(i -> i))
                                        .then(search.square())))
                                .map(square -> square)
                                .collect(Collectors.toList())),
                Arguments.of("unbounded channels", (Function<Search, Pattern<List<Long>>>)
                        search -> Pattern.from(endless()).map(i -> i)
                                .then(MasterWorker.of(() -> search, 2, search::square))
                                .collect(Collectors.toList()).unboundedChannels()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("searches")
    void theMasterEndsTheStreamWhileInputFlowsAndTasksAreOut(String shape, Function<Search, Pattern<List<Long>>> pattern) {
        AtomicLong tasksOut = new AtomicLong(-1);
        AtomicBoolean calledAfterTheEnd = new AtomicBoolean();
        // The source is endless: the run ends only because the end reached it and every other node.
        List<Long> found = pattern.apply(new Search(5_000, tasksOut, calledAfterTheEnd)).run();
        assertThat(found).containsExactly(25_000_000L);
        assertThat(tasksOut.get()).as("tasks out when the master ended the stream").isPositive();
        assertThat(calledAfterTheEnd).as("master called after endStream").isFalse();
    }

    @Test
    void aMasterEndingEarlyInAFarmLeavesTheOtherMembersTheirItems() {
        // Member 0's master ends at once; the source goes on, its items for member 0 discarded, and member 1
        // squares every item it gets (the odd ones, round-robin).
        List<Long> result = Pattern.from(Source.range(0, 2_000))
                .then(Farm.ofBlocks(2, member -> MasterWorker.of(() -> new Master<Long, Long, Long, Long>() {
                    @Override
                    public void start(MasterContext<Long, Long> context) {
                        if (member == 0) {
                            context.endStream();
                        }
                    }

                    @Override
                    public void input(Long item, MasterContext<Long, Long> context) {
                        context.submit(item);
                    }

                    @Override
                    public void result(Long square, MasterContext<Long, Long> context) {
                        context.emit(square);
                    }
                }, 2, () -> Stage.<Long, Long>map(i -> i * i))))
                .collect(Collectors.toList())
                .capacity(4)
                .run();
        assertThat(result).hasSize(1_000).allSatisfy(square -> assertThat(Math.sqrt(square) % 2).isEqualTo(1.0));
    }

    @Test
    void aMasterMayEndTheStreamBeforeAnyInputAndSubmittingAfterwardsIsRefused() {
        List<Long> result = Pattern.from(endless())
                .then(MasterWorker.of(() -> new Master<Long, Long, Long, Long>() {
                    @Override
                    public void start(MasterContext<Long, Long> context) {
                        context.emit(-1L);
                        context.endStream();
                    }

                    @Override
                    public void input(Long item, MasterContext<Long, Long> context) {
                        throw new AssertionError("no input after endStream");
                    }

                    @Override
                    public void result(Long result, MasterContext<Long, Long> context) {
                        throw new AssertionError("no task was submitted");
                    }
                }, 2, () -> Stage.<Long, Long>map(i -> i)))
                .collect(Collectors.toList())
                .run();
        assertThat(result).containsExactly(-1L);

        assertThatThrownBy(() -> Pattern.from(Source.range(0, 10))
                .then(MasterWorker.of(() -> new Master<Long, Long, Long, Long>() {
                    @Override
                    public void input(Long item, MasterContext<Long, Long> context) {
                        context.endStream();
                        context.submit(item);
                    }

                    @Override
                    public void result(Long result, MasterContext<Long, Long> context) {
                    }
                }, 1, () -> Stage.<Long, Long>map(i -> i)))
                .forEach(i -> { }).run())
                .isInstanceOf(PatternException.class)
                .hasMessageContaining("master of stage 2 failed")
                .hasMessageContaining("the master-worker stream has ended: no more tasks can be submitted");
    }

    @Test
    void anOrderedFarmRightBehindTheMasterKeepsTheOrderTheMasterEmitsIn() throws Exception {
        // The master numbers what it sends into the ordered farm and counts the tasks it submits: two counts.
        List<Long> emitted = new ArrayList<>();
        AtomicInteger endCalls = new AtomicInteger();
        Running<List<Long>> running = Pattern.from(Source.range(0, 2_000))
                .then(MasterWorker.of(() -> new Master<Long, Long, Long, Long>() {
                    @Override
                    public void input(Long item, MasterContext<Long, Long> context) {
                        context.submit(item);
                    }

                    @Override
                    public void result(Long square, MasterContext<Long, Long> context) {
                        emitted.add(square);
                        context.emit(square);
                    }

                    @Override
                    public void end(MasterContext<Long, Long> context) {
                        endCalls.incrementAndGet();
                        emitted.add(-1L);
                        context.emit(-1L);
                    }
                }, 2, () -> Stage.<Long, Long>map(i -> i * i)).onDemand(2))
                .then(Farm.of(3, () -> (Long item, Output<Long> out) -> {
                    if (item % 7 == 0) {
                        LockSupport.parkNanos(20_000);
                    }
                    out.emit(item);
                }).ordered())
                .collect(Collectors.toList())
                .capacity(8)
                .start();
        List<Long> result = awaitOrCancel(running);
        assertThat(endCalls).hasValue(1);
        assertThat(result).hasSize(2_001).containsExactlyElementsOf(emitted).endsWith(-1L);
    }

    @ParameterizedTest(name = "channels of {0} items")
    @ValueSource(ints = {Pattern.DEFAULT_CAPACITY, 4})
    void aStageInFrontThatStopsEmittingEndsWhenTheMasterEndsTheStream(int capacity) throws Exception {
        // The filter never sends again after 1000, and its source is endless: the filter has to notice on
        // its input side that nobody listens, or the source, and the pattern, never end.
        Running<List<Long>> running = Pattern.from(endless())
                .then(Stage.<Long>filter(i -> i <= 1_000))
                .then(MasterWorker.of(() -> new ForwardingMaster((value, context) -> {
                    if (value == 1_000) {
                        context.emit(value);
                        context.endStream();
                    }
                }), 2, () -> Stage.<Long, Long>map(i -> i)))
                .collect(Collectors.toList())
                .capacity(capacity)
                .start();
        assertThat(awaitOrCancel(running)).containsExactly(1_000L);
    }

    @Test
    void masterWorkersAsTheRightSetOfAnAllToAll() throws Exception {
        // By key: right member k gets the items with i % 2 == k, its master submits each and sums the squares.
        Running<List<Long>> running = Pattern.from(Source.range(0, 1_000))
                .then(AllToAll.ofBlocks(2, left -> Block.of(Stage.<Long, Long>map(i -> i)),
                        2, right -> MasterWorker.of(() -> new Master<Long, Long, Long, Long>() {
                            private long sum;

                            @Override
                            public void input(Long item, MasterContext<Long, Long> context) {
                                assertThat(item % 2).isEqualTo((long) right);
                                context.submit(item);
                            }

                            @Override
                            public void result(Long square, MasterContext<Long, Long> context) {
                                sum += square;
                            }

                            @Override
                            public void end(MasterContext<Long, Long> context) {
                                context.emit(sum);
                            }
                        }, 2, () -> Stage.<Long, Long>map(i -> i * i))).byKey(i -> i % 2))
                .collect(Collectors.toList())
                .capacity(4)
                .start();
        long evens = 0;
        long odds = 0;
        for (long i = 0; i < 1_000; i++) {
            if (i % 2 == 0) {
                evens += i * i;
            } else {
                odds += i * i;
            }
        }
        assertThat(awaitOrCancel(running)).containsExactlyInAnyOrder(evens, odds);
    }

    /** The pattern's result, or a test failure (with the pattern cancelled) if it has not ended in 20 s. */
    private static <R> R awaitOrCancel(Running<R> running) throws InterruptedException {
        try {
            return running.await(Duration.ofSeconds(20));
        } catch (TimeoutException hung) {
            running.cancel();
            AssertionError failure = new AssertionError("the pattern did not end", hung);
            try {
                running.await(Duration.ofSeconds(20));
            } catch (RuntimeException | TimeoutException afterCancel) {
                failure.addSuppressed(afterCancel);
            }
            throw failure;
        }
    }

    @Test
    void aWorkerThatIsNotAChainOfStagesIsRefusedWhenBuilt() {
        Pattern.Builder<Long> builder = Pattern.from(Source.range(0, 10))
                .then(MasterWorker.ofBlocks(CountingMaster::new, 2, w -> Pipeline.of(Stage.<Long, Long>map(i -> i))
                        .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i)))));
        assertThatThrownBy(() -> builder.collect(Collectors.toList())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("worker 0 of stage 2 is not a stage or a pipeline of stages");
    }

    @Test
    void invalidWorkerCountIsRefused() {
        assertThatThrownBy(() -> MasterWorker.of(CountingMaster::new, 0, () -> Stage.<Long, Long>map(i -> i)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a master-worker farm needs at least one worker, got 0");
    }
}
