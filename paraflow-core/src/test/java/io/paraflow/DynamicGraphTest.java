package io.paraflow;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Point 2: the graph grows while it runs. Tasks submit tasks; join tasks ({@code compose}) complete with
 * the task their function returns; recursive divide-and-conquer works with one thread and with two,
 * both in the non-blocking (compose) style and in the blocking style (get() inside tasks).
 */
@ExtendWith(NoLeakedThreads.class)
class DynamicGraphTest {

    @Test
    void aRunningTaskSubmitsMoreTasksAndAwaitAllWaitsForThemToo() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Queue<Integer> results = new ConcurrentLinkedQueue<>();
            flow.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    // grandchildren too: each child submits one more task
                    flow.submit(() -> flow.submit(() -> results.add(n * n)));
                }
                return null;
            });
            flow.awaitAll();

            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                expected.add(i * i);
            }
            assertThat(results).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(flow.unfinished()).isZero();
        }
    }

    @Test
    void joinTaskCompletesWithTheResultOfTheInnerTask() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            CountDownLatch innerGate = new CountDownLatch(1);
            AtomicReference<Task<String>> innerRef = new AtomicReference<>();
            Task<String> join = flow.compose(() -> {
                Task<String> inner = flow.submit(() -> {
                    Sync.block(innerGate);
                    return "inner result";
                });
                innerRef.set(inner);
                return inner;
            });
            Task<Integer> dependent = flow.submit(String::length, join);

            // the join task's own function has returned, but the join waits for the inner task
            while (innerRef.get() == null) {
                Thread.onSpinWait();
            }
            assertThat(join.isDone()).isFalse();
            innerGate.countDown();

            assertThat(join.get()).isEqualTo("inner result");
            assertThat(dependent.get()).isEqualTo("inner result".length());
        }
    }

    @Test
    void joinTasksOfEveryArityReceiveTheirArguments() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Integer> one = flow.value(1);
            Task<Integer> two = flow.submit(() -> 2);
            assertThat(flow.compose(x -> flow.value(x + 10), one).get()).isEqualTo(11);
            assertThat(flow.compose((x, y) -> flow.submit(() -> x * 10 + y), one, two).get()).isEqualTo(12);
            assertThat(flow.compose((x, y, z) -> flow.submit(() -> x + y + z), one, two, two).get()).isEqualTo(5);
            assertThat(flow.compose((w, x, y, z) -> flow.submit(() -> "" + w + x + y + z), one, two, one, two).get())
                    .isEqualTo("1212");
            // the returned task may already be complete
            assertThat(flow.compose(() -> flow.value("ready")).get()).isEqualTo("ready");
        }
    }

    @Test
    void joinTaskFailsWhenTheInnerTaskFails() {
        try (Flow flow = Flow.builder().threads(2).build()) {
            AtomicReference<Task<Integer>> innerRef = new AtomicReference<>();
            Task<Integer> join = flow.task("outer").compose(() -> {
                Task<Integer> inner = flow.task("inner").submit(() -> {
                    throw new ArithmeticException("inner broke");
                });
                innerRef.set(inner);
                return inner;
            });
            Task<Integer> dependent = flow.submit(x -> x + 1, join);

            assertThatThrownBy(join::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(DependencyFailedException.class, e -> {
                        assertThat(e.taskName()).isEqualTo("outer");
                        assertThat(e.failedTaskName()).isEqualTo("inner");
                        assertThat(e.failedTaskId()).isEqualTo(innerRef.get().id());
                        assertThat(e.getCause()).isInstanceOf(TaskFailedException.class)
                                .cause().isInstanceOf(ArithmeticException.class).hasMessage("inner broke");
                    });
            // the dependent of the join names the root cause too, not the join task
            assertThatThrownBy(dependent::get).cause().isInstanceOfSatisfying(DependencyFailedException.class,
                    e -> assertThat(e.failedTaskName()).isEqualTo("inner"));
        }
    }

    @Test
    void joinTaskIsCancelledWhenTheInnerTaskIsCancelled() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            CountDownLatch innerStarted = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            CountDownLatch innerKnown = new CountDownLatch(1);
            AtomicReference<Task<Integer>> innerRef = new AtomicReference<>();
            Task<Integer> join = flow.compose(() -> {
                Task<Integer> inner = flow.submit(() -> {
                    innerStarted.countDown();
                    Sync.block(never);
                    return 1;
                });
                innerRef.set(inner);
                innerKnown.countDown();
                return inner;
            });
            // the inner task may start before the join function has published it
            Sync.await(innerStarted);
            Sync.await(innerKnown);
            assertThat(innerRef.get().cancel(true)).isTrue();

            assertThatThrownBy(join::get).isInstanceOf(TaskCancelledException.class);
            assertThat(join.isCancelled()).isTrue();
        }
    }

    @Test
    void joinTaskFailsWhenItsFunctionThrowsOrReturnsNoTask() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Integer> throwing = flow.task("throws").compose(() -> {
                throw new IllegalArgumentException("before submitting");
            });
            Task<Integer> returnsNull = flow.task("returns null").compose(() -> null);

            assertThatThrownBy(throwing::get).cause().isInstanceOf(TaskFailedException.class)
                    .cause().isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(returnsNull::get).cause().isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("returns null");
        }
    }

    // ------------------------------------------------------------------ divide and conquer, non-blocking

    static Task<Long> fibCompose(Flow flow, int n) {
        if (n < 2) {
            return flow.value((long) n);
        }
        return flow.compose(() -> flow.submit(Long::sum, fibCompose(flow, n - 1), fibCompose(flow, n - 2)));
    }

    static Task<int[]> sortCompose(Flow flow, int[] data) {
        if (data.length <= 8) {
            return flow.submit(() -> {
                int[] copy = data.clone();
                Arrays.sort(copy);
                return copy;
            });
        }
        int[] left = Arrays.copyOfRange(data, 0, data.length / 2);
        int[] right = Arrays.copyOfRange(data, data.length / 2, data.length);
        return flow.compose(() -> flow.submit(DynamicGraphTest::merge, sortCompose(flow, left), sortCompose(flow, right)));
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void parallelFibonacciWithComposeComputesTheRightNumber(int threads) {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(threads).build()) {
                assertThat(fibCompose(flow, 18).get()).isEqualTo(fibSequential(18));
            }
        });
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void mergesortWithComposeSortsLikeArraysSort(int threads) {
        assertTimeoutPreemptively(GUARD, () -> {
            int[] data = new Random(42).ints(5_001, -1000, 1000).toArray();
            int[] expected = data.clone();
            Arrays.sort(expected);
            try (Flow flow = Flow.builder().threads(threads).build()) {
                assertThat(sortCompose(flow, data).get()).isEqualTo(expected);
            }
        });
    }

    // ------------------------------------------------------------------ divide and conquer, blocking

    static long fibBlocking(Flow flow, int n) throws Exception {
        if (n < 2) {
            return n;
        }
        // the waiting worker must run queued subtasks itself, or one thread deadlocks at once
        Task<Long> a = flow.submit(() -> fibBlocking(flow, n - 1));
        Task<Long> b = flow.submit(() -> fibBlocking(flow, n - 2));
        return a.get() + b.join();
    }

    static int[] sortBlocking(Flow flow, int[] data) throws Exception {
        if (data.length <= 8) {
            int[] copy = data.clone();
            Arrays.sort(copy);
            return copy;
        }
        int[] left = Arrays.copyOfRange(data, 0, data.length / 2);
        int[] right = Arrays.copyOfRange(data, data.length / 2, data.length);
        Task<int[]> l = flow.submit(() -> sortBlocking(flow, left));
        Task<int[]> r = flow.submit(() -> sortBlocking(flow, right));
        return merge(l.get(), r.get());
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void blockingFibonacciThatWaitsForSubtasksInsideTasksDoesNotDeadlock(int threads) {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(threads).build()) {
                Task<Long> root = flow.submit(() -> fibBlocking(flow, 16));
                assertThat(root.get()).isEqualTo(fibSequential(16));
            }
        });
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void blockingMergesortThatWaitsForSubtasksInsideTasksDoesNotDeadlock(int threads) {
        assertTimeoutPreemptively(GUARD, () -> {
            int[] data = new Random(3).ints(3_000).toArray();
            int[] expected = data.clone();
            Arrays.sort(expected);
            try (Flow flow = Flow.builder().threads(threads).build()) {
                assertThat(flow.submit(() -> sortBlocking(flow, data)).get()).isEqualTo(expected);
            }
        });
    }

    static int[] merge(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < a.length && j < b.length) {
            out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
        }
        while (i < a.length) {
            out[k++] = a[i++];
        }
        while (j < b.length) {
            out[k++] = b[j++];
        }
        return out;
    }

    static long fibSequential(int n) {
        long a = 0;
        long b = 1;
        for (int i = 0; i < n; i++) {
            long t = a + b;
            a = b;
            b = t;
        }
        return a;
    }

    // ------------------------------------------------------------------ waiting inside tasks and stages

    @Test
    void aTaskThatWaitsNeverPicksUpAnotherTaskThatWaitsForIt() {
        // review finding: a waiting worker helped with any queued task, here one that waits for the
        // waiting task itself; nested on the same stack, neither could ever end
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                CountDownLatch subStarted = new CountDownLatch(1);
                CountDownLatch releaseSub = new CountDownLatch(1);
                CountDownLatch aboutToWait = new CountDownLatch(1);
                AtomicReference<Thread> waitingThread = new AtomicReference<>();
                Task<Integer> waiter = flow.task("waiter").submit(() -> {
                    Task<Integer> sub = flow.task("sub").submit(() -> {
                        subStarted.countDown();
                        Sync.block(releaseSub);
                        return 1;
                    });
                    // this thread is busy until the other worker took the subtask
                    Sync.block(subStarted);
                    waitingThread.set(Thread.currentThread());
                    aboutToWait.countDown();
                    return sub.join() + 1;
                });
                Sync.await(aboutToWait);
                // the waiter's only blocking call left is the join: parked means it waits (and may help)
                Sync.awaitParkedOrTerminated(waitingThread.get());

                AtomicBoolean ranInsideTheWait = new AtomicBoolean();
                Task<Integer> dependent = flow.task("dependent").submit(() -> {
                    if (Thread.currentThread() == waitingThread.get() && !waiter.isDone()) {
                        ranInsideTheWait.set(true);
                        return -1; // joining the waiter here would wait forever
                    }
                    return waiter.join() + 1;
                });
                // widens the window in which the waiting worker could take 'dependent' off the queue
                Thread.sleep(100);
                releaseSub.countDown();

                assertThat(dependent.get()).isEqualTo(3);
                assertThat(ranInsideTheWait).as("'dependent' ran nested inside the wait of 'waiter'").isFalse();
                assertThat(waiter.get()).isEqualTo(2);
            }
        });
    }

    @Test
    void getWithATimeoutInsideATaskRunsTheSubtaskMeanwhileOnOneThread() {
        // review finding: get(timeout) inside a task blocked the only thread until it timed out
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                Task<Integer> outer = flow.submit(() -> flow.submit(() -> 5).get(Sync.WAIT_SECONDS, TimeUnit.SECONDS));
                assertThat(outer.get()).isEqualTo(5);
            }
        });
    }

    @Test
    void getWithATimeoutInsideATaskStillTimesOutWhenTheAwaitedTaskDoesNotEnd() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                CountDownLatch blockerStarted = new CountDownLatch(1);
                CountDownLatch releaseBlocker = new CountDownLatch(1);
                Task<Integer> blocker = flow.task("blocker").submit(() -> {
                    blockerStarted.countDown();
                    Sync.block(releaseBlocker);
                    return 1;
                });
                Sync.await(blockerStarted);
                Task<Integer> impatient = flow.task("impatient").submit(() -> blocker.get(10, TimeUnit.MILLISECONDS));
                try {
                    assertThatThrownBy(impatient::get).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(TaskFailedException.class)
                            .cause().isInstanceOf(TimeoutException.class);
                } finally {
                    releaseBlocker.countDown();
                }
                assertThat(blocker.get()).isEqualTo(1);
            }
        });
    }

    @Test
    void joinOrGetOfAStageChainedOnATaskInsideATaskDoesNotDeadlockOnOneThread() {
        // review finding: a stage derived from a task blocked the only thread in join()/get()
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                Task<Integer> viaJoin = flow.submit(() ->
                        flow.submit(() -> 5).thenApply(x -> x + 1).toCompletableFuture().join());
                Task<Integer> viaGet = flow.submit(() ->
                        flow.submit(() -> 5).thenApply(x -> x + 2).toCompletableFuture().get());
                assertThat(viaJoin.get()).isEqualTo(6);
                assertThat(viaGet.get()).isEqualTo(7);
            }
        });
    }

    @Test
    void aTaskThatRunsItsOwnQueuedAsyncStageWhileItWaitsCarriesOnAfterIt() {
        // found while turning the review's callback findings into tests: a waiting worker runs the stage's
        // pool entry with quietlyInvoke(), which then waits for the entry to be marked done, and the JDK
        // never marks a stage's entry done; the worker stayed parked for good after the stage returned
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                ReleasableCallbacks callbacks = new ReleasableCallbacks(flow);
                CountDownLatch stageRan = new CountDownLatch(1);
                CountDownLatch subRan = new CountDownLatch(1);
                Task<Integer> waiter = flow.task("waiter").submit(() -> {
                    Task<Integer> sub = flow.task("sub").submit(() -> {
                        subRan.countDown();
                        return 7;
                    });
                    // queued on this worker after 'sub': the wait below runs it first (newest first)
                    flow.value(0).thenRunAsync(stageRan::countDown, callbacks);
                    return sub.join();
                });
                try {
                    Sync.await(stageRan);
                    // with the defect, the only worker is stuck after the stage and 'sub' never runs
                    Sync.await(subRan);
                } finally {
                    // the entries are only what the flow's default callback executor would have queued;
                    // marking them done unsticks the worker if the defect is there, so no thread leaks
                    callbacks.releaseStuckWorkers();
                }
                assertThat(waiter.get()).isEqualTo(7);
            }
        });
    }

    @Test
    void aStageChainedOnATaskMayWaitForADependentOfThatTask() {
        // review finding: a plain stage ran when the task ended but before its dependents were told, so
        // on the only thread it waited for a dependent that could never become ready
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch go = new CountDownLatch(1);
                Task<Integer> first = flow.submit(() -> {
                    Sync.block(go);
                    return 1;
                });
                Task<Integer> dependent = flow.submit(x -> x + 1, first);
                CompletableFuture<Integer> stage = first.thenApply(v -> dependent.join() * 10).toCompletableFuture();
                go.countDown();

                assertThat(stage.get()).isEqualTo(20);
                assertThat(dependent.get()).isEqualTo(2);
            }
        });
    }
}
