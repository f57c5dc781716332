package io.paraflow.examples;

import io.paraflow.Flow;
import io.paraflow.Task;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Estimates pi from independent Monte Carlo batches that run in parallel. */
public final class QuickStart {
    static final int SAMPLES = 4_000_000;

    static long hits(long seed) {          // random points of the unit square inside the quarter circle
        SplittableRandom random = new SplittableRandom(seed);
        return IntStream.range(0, SAMPLES).filter(i -> {
            double x = random.nextDouble(), y = random.nextDouble();
            return x * x + y * y <= 1;
        }).count();
    }

    public static void main(String[] args) throws Exception {
        try (Flow flow = Flow.local()) {                                     // one thread per core
            List<Task<Long>> batches = flow.map(QuickStart::hits, List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L));
            Task<Long> total = flow.reduce(Long::sum, batches);              // tree of dependent tasks
            Task<Double> pi = flow.task("estimate").submit(t -> 4.0 * t / (8.0 * SAMPLES), total);
            System.out.println("pi is about " + pi.get());
        }
    }
}
