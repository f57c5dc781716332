package io.paraflow;

import io.paraflow.exec.ThreadExecutor;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 7: with maxUnfinished(n), submitting from outside a task blocks while n tasks are unfinished. */
@ExtendWith(NoLeakedThreads.class)
class BackPressureTest {

    @Test
    void submitFromOutsideBlocksWhileTheBoundIsReachedAndResumesWhenTasksEnd() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).maxUnfinished(2).build()) {
                CountDownLatch firstGate = new CountDownLatch(1);
                CountDownLatch secondGate = new CountDownLatch(1);
                Task<String> first = flow.submit(() -> {
                    Sync.block(firstGate);
                    return "first";
                });
                Task<String> second = flow.submit(() -> {
                    Sync.block(secondGate);
                    return "second";
                });
                assertThat(flow.unfinished()).isEqualTo(2);

                AtomicReference<Task<String>> third = new AtomicReference<>();
                Thread submitter = new Thread(() -> third.set(flow.submit(() -> "third")), "submitter");
                submitter.start();
                // the submitter only calls submit: it parks there, or it has returned
                Sync.awaitParkedOrTerminated(submitter);
                assertThat((Object) third.get()).as("submit returned although 2 tasks were unfinished").isNull();
                assertThat(submitter.isAlive()).isTrue();

                firstGate.countDown();
                assertThat(first.get()).isEqualTo("first");
                Sync.join(submitter);
                assertThat((Object) third.get()).isNotNull();

                secondGate.countDown();
                assertThat(second.get()).isEqualTo("second");
                assertThat(third.get().get()).isEqualTo("third");
            }
        });
    }

    @Test
    void manySubmissionsFromOutsideAllCompleteUnderATightBound() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).maxUnfinished(3).build()) {
                List<Task<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    int n = i;
                    tasks.add(flow.submit(() -> n * 2));
                    assertThat(flow.unfinished()).isLessThanOrEqualTo(3);
                }
                long sum = 0;
                for (Task<Integer> t : tasks) {
                    sum += t.get();
                }
                assertThat(sum).isEqualTo(2L * 499 * 500 / 2);
            }
        });
    }

    @Test
    void submitInsideATaskNeverBlocks() {
        assertTimeoutPreemptively(GUARD, () -> {
            // one unfinished task (the parent itself) already reaches the bound
            try (Flow flow = Flow.builder().threads(1).maxUnfinished(1).build()) {
                Task<Integer> parent = flow.submit(() -> {
                    List<Task<Integer>> children = new ArrayList<>();
                    for (int i = 1; i <= 20; i++) {
                        int n = i;
                        children.add(flow.submit(() -> n));
                    }
                    int sum = 0;
                    for (Task<Integer> child : children) {
                        sum += child.get();
                    }
                    return sum;
                });
                assertThat(parent.get()).isEqualTo(210);
            }
        });
    }

    @Test
    void aBlockedSubmitterThatIsInterruptedGetsAnErrorAndKeepsItsInterruptStatus() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).maxUnfinished(1).build()) {
                CountDownLatch gate = new CountDownLatch(1);
                flow.submit(() -> {
                    Sync.block(gate);
                    return null;
                });
                AtomicReference<Throwable> error = new AtomicReference<>();
                AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
                Thread submitter = new Thread(() -> {
                    try {
                        flow.submit(() -> "never submitted");
                    } catch (Throwable e) {
                        error.set(e);
                        stillInterrupted.set(Thread.currentThread().isInterrupted());
                    }
                }, "interrupted-submitter");
                submitter.start();
                Sync.awaitParkedOrTerminated(submitter);
                submitter.interrupt();
                Sync.join(submitter);

                assertThat(error.get()).isInstanceOf(ParaflowException.class)
                        .hasCauseInstanceOf(InterruptedException.class);
                assertThat(stillInterrupted.get()).isTrue();
                gate.countDown();
                flow.awaitAll();
                assertThat(flow.unfinished()).isZero();
            }
        });
    }

    @Test
    void anAsyncStageRunningOnAWorkerSubmitsWithoutWaitingForRoom() {
        // review finding: an *Async stage runs on the flow's worker but did not count as inside the flow,
        // so its submit waited for room that only its own thread could make
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).maxUnfinished(2).build()) {
                AtomicBoolean onWorker = new AtomicBoolean();
                List<Task<Integer>> submitted = new CopyOnWriteArrayList<>();
                CompletableFuture<Void> callback = flow.submit(() -> 1).thenRunAsync(() -> {
                    onWorker.set(ThreadExecutor.isWorkerThread());
                    for (int i = 1; i <= 5; i++) {
                        int n = i;
                        submitted.add(flow.submit(() -> n));
                    }
                }).toCompletableFuture();

                callback.get();
                assertThat(onWorker).as("the stage ran on the flow's worker").isTrue();
                int sum = 0;
                for (Task<Integer> t : submitted) {
                    sum += t.get();
                }
                assertThat(sum).isEqualTo(15);
            }
        });
    }
}
