package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.fn.Fn1;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Target 4: heap retained per task that was submitted but cannot run yet. Tasks hang from a gate task
 * that blocks until released, either all directly (fan-out) or one after another (chain); the heap used
 * after full collections is read before and after submitting them. The program keeps no reference to
 * the tasks (except the end of the chain), so what is counted is what the runtime itself retains.
 * Baseline: the same shapes of {@code thenApply} on an incomplete {@code CompletableFuture}.
 *
 * <p>Each shape is then released and checked: every task must have run, with the right result.
 */
final class RetainedMemory {

    private static final int GC_ROUNDS = 5;

    /** The graph hanging from the gate. */
    enum Shape {
        /** Every task depends on the gate directly. */
        FAN_OUT,
        /** Task k depends on task k - 1; the first on the gate. */
        CHAIN
    }

    private RetainedMemory() {
    }

    /** Bytes retained per unfinished Paraflow task hanging from a blocked task in {@code shape}. */
    static double paraflow(Shape shape, int tasks) throws InterruptedException {
        LongAdder ran = new LongAdder();
        Fn1<Integer, Integer> increment = x -> {
            ran.increment();
            return x + 1;
        };
        CountDownLatch release = new CountDownLatch(1);
        // The bound on unfinished tasks must leave room for all of them, or submit would wait (back-pressure).
        try (Flow flow = Flow.builder().maxUnfinished(tasks + 1).build()) {
            Task<Integer> gate = flow.submit(() -> {
                release.await();
                return 0;
            });
            long before = usedHeapAfterGc();
            Task<Integer> last = gate;
            for (int i = 0; i < tasks; i++) {
                last = flow.submit(increment, shape == Shape.CHAIN ? last : gate);
            }
            long after = usedHeapAfterGc();
            check(flow.unfinished() == tasks + 1, "unfinished tasks: " + flow.unfinished());
            release.countDown();
            flow.awaitAll();
            checkRan(shape, tasks, ran.sum(), last.join());
            return (after - before) / (double) tasks;
        }
    }

    /** Baseline: bytes retained per {@code thenApply} dependent of an incomplete future in {@code shape}. */
    static double completableFuture(Shape shape, int tasks) {
        LongAdder ran = new LongAdder();
        Function<Integer, Integer> increment = x -> {
            ran.increment();
            return x + 1;
        };
        CompletableFuture<Integer> gate = new CompletableFuture<>();
        long before = usedHeapAfterGc();
        CompletableFuture<Integer> last = gate;
        for (int i = 0; i < tasks; i++) {
            last = (shape == Shape.CHAIN ? last : gate).thenApply(increment);
        }
        long after = usedHeapAfterGc();
        gate.complete(0);
        checkRan(shape, tasks, ran.sum(), last.join());
        return (after - before) / (double) tasks;
    }

    private static void checkRan(Shape shape, int tasks, long ran, int lastResult) {
        check(ran == tasks, tasks + " tasks submitted but " + ran + " ran");
        int expected = shape == Shape.CHAIN ? tasks : 1;
        check(lastResult == expected, "last task returned " + lastResult + ", expected " + expected);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /** Heap in use after several full collections, so that only reachable objects are counted. */
    private static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
