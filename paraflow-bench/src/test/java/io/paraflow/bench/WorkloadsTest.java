package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.cache.Checkpoints;
import io.paraflow.cache.FlushPolicy;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every workload at a tiny size and checks what it computes, so that a benchmark never reports the
 * speed of a wrong answer. No timing is asserted: that is the runners' job, on a quiet machine.
 */
class WorkloadsTest {

    private static final int THREADS = 2;

    private ForkJoinPool pool;

    @BeforeEach
    void startPool() {
        pool = new ForkJoinPool(THREADS);
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void independentTasksAllRunBeforeTheBatchReturns() throws InterruptedException {
        LongAdder finished = new LongAdder();
        try (Flow flow = Flow.builder().threads(THREADS).listener(TaskListener.ofEvents(event -> {
            if (event.kind() == TaskEvent.Kind.FINISHED) {
                finished.increment();
            }
        })).build()) {
            IndependentTasks.paraflow(flow, 1_000);
            assertThat(finished.sum()).isEqualTo(1_000);
            assertThat(flow.unfinished()).isZero();
        }
    }

    @Test
    void independentTaskBaselinesComplete() throws InterruptedException {
        CompletableFuture<?>[] futures = new CompletableFuture<?>[1_000];
        IndependentTasks.completableFutureAllOf(pool, futures);
        assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        IndependentTasks.completableFutureLatch(pool, 1_000);
    }

    @Test
    void chainsCountTheirLength() {
        try (Flow flow = Flow.builder().threads(THREADS).build()) {
            assertThat(TaskChain.paraflow(flow, 1_000)).isEqualTo(1_000);
        }
        assertThat(TaskChain.completableFuture(pool, 1_000)).isEqualTo(1_000);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void stencilMatchesTheSequentialComputation(int width) {
        Stencil stencil = new Stencil(width, 50, 10);
        long[] expected = stencil.sequential();
        try (Flow flow = Flow.builder().threads(THREADS).build()) {
            assertThat(stencil.paraflow(flow)).containsExactly(expected);
        }
        assertThat(stencil.completableFuture(pool)).containsExactly(expected);
    }

    @Test
    void stencilCellTakesItsInputsInOrder() {
        assertThat(Stencil.cell(1, 2, 10)).isNotEqualTo(Stencil.cell(2, 1, 10));
    }

    @ParameterizedTest
    @EnumSource(RetainedMemory.Shape.class)
    void retainedMemoryWorkloadsRunEveryTask(RetainedMemory.Shape shape) throws InterruptedException {
        // Each workload checks after release that every task ran with the right result, and throws if not.
        assertThat(RetainedMemory.paraflow(shape, 1_000)).isFinite();
        assertThat(RetainedMemory.completableFuture(shape, 1_000)).isFinite();
    }

    @Test
    void busyWorkIsDeterministicAndScalesWithTheGrain() {
        assertThat(BusyWork.mix(7, 1_000)).isEqualTo(BusyWork.mix(7, 1_000)).isNotEqualTo(BusyWork.mix(7, 999));
        BusyWork busy = BusyWork.uncalibrated(0.5);
        assertThat(busy.iterationsFor(1_000)).isEqualTo(500);
        assertThat(busy.iterationsFor(0)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(CachedTasks.Variant.class)
    void cachedTasksSumTheSameWithEveryVariant(CachedTasks.Variant variant, @TempDir Path store) throws Exception {
        List<Integer> inputs = CachedTasks.inputs(500);
        if (variant == CachedTasks.Variant.RESUME) {
            CachedTasks.run(CachedTasks.Variant.STORE, inputs, THREADS, store, FlushPolicy.atClose());
            assertThat(Checkpoints.list(store)).hasSize(500);
        }
        assertThat(CachedTasks.run(variant, inputs, THREADS, store, FlushPolicy.atClose()))
                .isEqualTo(CachedTasks.expected(500));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 5_000, 10_001})
    void streamWorkloadsDeliverEveryItemOnce(long items) throws InterruptedException {
        long expected = StreamWorkloads.expectedSum(items);
        assertThat(expected).isEqualTo(java.util.stream.LongStream.range(0, items).map(i -> i % 4096).sum());
        assertThat(StreamWorkloads.pipeline(items)).isEqualTo(expected);
        assertThat(StreamWorkloads.queuePipeline(items)).isEqualTo(expected);
        assertThat(StreamWorkloads.farm(items, 2, 3)).isEqualTo(expected);
        assertThat(StreamWorkloads.queueFarm(items, 2, 3)).isEqualTo(expected);
        assertThat(StreamWorkloads.farmWithCollector(items, 2)).isEqualTo(expected);
        assertThat(StreamWorkloads.orderedFarm(items, 2)).isEqualTo(expected);
        assertThat(StreamWorkloads.queueOrderedFarm(items, 2)).isEqualTo(expected);
        assertThat(StreamWorkloads.allToAllByKey(items)).isEqualTo(expected);
        assertThat(StreamWorkloads.queueAllToAllByKey(items)).isEqualTo(expected);
        assertThat(StreamWorkloads.sequential(items, 3)).isEqualTo(expected);
    }
}
