package io.paraflow.bench;

import io.paraflow.Flow;
import io.paraflow.FlowBuilder;
import io.paraflow.Task;
import io.paraflow.cache.FlushPolicy;
import io.paraflow.fn.Fn1;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The caching workload: {@code count} small independent tasks over the integers, in a flow of its own
 * (built, run, closed: closing writes the checkpoints, so their cost is counted). Run plain, memoized
 * in memory, memoized into a checkpoint store (every task a miss that is recorded), and resumed from that
 * store (every task a hit). Returns the sum of the results, which every variant must agree on.
 */
final class CachedTasks {

    private static final Fn1<Integer, Long> STEP = i -> (long) i * 31 + 7;

    /** How the tasks are memoized. */
    enum Variant {
        PLAIN, MEMORY, STORE, RESUME
    }

    private CachedTasks() {
    }

    static List<Integer> inputs(int count) {
        List<Integer> inputs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inputs.add(i);
        }
        return inputs;
    }

    static long expected(int count) {
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += (long) i * 31 + 7;
        }
        return sum;
    }

    static long run(Variant variant, List<Integer> inputs, int threads, Path store, FlushPolicy flush) throws Exception {
        FlowBuilder builder = Flow.builder().threads(threads);
        if (variant == Variant.STORE || variant == Variant.RESUME) {
            builder.checkpoints(store).flushPolicy(flush).resume(variant == Variant.RESUME);
        }
        long sum = 0;
        try (Flow flow = builder.build()) {
            List<Task<Long>> tasks = variant == Variant.PLAIN ? flow.task("step").map(STEP, inputs)
                    : flow.task("step").cache().map(STEP, inputs);
            for (Task<Long> task : tasks) {
                sum += task.join();
            }
        }
        return sum;
    }
}
