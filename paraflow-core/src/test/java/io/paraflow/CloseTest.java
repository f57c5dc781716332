package io.paraflow;

import io.paraflow.exec.ThreadExecutor;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 8: close() waits for (or cancels) outstanding tasks, stops every thread, refuses new tasks. */
@ExtendWith(NoLeakedThreads.class)
class CloseTest {

    @Test
    void closeWaitsForOutstandingTasksToComplete() {
        assertTimeoutPreemptively(GUARD, () -> {
            Flow flow = Flow.builder().threads(2).build();
            CountDownLatch release = new CountDownLatch(1);
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                tasks.add(flow.submit(() -> {
                    Sync.block(release);
                    return n;
                }));
            }
            AtomicBoolean closed = new AtomicBoolean();
            Thread closer = new Thread(() -> {
                flow.close();
                closed.set(true);
            }, "closer");
            closer.start();
            Sync.awaitParkedOrTerminated(closer);
            assertThat(closed).as("close returned while tasks were blocked").isFalse();

            release.countDown();
            Sync.join(closer);
            assertThat(closed).isTrue();
            for (int i = 0; i < tasks.size(); i++) {
                assertThat(tasks.get(i).isDone()).isTrue();
                assertThat(tasks.get(i).get()).isEqualTo(i);
            }
            assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
        });
    }

    @Test
    void whileClosingARunningTaskMayStillSubmitAndItsSubtasksComplete() {
        assertTimeoutPreemptively(GUARD, () -> {
            Flow flow = Flow.builder().threads(1).build();
            CountDownLatch release = new CountDownLatch(1);
            Task<Integer> parent = flow.compose(() -> {
                Sync.block(release);
                // by now close() has begun: the dynamic graph must still be allowed to finish
                return flow.submit(() -> 41 + 1);
            });
            Thread closer = new Thread(flow::close, "closer");
            closer.start();
            Sync.awaitParkedOrTerminated(closer);
            assertThatThrownBy(() -> flow.submit(() -> 0)).as("outside submit while closing")
                    .isInstanceOf(FlowClosedException.class);

            release.countDown();
            Sync.join(closer);
            assertThat(parent.get()).isEqualTo(42);
        });
    }

    @Test
    void closeWithCancelOnCloseCancelsQueuedAndInterruptsRunningTasks() {
        assertTimeoutPreemptively(GUARD, () -> {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            AtomicInteger queuedRuns = new AtomicInteger();
            Task<Integer> running;
            List<Task<Integer>> queued = new ArrayList<>();
            try (Flow flow = Flow.builder().threads(1).cancelOnClose(true).build()) {
                running = flow.task("running").submit(Sync.blockUntilInterrupted(started, interrupted));
                for (int i = 0; i < 5; i++) {
                    queued.add(flow.submit(queuedRuns::incrementAndGet));
                }
                Sync.await(started);
            }
            Sync.await(interrupted);
            assertThat(running.isCancelled()).isTrue();
            assertThatThrownBy(running::get).isInstanceOf(TaskCancelledException.class);
            assertThat(queued).allSatisfy(t -> assertThat(t.isCancelled()).isTrue());
            assertThat(queuedRuns).hasValue(0);
            assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
        });
    }

    @Test
    void afterCloseNoParaflowThreadIsLeftIncludingAddedExecutorsAndTheTimer() throws Exception {
        Flow flow = Flow.builder().threads(2).executor(ThreadExecutor.create("other", 2, 0)).build();
        flow.task("timed").timeout(Duration.ofMinutes(1)).submit(() -> 1).get();
        flow.task("elsewhere").on("other").submit(() -> 2).get();
        flow.task("retried later").retryPolicy((e, a) -> a == 1
                ? io.paraflow.fault.RetryDecision.retryAfter(Duration.ofMillis(1))
                : io.paraflow.fault.RetryDecision.giveUp()).submit(() -> 3).get();
        assertThat(NoLeakedThreads.paraflowThreads()).isNotEmpty();

        flow.close();

        assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
    }

    @Test
    void submitAfterCloseFailsWithFlowClosedExceptionNamingTheTask() {
        Flow flow = Flow.builder().threads(1).build();
        flow.close();
        assertThatThrownBy(() -> flow.task("too late").submit(() -> 1))
                .isInstanceOf(FlowClosedException.class).hasMessageContaining("too late");
        assertThatThrownBy(() -> flow.task("late join").compose(() -> flow.value(1)))
                .isInstanceOf(FlowClosedException.class).hasMessageContaining("late join");
        assertThatThrownBy(() -> flow.task("late map").map(x -> x, List.of(1)))
                .isInstanceOf(FlowClosedException.class).hasMessageContaining("late map");
        assertThatThrownBy(() -> flow.submit(CloseTest::answer))
                .isInstanceOf(FlowClosedException.class).hasMessageContaining("CloseTest.answer");
        assertThat(flow.unfinished()).isZero();
    }

    static int answer() {
        return 42;
    }

    @Test
    void closingTwiceIsFine() {
        Flow flow = Flow.builder().threads(1).build();
        flow.submit(() -> 1);
        flow.close();
        flow.close();
        assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
    }

    @Test
    void closeOrAwaitAllFromInsideATaskIsRejected() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Object> closing = flow.task("closes its flow").submit(() -> {
                flow.close();
                return null;
            });
            Task<Object> awaiting = flow.task("awaits all").submit(() -> {
                flow.awaitAll();
                return null;
            });
            assertThatThrownBy(closing::get).cause().isInstanceOf(TaskFailedException.class)
                    .cause().isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(awaiting::get).cause().isInstanceOf(TaskFailedException.class)
                    .cause().isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aTaskMayAwaitAndCloseAFlowOfItsOwn() {
        AtomicReference<Flow> nestedRef = new AtomicReference<>();
        try {
            assertTimeoutPreemptively(GUARD, () -> {
                // only awaitAll()/close() of the task's *own* flow would wait for itself; a flow the task
                // created is independent of it (e.g. a library that uses Paraflow inside a task)
                try (Flow outer = Flow.builder().threads(1).build()) {
                    Task<Integer> nestedRun = outer.task("runs a nested flow").submit(() -> {
                        Flow nested = Flow.builder().threads(1).build();
                        nestedRef.set(nested);
                        Task<Integer> inner = nested.submit(() -> 6 * 7);
                        nested.awaitAll();
                        nested.close();
                        return inner.get();
                    });
                    assertThat(nestedRun.get()).isEqualTo(42);
                }
            });
        } finally {
            // if the task could not close its flow, close it here so no thread outlives this test
            Flow nested = nestedRef.get();
            if (nested != null) {
                nested.close();
            }
        }
    }

    @Test
    void anInterruptedCloseCancelsTheRemainingTasksAndKeepsTheInterruptStatus() {
        assertTimeoutPreemptively(GUARD, () -> {
            Flow flow = Flow.builder().threads(1).build();
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            Task<Integer> stuck = flow.submit(Sync.blockUntilInterrupted(started, interrupted));
            Sync.await(started);
            AtomicReference<Boolean> interruptKept = new AtomicReference<>();
            Thread closer = new Thread(() -> {
                flow.close();
                interruptKept.set(Thread.currentThread().isInterrupted());
            }, "closer");
            closer.start();
            Sync.awaitParkedOrTerminated(closer);
            closer.interrupt();
            Sync.join(closer);

            Sync.await(interrupted);
            assertThat(interruptKept.get()).isTrue();
            assertThat(stuck.isCancelled()).isTrue();
            assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
        });
    }

    @Test
    void closeOrAwaitAllFromAnAsyncStageOnAWorkerIsRejected() {
        // review finding: close() from an *Async stage waited for the thread it ran on
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                AtomicBoolean onWorker = new AtomicBoolean();
                CompletableFuture<Void> closing = flow.submit(() -> 1).thenRunAsync(() -> {
                    onWorker.set(ThreadExecutor.isWorkerThread());
                    flow.close();
                }).toCompletableFuture();
                CompletableFuture<Void> awaiting = flow.submit(() -> 2).thenRunAsync(() -> {
                    try {
                        flow.awaitAll();
                    } catch (InterruptedException e) {
                        throw new AssertionError("awaitAll was interrupted", e);
                    }
                }).toCompletableFuture();

                assertThatThrownBy(closing::get).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(awaiting::get).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(IllegalStateException.class);
                assertThat(onWorker).as("the stage ran on the flow's worker").isTrue();
                // the flow is still open
                assertThat(flow.submit(() -> 3).get()).isEqualTo(3);
            }
        });
    }
}
