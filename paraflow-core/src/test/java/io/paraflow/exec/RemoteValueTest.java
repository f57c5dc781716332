package io.paraflow.exec;

import io.paraflow.Flow;
import io.paraflow.ResultUnavailableException;
import io.paraflow.Task;
import io.paraflow.TaskFailedException;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Results kept where they were computed ({@link RemoteValue}): a task ends holding the handle, and the value
 * is fetched once, when something needs it, through every path that reads a task (see
 * {@link KeepingWorkerExecutor}).
 */
@ExtendWith(NoLeakedThreads.class)
class RemoteValueTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    // shipped functions cannot capture test objects: the gate a producer waits for lives here
    static volatile CountDownLatch producerGate = new CountDownLatch(0);

    static int gatedSeven() throws InterruptedException {
        if (!producerGate.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never opened the producer gate");
        }
        return 7;
    }

    private static Flow flowWith(KeepingWorkerExecutor keeping) {
        return Flow.builder().threads(2).executor(keeping).build();
    }

    @Test
    void aKeptResultIsFetchedOnlyWhenReadAndOnlyOnce() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(() -> 42);
                flow.awaitAll();

                assertThat(task.isDone()).isTrue();
                assertThat(task.isCancelled()).isFalse();
                assertThat(keeping.loads).hasValue(0);

                assertThat(task.get()).isEqualTo(42);
                assertThat(task.join()).isEqualTo(42);
                assertThat(task.get(1, TimeUnit.SECONDS)).isEqualTo(42);
                assertThat(keeping.loads).hasValue(1);
            }
        });
    }

    @Test
    void getNowFetchesAKeptResultInsteadOfReturningTheDefault() {
        // Task has no getNow, but its CompletableFuture (a cast, or toCompletableFuture) has
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(() -> 42);
                flow.awaitAll();

                CompletableFuture<Integer> future = (CompletableFuture<Integer>) task;
                assertThat(future.isCompletedExceptionally()).isFalse();
                assertThat(keeping.loads).hasValue(0);
                assertThat(future.getNow(-1)).isEqualTo(42);
                assertThat(keeping.loads).hasValue(1);
            }
        });
    }

    @Test
    void aStageChainedBeforeTheTaskEndsGetsTheFetchedValue() {
        assertTimeoutPreemptively(GUARD, () -> {
            producerGate = new CountDownLatch(1);
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(RemoteValueTest::gatedSeven);
                CompletionStage<Integer> doubled = task.thenApply(x -> x * 2);
                AtomicReference<Integer> seen = new AtomicReference<>();
                CompletionStage<Void> accepted = task.thenAccept(seen::set);
                producerGate.countDown();

                assertThat(doubled.toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(14);
                accepted.toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertThat(seen).hasValue(7);
                assertThat(keeping.loads).hasValue(1);
            }
        });
    }

    @Test
    void stagesChainedWhileTheirTasksEndAllCompleteWithTheFetchedValue() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                int count = 2_000;
                List<CompletableFuture<Integer>> stages = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    // the worker ends earlier tasks while later stages are chained: every interleaving of the two
                    stages.add(flow.task("produce").on("keeping").submit(x -> x, flow.value(i))
                            .thenApply(x -> x + 1).toCompletableFuture());
                }
                long sum = 0;
                for (CompletableFuture<Integer> stage : stages) {
                    sum += stage.get(30, TimeUnit.SECONDS);
                }
                assertThat(sum).isEqualTo((long) count * (count + 1) / 2);
                assertThat(keeping.loads).hasValue(count);
            }
        });
    }

    @Test
    void aStageChainedAfterTheTaskEndedFetchesTheValue() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(() -> 5);
                Task<Integer> other = flow.task("other").on("keeping").submit(() -> 6);
                flow.awaitAll();
                assertThat(keeping.loads).hasValue(0);

                assertThat(task.thenCombine(other, Integer::sum).toCompletableFuture().get(30, TimeUnit.SECONDS))
                        .isEqualTo(11);
                assertThat(keeping.loads).hasValue(2);
            }
        });
    }

    @Test
    void toCompletableFutureHandsOutTheFetchedValueToJdkHelpers() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> done = flow.task("done").on("keeping").submit(() -> 1);
                flow.awaitAll();
                producerGate = new CountDownLatch(1);
                Task<Integer> later = flow.task("later").on("keeping").submit(RemoteValueTest::gatedSeven);
                CompletableFuture<Void> both = CompletableFuture.allOf(done.toCompletableFuture(),
                        later.toCompletableFuture());
                producerGate.countDown();

                both.get(30, TimeUnit.SECONDS);
                assertThat(done.toCompletableFuture().getNow(-1)).isEqualTo(1);
                assertThat(later.toCompletableFuture().getNow(-1)).isEqualTo(7);
                assertThat(keeping.loads).hasValue(2);
            }
        });
    }

    @Test
    void tasksInThisJvmAllAndReduceGetTheFetchedValues() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                List<Task<Integer>> kept = flow.task("kept").on("keeping").map(x -> x * 10, List.of(1, 2, 3));
                Task<Integer> local = flow.submit(x -> x + 1, kept.get(0));
                Task<List<Integer>> all = flow.all(kept);
                Task<Integer> sum = flow.reduce(Integer::sum, kept);

                assertThat(local.get()).isEqualTo(11);
                assertThat(all.get()).containsExactly(10, 20, 30);
                assertThat(sum.get()).isEqualTo(60);
                assertThat(keeping.loads).as("each kept result fetched once").hasValue(3);
            }
        });
    }

    @Test
    void anExecutorThatAcceptsHandlesGetsTheHandleAndNothingIsFetched() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", true);
            try (Flow flow = flowWith(keeping)) {
                Task<byte[]> small = flow.task("small").on("keeping").submit(() -> new byte[10]);
                Task<byte[]> large = flow.task("large").on("keeping").submit(() -> new byte[1000]);
                Task<Integer> consumer = flow.task("consume").on("keeping")
                        .submit((a, b) -> a.length + b.length, small, large);
                flow.awaitAll();

                assertThat(keeping.loads).hasValue(0);
                assertThat(keeping.shippedArguments).last().satisfies(arguments ->
                        assertThat(arguments).allSatisfy(a -> assertThat(a).isInstanceOf(RemoteValue.class)));
                assertThat(keeping.largestArguments).singleElement()
                        .satisfies(v -> assertThat(v.sizeBytes()).isEqualTo(1000));
                assertThat(consumer.get()).isEqualTo(1010);
                assertThat(keeping.loads).hasValue(1);
            }
        });
    }

    @Test
    void anExecutorThatDoesNotAcceptHandlesGetsTheValueFetchedBeforeTheInvocation() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            SerializingWorkerExecutor plain = new SerializingWorkerExecutor("plain");
            try (Flow flow = Flow.builder().threads(1).executor(keeping).executor(plain).build()) {
                Task<Integer> kept = flow.task("kept").on("keeping").submit(() -> 4);
                Task<Integer> next = flow.task("next").on("keeping").submit(x -> x * 2, kept);
                Task<Integer> shipped = flow.task("shipped").on("plain").submit(x -> x + 1, kept);

                assertThat(shipped.get()).isEqualTo(5);
                assertThat(next.get()).isEqualTo(8);
                assertThat(plain.shippedArguments).containsExactly(List.of(4));
                assertThat(keeping.shippedArguments).contains(List.of(4));
                assertThat(keeping.loads).as("kept fetched once for both, next once when read").hasValue(2);
            }
        });
    }

    @Test
    void aResultThatCannotBeFetchedFailsWhoeverNeedsItNamingTaskAndWorker() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            SerializingWorkerExecutor plain = new SerializingWorkerExecutor("plain");
            try (Flow flow = Flow.builder().threads(1).executor(keeping).executor(plain).build()) {
                Task<Integer> lost = flow.task("lost").on("keeping").submit(() -> 1);
                Task<Integer> fine = flow.task("fine").on("keeping").submit(() -> 2);
                flow.awaitAll();
                keeping.kept.clear();

                Task<Integer> local = flow.task("local").submit(x -> x + 1, lost);
                Task<Integer> shipped = flow.task("shipped").on("plain").submit(x -> x + 1, lost);
                Task<Integer> unrelated = flow.submit(() -> 3);

                assertThatThrownBy(lost::get).isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOfSatisfying(ResultUnavailableException.class, e -> {
                            assertThat(e.taskName()).isEqualTo("lost");
                            assertThat(e.taskId()).isEqualTo(lost.id());
                            assertThat(e.worker()).isEqualTo("w1");
                            assertThat(e).hasMessageContaining("'lost'").hasMessageContaining("worker w1")
                                    .hasMessageContaining("is gone from w1");
                        });
                assertThatThrownBy(lost::join).isInstanceOf(CompletionException.class)
                        .hasCauseInstanceOf(ResultUnavailableException.class);
                assertThatThrownBy(local::get).cause().isInstanceOfSatisfying(TaskFailedException.class,
                        e -> assertThat(e.getCause()).isInstanceOf(ResultUnavailableException.class)
                                .hasMessageContaining("'lost'"));
                assertThatThrownBy(shipped::get).cause().isInstanceOfSatisfying(TaskFailedException.class,
                        e -> assertThat(e.getCause()).isInstanceOf(ResultUnavailableException.class));
                assertThat(unrelated.get()).isEqualTo(3);
                assertThat(fine.isDone()).isTrue();
                assertThat(keeping.loads).as("the failure is kept, not fetched again").hasValue(1);
                assertThat(plain.shippedArguments).isEmpty();
            }
        });
    }

    static int triple(int x) {
        return x * 3;
    }

    @Test
    void aMemoizedTaskRecordsTheFetchedValueAndIsNotRunAgain() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> first = flow.task("memo").on("keeping").cache().submit(RemoteValueTest::triple, flow.value(5));
                flow.awaitAll();
                assertThat(keeping.loads).as("the memo (without a store) keeps the handle").hasValue(0);

                Task<Integer> again = flow.task("memo").on("keeping").cache().submit(RemoteValueTest::triple, flow.value(5));
                assertThat(again.get()).isEqualTo(15);
                assertThat(first.get()).isEqualTo(15);
                assertThat(keeping.shippedArguments).as("ran once").hasSize(1);
                assertThat(keeping.loads).as("one handle, fetched once").hasValue(1);
            }
        });
    }

    @Test
    void anInterruptedFetchKeepsNothingAndTheNextReadFetchesAgain() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(() -> 9);
                flow.awaitAll();
                CountDownLatch gate = new CountDownLatch(1);
                keeping.loadGate = gate;
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread reader = new Thread(() -> {
                    try {
                        task.get();
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                }, "reader");
                reader.start();
                assertThat(keeping.loadStarted.await(30, TimeUnit.SECONDS)).isTrue();
                reader.interrupt();
                reader.join();
                assertThat(thrown.get()).isInstanceOf(InterruptedException.class)
                        .hasCauseInstanceOf(ResultUnavailableException.class);

                keeping.loadGate = null;
                assertThat(task.get()).isEqualTo(9);
                assertThat(keeping.loads).hasValue(2);
            }
        });
    }

    @Test
    void cancellingATaskThatKeptItsResultChangesNothingAndACancelledDependentFetchesNothing() {
        assertTimeoutPreemptively(GUARD, () -> {
            producerGate = new CountDownLatch(1);
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(() -> 3);
                Task<Integer> gated = flow.task("gated").on("keeping").submit(RemoteValueTest::gatedSeven);
                Task<Integer> dependent = flow.task("dependent").submit((a, b) -> a + b, task, gated);
                assertThat(dependent.cancel(true)).isTrue();
                producerGate.countDown();
                flow.awaitAll();

                assertThat(task.cancel(true)).isFalse();
                assertThat(keeping.loads).hasValue(0);
                assertThat(task.get()).isEqualTo(3);
                assertThat(dependent.isCancelled()).isTrue();
            }
        });
    }

    @Test
    void aStageChainedBeforeTheEndIsFetchedOffTheReportingThread() {
        assertTimeoutPreemptively(GUARD, () -> {
            producerGate = new CountDownLatch(1);
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(RemoteValueTest::gatedSeven);
                CompletableFuture<Integer> stage = task.thenApply(x -> x + 1).toCompletableFuture();
                producerGate.countDown();

                assertThat(stage.get(30, TimeUnit.SECONDS)).isEqualTo(8);
                assertThat(keeping.loadThreads).singleElement()
                        .satisfies(thread -> assertThat(thread).doesNotStartWith("paraflow-test-worker-"));
            }
        });
    }

    @Test
    void aFetchThatThrowsAnErrorForAStageChainedBeforeTheEndFailsThatStageAndTheFlowGoesOn() {
        aFailedFetchOnTheCompleterPathFailsTheStageAndTheFlowGoesOn(new OutOfMemoryError("test: no room for the value"));
    }

    @Test
    void anInterruptedFetchForAStageChainedBeforeTheEndFailsThatStageAndTheFlowGoesOn() {
        aFailedFetchOnTheCompleterPathFailsTheStageAndTheFlowGoesOn(new InterruptedException("test: interrupted load"));
    }

    private void aFailedFetchOnTheCompleterPathFailsTheStageAndTheFlowGoesOn(Throwable loadFailure) {
        assertTimeoutPreemptively(GUARD, () -> {
            producerGate = new CountDownLatch(1);
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> failing = flow.task("failing").on("keeping").submit(RemoteValueTest::gatedSeven);
                CompletableFuture<Integer> stage = failing.thenApply(x -> x + 1).toCompletableFuture();
                keeping.loadFailure = loadFailure;
                producerGate.countDown();

                assertThatThrownBy(() -> stage.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(ResultUnavailableException.class, e -> {
                            assertThat(e.taskName()).isEqualTo("failing");
                            assertThat(e.worker()).isEqualTo("w1");
                            assertThat(e.getCause()).isSameAs(loadFailure);
                        });
                flow.awaitAll();
                keeping.loadFailure = null;
                Task<Integer> later = flow.task("later").on("keeping").submit(() -> 5);
                assertThat(later.thenApply(x -> x * 2).toCompletableFuture().get(30, TimeUnit.SECONDS)).isEqualTo(10);
                assertThat(flow.submit(() -> 1).get()).isEqualTo(1);
            }
        });
    }

    @Test
    void aMemoizedTaskTakingAKeptResultOfATaskThatIsNotMemoizedRunsWithoutFetchingIt() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", true);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> produced = flow.task("produce").on("keeping").submit(() -> 6);
                Task<Integer> first = flow.task("consume").on("keeping").cache().submit(RemoteValueTest::triple, produced);
                flow.awaitAll();
                Task<Integer> second = flow.task("consume").on("keeping").cache().submit(RemoteValueTest::triple, produced);
                flow.awaitAll();

                assertThat(keeping.loads).as("not fetched to fingerprint it").hasValue(0);
                assertThat(keeping.shippedArguments).as("not memoized: both ran").hasSize(3);
                assertThat(first.get()).isEqualTo(18);
                assertThat(second.get()).isEqualTo(18);
            }
        });
    }

    @Test
    void aMemoizedTaskTakingALostKeptResultFailsWithTheReasonAndTheFlowCloses() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> lost = flow.task("lost").on("keeping").submit(() -> 1);
                flow.awaitAll();
                keeping.kept.clear();

                Task<Integer> local = flow.task("local").cache().retries(3).submit(RemoteValueTest::triple, lost);
                Task<Integer> shipped = flow.task("shipped").on("keeping").cache().retries(3)
                        .submit(RemoteValueTest::triple, lost);

                for (Task<Integer> consumer : List.of(local, shipped)) {
                    assertThatThrownBy(consumer::get).cause().isInstanceOfSatisfying(TaskFailedException.class, e -> {
                        assertThat(e.getCause()).isInstanceOf(ResultUnavailableException.class)
                                .hasMessageContaining("'lost'");
                        assertThat(e.attempts()).as("not retried: it would fail the same way").isEqualTo(1);
                    });
                }
                assertThatThrownBy(shipped::get).cause().isInstanceOfSatisfying(TaskFailedException.class,
                        e -> assertThat(e.worker()).as("no worker ran it: the executor").isEqualTo("keeping"));
                flow.awaitAll();
            }
        });
    }

    @Test
    void aConsumerOfAKeptResultOnAnExecutorThatFetchesGetsItFetchedOffTheReportingThread() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> produced = flow.task("produce").on("keeping").submit(() -> 6);
                Task<Integer> consumer = flow.task("consume").on("keeping").submit(RemoteValueTest::triple, produced);

                assertThat(consumer.get()).isEqualTo(18);
                assertThat(keeping.loadThreads).first()
                        .satisfies(thread -> assertThat(thread).doesNotStartWith("paraflow-test-worker-"));
            }
        });
    }

    @Test
    void getWithATimeoutKeepsItsDeadlineWhileTheValueIsFetched() {
        assertTimeoutPreemptively(GUARD, () -> {
            KeepingWorkerExecutor keeping = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = flowWith(keeping)) {
                Task<Integer> task = flow.task("produce").on("keeping").submit(() -> 9);
                flow.awaitAll();
                CountDownLatch gate = new CountDownLatch(1);
                keeping.loadGate = gate;

                assertThatThrownBy(() -> task.get(100, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
                assertThat(keeping.loadStarted.await(30, TimeUnit.SECONDS)).as("the fetch goes on").isTrue();
                gate.countDown();
                assertThat(task.get(30, TimeUnit.SECONDS)).isEqualTo(9);
                assertThat(task.join()).isEqualTo(9);
                assertThat(keeping.loads).hasValue(1);
            }
        });
    }

    @Test
    void aMemoizedTaskWithACheckpointStoreRecordsItsKeptResultBeforeTheFlowClosesAndAResumedRunReusesIt(
            @TempDir Path dir) {
        assertTimeoutPreemptively(GUARD, () -> {
            Path store = dir.resolve("store");
            KeepingWorkerExecutor first = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = Flow.builder().threads(2).executor(first).checkpoints(store).resume(true).build()) {
                flow.task("memo").on("keeping").cache().submit(RemoteValueTest::triple, flow.value(4));
            }
            assertThat(first.loads).as("fetched to be recorded, before the executor closed").hasValue(1);

            KeepingWorkerExecutor second = new KeepingWorkerExecutor("keeping", false);
            try (Flow flow = Flow.builder().threads(2).executor(second).checkpoints(store).resume(true).build()) {
                Task<Integer> again = flow.task("memo").on("keeping").cache().submit(RemoteValueTest::triple, flow.value(4));
                assertThat(again.get()).isEqualTo(12);
            }
            assertThat(second.shippedArguments).as("reused, not run again").isEmpty();
        });
    }
}
