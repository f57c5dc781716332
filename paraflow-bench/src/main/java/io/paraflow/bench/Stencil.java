package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.fn.Fn2;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * Target 3: a stencil graph {@code width} cells wide and {@code steps} steps long. Cell i at step s
 * depends on cell i and cell (i + 1) mod width at step s - 1, and runs {@code iterations} of
 * {@link BusyWork#mix}. With width 2 every step joins both cells of the step before, so each step costs
 * one cross-thread hand-off: this shows how fine a grain the runtime can still keep both cores busy with.
 *
 * <p>The cell function takes its two inputs in order, so a wrongly wired argument changes the result;
 * {@link #sequential()} computes the expected result. Immutable and thread-safe.
 */
final class Stencil {

    private final int width;
    private final int steps;
    private final long iterations;

    Stencil(int width, int steps, long iterations) {
        if (width < 2 || steps < 1 || iterations < 0) {
            throw new IllegalArgumentException("need width >= 2, steps >= 1, iterations >= 0; got width " + width
                    + ", steps " + steps + ", iterations " + iterations);
        }
        this.width = width;
        this.steps = steps;
        this.iterations = iterations;
    }

    /** Number of tasks that do work (the initial row is plain values). */
    int tasks() {
        return width * steps;
    }

    static long cell(long self, long neighbour, long iterations) {
        return BusyWork.mix(self * 31 + neighbour, iterations);
    }

    private static long initial(int index) {
        return index + 1;
    }

    /** Submits the whole graph from the calling thread and returns the last step, cell by cell. */
    long[] paraflow(Flow flow) {
        long work = iterations;
        Fn2<Long, Long, Long> kernel = (self, neighbour) -> cell(self, neighbour, work);
        @SuppressWarnings("unchecked")
        Task<Long>[] row = new Task[width];
        for (int i = 0; i < width; i++) {
            row[i] = flow.value(initial(i));
        }
        for (int s = 0; s < steps; s++) {
            @SuppressWarnings("unchecked")
            Task<Long>[] next = new Task[width];
            for (int i = 0; i < width; i++) {
                next[i] = flow.submit(kernel, row[i], row[(i + 1) % width]);
            }
            row = next;
        }
        long[] last = new long[width];
        for (int i = 0; i < width; i++) {
            last[i] = row[i].join();
        }
        return last;
    }

    /** Baseline: the same graph of {@code thenCombineAsync} on {@code pool}. */
    long[] completableFuture(Executor pool) {
        long work = iterations;
        BiFunction<Long, Long, Long> kernel = (self, neighbour) -> cell(self, neighbour, work);
        @SuppressWarnings("unchecked")
        CompletableFuture<Long>[] row = new CompletableFuture[width];
        for (int i = 0; i < width; i++) {
            row[i] = CompletableFuture.completedFuture(initial(i));
        }
        for (int s = 0; s < steps; s++) {
            @SuppressWarnings("unchecked")
            CompletableFuture<Long>[] next = new CompletableFuture[width];
            for (int i = 0; i < width; i++) {
                next[i] = row[i].thenCombineAsync(row[(i + 1) % width], kernel, pool);
            }
            row = next;
        }
        long[] last = new long[width];
        for (int i = 0; i < width; i++) {
            last[i] = row[i].join();
        }
        return last;
    }

    /** The expected result, computed on the calling thread. */
    long[] sequential() {
        long[] row = new long[width];
        for (int i = 0; i < width; i++) {
            row[i] = initial(i);
        }
        for (int s = 0; s < steps; s++) {
            long[] next = new long[width];
            for (int i = 0; i < width; i++) {
                next[i] = cell(row[i], row[(i + 1) % width], iterations);
            }
            row = next;
        }
        return row;
    }
}
