package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.fn.Fn0;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Target 1: independent no-op tasks submitted from one thread, then awaited as a batch. The task body
 * does nothing, so what is measured is the cost of a task: submission, scheduling, completion, counting.
 * Shared by the JMH benchmark, the workload runner and the tests.
 */
final class IndependentTasks {

    private static final Fn0<Object> NO_OP = () -> null;

    private IndependentTasks() {
    }

    /** Submits {@code count} no-op tasks and waits for all of them with the flow's barrier. */
    static void paraflow(Flow flow, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            flow.submit(NO_OP);
        }
        flow.awaitAll();
    }

    /**
     * Baseline as a {@code CompletableFuture} user writes it: one {@code supplyAsync} per task, kept in
     * {@code futures} (reused across batches, so its allocation is not measured), then {@code allOf}.
     */
    static void completableFutureAllOf(Executor pool, CompletableFuture<?>[] futures) {
        Supplier<Object> noOp = () -> null;
        for (int i = 0; i < futures.length; i++) {
            futures[i] = CompletableFuture.supplyAsync(noOp, pool);
        }
        CompletableFuture.allOf(futures).join();
    }

    /**
     * Leanest baseline: one {@code supplyAsync} per task, each counting itself down on a latch, so no
     * future is kept and nothing is combined; the counting plays the part of the flow's barrier.
     */
    static void completableFutureLatch(Executor pool, int count) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(count);
        Supplier<Object> countDown = () -> {
            done.countDown();
            return null;
        };
        for (int i = 0; i < count; i++) {
            CompletableFuture.supplyAsync(countDown, pool);
        }
        done.await();
    }
}
