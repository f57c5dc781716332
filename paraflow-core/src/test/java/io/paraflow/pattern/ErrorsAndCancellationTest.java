package io.paraflow.pattern;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An exception anywhere stops the whole pattern, every thread ends, and the caller gets one exception
 * naming the node; cancellation likewise. Sources here are endless unless a test says otherwise, so a
 * pattern that did not stop would hang (the class timeout fails it) and a leaked thread fails the
 * {@link NoLeakedThreads} check.
 */
@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class ErrorsAndCancellationTest {

    private static final long FAIL_AT = 1_000;

    static final class Boom extends RuntimeException {
        Boom(String where) {
            super("boom in " + where);
        }
    }

    private static Source<Long> endless() {
        return out -> {
            for (long i = 0; ; i++) {
                out.emit(i);
            }
        };
    }

    private static <T> Stage<T, T> pass() {
        return (item, out) -> out.emit(item);
    }

    private static Stage<Long, Long> failAt(String where) {
        return (item, out) -> {
            if (item >= FAIL_AT) {
                throw new Boom(where);
            }
            out.emit(item);
        };
    }

    private static Stage<Long, Void> sinkFailingAt(String where) {
        return (item, out) -> {
            if (item >= FAIL_AT) {
                throw new Boom(where);
            }
        };
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("source", Pattern.from((Output<Long> out) -> {
                    for (long i = 0; i < FAIL_AT; i++) {
                        out.emit(i);
                    }
                    throw new Boom("source");
                }).then(pass()).forEach(i -> { }), "stage 1 (source)"),
                Arguments.of("stage", Pattern.from(endless()).then(failAt("stage")).then(pass()).forEach(i -> { }),
                        "stage 2"),
                Arguments.of("farm worker", Pattern.from(endless())
                        .then(Farm.ofBlocks(3, w -> Block.of(w == 2 ? failAt("farm worker") : pass())))
                        .forEach(i -> { }), "farm worker 2 of stage 2"),
                Arguments.of("collector", Pattern.from(endless())
                        .then(Farm.of(2, ErrorsAndCancellationTest::<Long>pass).collector(failAt("collector")))
                        .forEach(i -> { }), "farm collector of stage 2"),
                Arguments.of("ordered collector's input", Pattern.from(endless())
                        .then(Farm.ofBlocks(2, w -> Block.of(w == 1 ? failAt("ordered worker") : pass())).ordered())
                        .forEach(i -> { }), "farm worker 1 of stage 2"),
                Arguments.of("ordered farm's collector", Pattern.from(endless())
                        .then(Farm.of(2, ErrorsAndCancellationTest::<Long>pass).ordered().collector(failAt("ordered collector")))
                        .forEach(i -> { }), "farm collector of stage 2"),
                Arguments.of("router", Pattern.from(endless())
                        .then(Farm.of(2, ErrorsAndCancellationTest::<Long>pass).routeBy((Long i, int n) -> {
                            if (i >= FAIL_AT) {
                                throw new Boom("router");
                            }
                            return (int) (i % n);
                        }))
                        .forEach(i -> { }), "stage 1 (source)"),
                Arguments.of("left node", Pattern.from(endless())
                        .then(AllToAll.ofBlocks(2, i -> Block.of(i == 1 ? failAt("left") : pass()), 2,
                                j -> Block.of(pass())).byKey(x -> x))
                        .forEach(i -> { }), "left node 1 of stage 2"),
                Arguments.of("right node", Pattern.from(endless())
                        .then(AllToAll.ofBlocks(2, i -> Block.of(pass()), 2,
                                j -> Block.of(j == 0 ? failAt("right") : pass())))
                        .forEach(i -> { }), "right node 0 of stage 2"),
                Arguments.of("master", Pattern.from(endless())
                        .then(MasterWorker.of(() -> new ForwardingMaster((result, context) -> {
                            if (result >= FAIL_AT) {
                                throw new Boom("master");
                            }
                        }), 2, ErrorsAndCancellationTest::<Long>pass))
                        .forEach(i -> { }), "master of stage 2"),
                Arguments.of("master's worker", Pattern.from(endless())
                        .then(MasterWorker.of(() -> new ForwardingMaster((result, context) -> { }), 2,
                                () -> failAt("worker")))
                        .forEach(i -> { }), "worker "),
                Arguments.of("sink", Pattern.from(endless()).then(pass()).to(sinkFailingAt("sink")), "stage 3 (sink)"),
                Arguments.of("named block", Pattern.from(endless())
                        .then(Farm.of(2, () -> failAt("named")).named("parse"))
                        .forEach(i -> { }), "farm worker "),
                Arguments.of("start hook", Pattern.from(endless()).then(new Stage<Long, Long>() {
                    @Override
                    public void start(Output<Long> out) {
                        throw new Boom("start hook");
                    }

                    @Override
                    public void process(Long item, Output<Long> out) {
                    }
                }).forEach(i -> { }), "stage 2"),
                Arguments.of("end hook", Pattern.from(Source.range(0, 10)).then(new Stage<Long, Long>() {
                    @Override
                    public void process(Long item, Output<Long> out) {
                    }

                    @Override
                    public void end(Output<Long> out) {
                        throw new Boom("end hook");
                    }
                }).forEach(i -> { }), "stage 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void anExceptionAnywhereStopsThePatternAndNamesTheNode(String position, Pattern<Void> pattern, String node) {
        assertThatThrownBy(pattern::run)
                .isInstanceOf(PatternException.class)
                .hasCauseInstanceOf(Boom.class)
                .satisfies(e -> assertThat(((PatternException) e).node()).startsWith(node))
                .hasMessageStartingWith("pattern 'pattern': " + node)
                .hasMessageContaining("boom in");
        assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void anExceptionAnywhereStopsThePatternAlsoWithUnboundedChannels(String position, Pattern<Void> pattern,
            String node) throws Exception {
        // No channel ever fills, so no producer waits: each must notice the stop while it sends.
        Running<Void> running = pattern.unboundedChannels().start();
        assertThatThrownBy(() -> running.await(Duration.ofSeconds(20)))
                .isInstanceOf(PatternException.class)
                .hasCauseInstanceOf(Boom.class)
                .satisfies(e -> assertThat(((PatternException) e).node()).startsWith(node));
    }

    @Test
    void cancelStopsAPatternWithUnboundedChannelsWhoseSourceNeverWaits() throws Exception {
        CountDownLatch flowing = new CountDownLatch(1000);
        Running<Void> running = Pattern.from(endless())
                .then(ErrorsAndCancellationTest.<Long>pass())
                .forEach(i -> flowing.countDown())
                .unboundedChannels()
                .start();
        assertThat(flowing.await(30, TimeUnit.SECONDS)).isTrue();
        running.cancel();
        assertThatThrownBy(() -> running.await(Duration.ofSeconds(20))).isInstanceOf(CancellationException.class)
                .hasMessage("pattern 'pattern' was cancelled");
    }

    @Test
    void cancelStopsASourceThatNeverWaitsForItsFastConsumer() throws Exception {
        // A large channel and a sink that does nothing: the source may never find the channel full.
        CountDownLatch flowing = new CountDownLatch(1000);
        Running<Void> running = Pattern.from(endless()).forEach(i -> flowing.countDown()).capacity(1 << 20).start();
        assertThat(flowing.await(30, TimeUnit.SECONDS)).isTrue();
        running.cancel();
        assertThatThrownBy(() -> running.await(Duration.ofSeconds(20))).isInstanceOf(CancellationException.class);
    }

    @Test
    void aNamedBlockNamesItsNodes() {
        assertThatThrownBy(Pattern.from(endless()).then(Farm.of(2, () -> failAt("named")).named("parse"))
                .forEach(i -> { }).named("logs")::run)
                .isInstanceOf(PatternException.class)
                .hasMessageStartingWith("pattern 'logs': farm worker ")
                .hasMessageContaining(" of parse failed: ");
    }

    @Test
    void aNodeBlockedInItsOwnCodeIsInterruptedWhenAnotherFails() {
        CountDownLatch blocked = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        Pattern<Void> pattern = Pattern.from(Source.range(0, 10))
                .then(Farm.ofBlocks(2, w -> Block.of(w == 0 ? (Long i, Output<Long> out) -> {
                    blocked.countDown();
                    try {
                        Thread.sleep(TimeUnit.SECONDS.toMillis(30));
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                } : (Long i, Output<Long> out) -> {
                    blocked.await(30, TimeUnit.SECONDS);
                    throw new Boom("worker 1");
                })))
                .forEach(i -> { });
        assertThatThrownBy(pattern::run).isInstanceOf(PatternException.class)
                .hasMessageContaining("farm worker 1 of stage 2 failed");
        assertThat(interrupted).isTrue();
    }

    @Test
    void cancelStopsARunningPatternMidStream() throws Exception {
        CountDownLatch flowing = new CountDownLatch(1000);
        Running<Long> running = Pattern.from(endless())
                .then(Farm.of(2, ErrorsAndCancellationTest::<Long>pass).onDemand())
                .then((Long i, Output<Long> out) -> {
                    flowing.countDown();
                    out.emit(i);
                })
                .collect(Collectors.counting())
                .capacity(8)
                .start();
        assertThat(flowing.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(running.isDone()).isFalse();
        running.cancel();
        assertThatThrownBy(running::await).isInstanceOf(CancellationException.class)
                .hasMessage("pattern 'pattern' was cancelled");
        assertThat(running.isDone()).isTrue();
        running.cancel();
    }

    @Test
    void awaitWithATimeoutLeavesThePatternRunning() throws Exception {
        Running<Void> running = Pattern.from(endless()).forEach(i -> { }).start();
        assertThatThrownBy(() -> running.await(Duration.ofMillis(20))).isInstanceOf(TimeoutException.class);
        assertThat(running.isDone()).isFalse();
        running.cancel();
        assertThatThrownBy(running::await).isInstanceOf(CancellationException.class);
    }

    @Test
    void interruptingTheCallerOfRunCancelsThePattern() throws Exception {
        AtomicBoolean cancelled = new AtomicBoolean();
        AtomicBoolean interruptFlagKept = new AtomicBoolean();
        CountDownLatch flowing = new CountDownLatch(100);
        Thread caller = new Thread(() -> {
            try {
                Pattern.from(endless()).forEach(i -> flowing.countDown()).run();
            } catch (CancellationException e) {
                cancelled.set(true);
                interruptFlagKept.set(Thread.currentThread().isInterrupted());
            }
        }, "test-caller");
        caller.start();
        assertThat(flowing.await(30, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(caller.isAlive()).isFalse();
        assertThat(cancelled).isTrue();
        assertThat(interruptFlagKept).isTrue();
    }

    @Test
    void aPatternRunsAsATaskOfAFlowAndShowsInItsEvents() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        try (Flow flow = Flow.builder().threads(2).listener(TaskListener.ofEvents(e -> events.add(e.kind() + " " + e.taskName()))).build()) {
            Task<Long> sum = Pattern.from(Source.range(0, 1_000))
                    .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i * 2)))
                    .collect(Collectors.summingLong(i -> i))
                    .named("doubling")
                    .submitTo(flow);
            Task<Long> plusOne = flow.submit(s -> s + 1, sum);
            assertThat(plusOne.get(30, TimeUnit.SECONDS)).isEqualTo(999L * 1000 + 1);
        }
        assertThat(events).contains(TaskEvent.Kind.STARTED + " doubling", TaskEvent.Kind.FINISHED + " doubling");
    }

    @Test
    void cancellingThePatternsTaskCancelsThePattern() throws Exception {
        CountDownLatch flowing = new CountDownLatch(100);
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Void> task = Pattern.from(endless()).forEach(i -> flowing.countDown()).submitTo(flow);
            assertThat(flowing.await(30, TimeUnit.SECONDS)).isTrue();
            task.cancel(true);
            assertThatThrownBy(() -> task.get(30, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
        }
        // Closing the flow waited for the task's thread, which returns only after the pattern's threads ended.
        assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
    }

    @Test
    void aFailedPatternFailsItsTask() {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Void> task = Pattern.from(Source.range(0, 2 * FAIL_AT)).to(sinkFailingAt("sink")).submitTo(flow);
            assertThatThrownBy(() -> task.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .rootCause().isInstanceOf(Boom.class);
        }
    }

    @Test
    void aNodeMaySubmitTasksToAFlow() {
        try (Flow flow = Flow.builder().threads(2).build()) {
            List<Long> result = Pattern.from(Source.range(0, 100))
                    .then((Long i, Output<Long> out) -> out.emit(flow.submit(() -> i * i).get()))
                    .collect(Collectors.toList())
                    .run();
            assertThat(result).hasSize(100).contains(99L * 99);
        }
    }

    /**
     * A source whose resource fails to close: the stop exception from its send gets the close failure as a
     * suppressed exception; records each stop exception it saw.
     */
    private static Source<Long> endlessWithAFailingResource(List<CancellationException> seen) {
        return out -> {
            try (AutoCloseable resource = () -> {
                throw new IllegalStateException("close failed");
            }) {
                for (long i = 0; ; i++) {
                    out.emit(i);
                }
            } catch (CancellationException stop) {
                seen.add(stop);
                throw stop;
            }
        };
    }

    static Stream<Arguments> stops() {
        return Stream.of(
                Arguments.of("a failure downstream", (Function<Source<Long>, Pattern<Long>>)
                        source -> Pattern.from(source).then(failAt("stage")).collect(Collectors.counting())),
                Arguments.of("a master ending the stream", (Function<Source<Long>, Pattern<Long>>)
                        source -> Pattern.from(source).then(MasterWorker.of(() -> new Master<Long, Long, Long, Long>() {
                            @Override
                            public void input(Long item, MasterContext<Long, Long> context) {
                                context.endStream();
                            }

                            @Override
                            public void result(Long result, MasterContext<Long, Long> context) {
                            }
                        }, 1, () -> Stage.<Long, Long>map(i -> i))).collect(Collectors.counting())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stops")
    void whatUserCodeAddsToAStopExceptionDoesNotReachTheNextRun(String how,
            Function<Source<Long>, Pattern<Long>> pattern) {
        List<CancellationException> seen = new CopyOnWriteArrayList<>();
        for (int run = 0; run < 2; run++) {
            try {
                pattern.apply(endlessWithAFailingResource(seen)).run();
            } catch (PatternException expectedForAFailure) {
                assertThat(expectedForAFailure).hasRootCauseInstanceOf(Boom.class);
            }
        }
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1)).isNotSameAs(seen.get(0));
        assertThat(seen.get(1).getSuppressed()).singleElement()
                .satisfies(closeFailure -> assertThat(closeFailure).hasMessage("close failed"));
    }
}
