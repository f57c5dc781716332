package io.paraflow;

import io.paraflow.exec.ThreadExecutor;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Point 6: a task holds the cores and memory it asks for while it runs; requests no executor can meet
 * fail at submit. Overlap is checked with counters updated by the tasks themselves.
 */
@ExtendWith(NoLeakedThreads.class)
class ResourceTest {

    private static final long MIB = 1024 * 1024;

    /** Cores (or bytes) in use by running tasks, and the most ever seen. */
    static final class Usage {
        final AtomicInteger inUse = new AtomicInteger();
        final AtomicInteger max = new AtomicInteger();

        int enter(int amount) {
            int now = inUse.addAndGet(amount);
            max.accumulateAndGet(now, Math::max);
            return now;
        }

        void exit(int amount) {
            inUse.addAndGet(-amount);
        }
    }

    @Test
    void aTwoCoreTaskOnTwoThreadsRunsWithNoOtherTaskAtTheSameTime() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                Usage cores = new Usage();
                // positive control: two one-core tasks that can only finish if they run at the same time,
                // which shows that the counter does see overlap when it happens
                CyclicBarrier bothRunning = new CyclicBarrier(2);
                for (int i = 0; i < 2; i++) {
                    flow.submit(() -> {
                        cores.enter(1);
                        try {
                            bothRunning.await(30, TimeUnit.SECONDS);
                        } finally {
                            cores.exit(1);
                        }
                        return null;
                    });
                }
                flow.awaitAll();
                assertThat(cores.max).hasValue(2);
                cores.max.set(0);

                CountDownLatch wideStarted = new CountDownLatch(1);
                AtomicBoolean narrowRanDuringWide = new AtomicBoolean();
                CountDownLatch narrowStartedDuringWide = new CountDownLatch(1);
                List<Task<?>> tasks = new ArrayList<>();
                tasks.add(flow.task("wide").cores(2).submit(() -> {
                    assertThat(cores.enter(2)).isEqualTo(2);
                    wideStarted.countDown();
                    try {
                        // a window in which a wrongly admitted one-core task would start; its length only
                        // affects how likely a bug is caught, never whether a correct runtime passes
                        if (narrowStartedDuringWide.await(200, TimeUnit.MILLISECONDS)) {
                            narrowRanDuringWide.set(true);
                        }
                    } finally {
                        cores.exit(2);
                    }
                    return null;
                }));
                Sync.await(wideStarted);
                for (int i = 0; i < 6; i++) {
                    tasks.add(flow.task("narrow " + i).submit(() -> {
                        if (cores.enter(1) > 2) {
                            narrowStartedDuringWide.countDown();
                        }
                        cores.exit(1);
                        return null;
                    }));
                }
                flow.awaitAll();

                assertThat(narrowRanDuringWide).isFalse();
                assertThat(cores.max.get()).isLessThanOrEqualTo(2);
                assertThat(tasks).allSatisfy(t -> assertThat(t.toCompletableFuture().isCompletedExceptionally()).isFalse());
            }
        });
    }

    @Test
    void manyMixedWidthTasksNeverHoldMoreCoresThanTheExecutorHas() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(3).build()) {
                Usage cores = new Usage();
                for (int i = 0; i < 60; i++) {
                    int width = 1 + i % 3;
                    flow.task("width " + width).cores(width).submit(() -> {
                        cores.enter(width);
                        Thread.yield();
                        cores.exit(width);
                        return null;
                    });
                }
                flow.awaitAll();
                assertThat(cores.max.get()).isBetween(1, 3);
            }
        });
    }

    @Test
    void twoTasksThatEachNeedMoreThanHalfTheMemoryNeverOverlap() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).memory(100 * MIB).build()) {
                // positive control: two tasks that fit together do run together
                CyclicBarrier bothRunning = new CyclicBarrier(2);
                List<Task<Object>> small = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    small.add(flow.task("small " + i).memory(40 * MIB).submit(() -> {
                        bothRunning.await(30, TimeUnit.SECONDS);
                        return null;
                    }));
                }
                for (Task<Object> t : small) {
                    t.get();
                }

                Usage memory = new Usage();
                CountDownLatch firstStarted = new CountDownLatch(1);
                CountDownLatch secondStarted = new CountDownLatch(1);
                AtomicBoolean overlapped = new AtomicBoolean();
                Task<Object> first = flow.task("big 1").memory(60 * MIB).submit(() -> {
                    memory.enter(60);
                    firstStarted.countDown();
                    try {
                        // the window in which a wrongly admitted second task would start
                        if (secondStarted.await(200, TimeUnit.MILLISECONDS)) {
                            overlapped.set(true);
                        }
                    } finally {
                        memory.exit(60);
                    }
                    return null;
                });
                Sync.await(firstStarted);
                Task<Object> second = flow.task("big 2").memory(60 * MIB).submit(() -> {
                    if (memory.enter(60) > 60) {
                        overlapped.set(true);
                    }
                    secondStarted.countDown();
                    memory.exit(60);
                    return null;
                });
                first.get();
                second.get();
                assertThat(overlapped).isFalse();
                assertThat(memory.max).hasValue(60);
            }
        });
    }

    @Test
    void aTaskAskingForMoreCoresThanAnyExecutorHasFailsAtSubmit() {
        try (Flow flow = Flow.builder().threads(2).build()) {
            AtomicInteger runs = new AtomicInteger();
            assertThatThrownBy(() -> flow.task("huge").cores(3).submit(runs::incrementAndGet))
                    .isInstanceOf(ResourceRequestException.class)
                    .hasMessageContaining("'huge'")
                    .hasMessageContaining("3 core(s)")
                    .hasMessageContaining("2 core(s)");
            assertThat(flow.unfinished()).isZero();
            assertThat(runs).hasValue(0);
        }
    }

    @Test
    void aTaskAskingForMoreMemoryThanAnyExecutorHasFailsAtSubmit() {
        try (Flow flow = Flow.builder().threads(1).memory(64 * MIB).build()) {
            assertThatThrownBy(() -> flow.task("greedy").memory(128 * MIB).submit(() -> 1))
                    .isInstanceOf(ResourceRequestException.class)
                    .hasMessageContaining("'greedy'")
                    .hasMessageContaining("128 MiB")
                    .hasMessageContaining("64 MiB");
            assertThatThrownBy(() -> flow.task("gpu").gpus(1).submit(() -> 1))
                    .isInstanceOf(ResourceRequestException.class)
                    .hasMessageContaining("1 GPU");
            // the same request on map, compose and all
            assertThatThrownBy(() -> flow.task("greedy map").memory(128 * MIB).map(x -> x, List.of(1)))
                    .isInstanceOf(ResourceRequestException.class);
            assertThatThrownBy(() -> flow.task("greedy join").memory(128 * MIB).compose(() -> flow.value(1)))
                    .isInstanceOf(ResourceRequestException.class);
            assertThat(flow.unfinished()).isZero();
        }
    }

    @Test
    void theMessageNamesAnExecutorThatCouldRunTheTask() {
        try (Flow flow = Flow.builder().threads(1).executor(ThreadExecutor.create("big", 4, 0)).build()) {
            assertThatThrownBy(() -> flow.task("wide").cores(4).submit(() -> 1))
                    .isInstanceOf(ResourceRequestException.class)
                    .hasMessageContaining("big");
            assertThatThrownBy(() -> flow.task("wider").on("big").cores(5).submit(() -> 1))
                    .isInstanceOf(ResourceRequestException.class)
                    .hasMessageContaining("5 core(s)").hasMessageContaining("4 core(s)");
        }
    }

    @Test
    void anUnknownExecutorLabelIsRejectedWithTheKnownLabels() {
        try (Flow flow = Flow.builder().threads(1).executor(ThreadExecutor.create("other", 1, 0)).build()) {
            assertThatThrownBy(() -> flow.task("lost").on("gpu-cluster"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gpu-cluster")
                    .hasMessageContaining(FlowBuilder.THREADS)
                    .hasMessageContaining("other");
        }
    }

    @Test
    void aWideTaskGivesBackItsCoresBeforeItsSuccessorRuns() {
        // review finding: the successor of a 2-core task ran while the 2-core reservation was still held,
        // so a one-core successor kept both threads of the pool
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                CountDownLatch successorRunning = new CountDownLatch(1);
                CountDownLatch releaseSuccessor = new CountDownLatch(1);
                CountDownLatch otherRan = new CountDownLatch(1);
                Task<Integer> wide = flow.task("wide").cores(2).submit(() -> 1);
                Task<Integer> successor = flow.task("successor").submit(v -> {
                    successorRunning.countDown();
                    Sync.block(releaseSuccessor);
                    return v;
                }, wide);
                try {
                    Sync.await(successorRunning);
                    // one core is in use now: the other thread takes a new task
                    flow.task("other").submit(() -> {
                        otherRan.countDown();
                        return 0;
                    });
                    Sync.await(otherRan);
                } finally {
                    releaseSuccessor.countDown();
                }
                assertThat(successor.get()).isEqualTo(1);
            }
        });
    }

    /**
     * The stall behind a flaky run of the test above. JDK 17's pool wakes no idle worker for a task queued
     * while it counts every worker busy, trusting those to find the task later; the holder's thread was
     * going idle just as the task was queued, so the pool counted it busy, and the one busy worker ran a
     * task that waited for the queued one. The race lies inside the pool, where no test can hold it open:
     * it came up about once in 100 to 400 fresh flows here, hence the rounds.
     */
    @Test
    void aTaskQueuedJustAsAWideTaskGivesBackItsCoresRunsOnTheFreedCore() {
        assertTimeoutPreemptively(GUARD, () -> {
            for (int round = 0; round < 300; round++) {
                try (Flow flow = Flow.builder().threads(2).build()) {
                    CountDownLatch otherRan = new CountDownLatch(1);
                    Task<Integer> wide = flow.task("wide").cores(2).submit(() -> 1);
                    Task<Integer> successor = flow.task("successor").submit(v -> {
                        flow.task("other").submit(() -> {
                            otherRan.countDown();
                            return 0;
                        });
                        Sync.block(otherRan);
                        return v;
                    }, wide);
                    assertThat(successor.get(Sync.WAIT_SECONDS, TimeUnit.SECONDS)).as("round %d", round).isEqualTo(1);
                }
            }
        });
    }

    @Test
    void aWideTaskStartedInsideAWaitDoesNotDeadlockWithAnotherWaitingTask() {
        // review finding: A, waiting for a 2-core task X, ran X's entry while helping; X then waited
        // for a holder thread, but its holder and the task C that B waited for sat in A's own queue
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                CountDownLatch bRunning = new CountDownLatch(1);
                CountDownLatch cSubmitted = new CountDownLatch(1);
                AtomicReference<Task<Integer>> cRef = new AtomicReference<>();
                Task<Integer> a = flow.task("A").submit(() -> {
                    Sync.block(bRunning);
                    Task<Integer> c = flow.task("C").submit(() -> 3);
                    cRef.set(c);
                    cSubmitted.countDown();
                    Task<Integer> x = flow.task("X").cores(2).submit(() -> 1);
                    return x.join() + c.join();
                });
                Task<Integer> b = flow.task("B").submit(() -> {
                    bRunning.countDown();
                    Sync.block(cSubmitted);
                    // join() would hang for good if the deadlock is there; the timed get fails B
                    // instead and frees its thread, so the test fails without leaking the flow
                    return cRef.get().get(Sync.WAIT_SECONDS, TimeUnit.SECONDS);
                });

                assertThatCode(() -> b.get()).as("'B' gave up waiting for 'C', which sat in the queue of the"
                        + " thread whose wait for 'X' blocked on X's holder").doesNotThrowAnyException();
                assertThat(b.get()).isEqualTo(3);
                assertThat(a.get()).isEqualTo(4);
            }
        });
    }
}
