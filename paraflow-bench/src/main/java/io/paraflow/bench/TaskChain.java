package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.fn.Fn1;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Target 2: a chain in which each task takes the previous task's result, submitted from one thread
 * while the chain already runs. Nothing in it can run in parallel; what is measured is how fast the
 * runtime hands a result to the one dependent and starts it. Shared by the JMH benchmark, the workload
 * runner and the tests.
 */
final class TaskChain {

    private static final Fn1<Integer, Integer> INCREMENT = x -> x + 1;

    private TaskChain() {
    }

    /** Builds a chain of {@code length} increments from 0 and returns its end's result, {@code length}. */
    static int paraflow(Flow flow, int length) {
        Task<Integer> last = flow.value(0);
        for (int i = 0; i < length; i++) {
            last = flow.submit(INCREMENT, last);
        }
        return last.join();
    }

    /** Baseline: the same chain of {@code thenApplyAsync} on {@code pool}. */
    static int completableFuture(Executor pool, int length) {
        Function<Integer, Integer> increment = x -> x + 1;
        CompletableFuture<Integer> last = CompletableFuture.completedFuture(0);
        for (int i = 0; i < length; i++) {
            last = last.thenApplyAsync(increment, pool);
        }
        return last.join();
    }
}
