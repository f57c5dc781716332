package io.paraflow.graph;

import io.paraflow.Flow;
import io.paraflow.Task;

import java.util.concurrent.atomic.LongAdder;

/**
 * Child-JVM program of {@link BoundedMemoryTest}: submits {@code total} tasks (about half independent
 * no-ops, half in chains of dependent tasks) without keeping references to them, waits, and prints how many
 * functions ran and a checksum of the values that flowed along the chains. Run in a small heap, it
 * shows that finished tasks are released and that back-pressure bounds the unfinished ones.
 */
public final class TenMillionTasksMain {

    private TenMillionTasksMain() {
    }

    /** Args: total number of tasks, chain length. Prints {@code runs=<n> checksum=<sum>}. */
    public static void main(String[] args) throws Exception {
        long total = Long.parseLong(args[0]);
        int chainLength = Integer.parseInt(args[1]);
        LongAdder runs = new LongAdder();
        LongAdder checksum = new LongAdder();
        try (Flow flow = Flow.local()) {
            plan(total, chainLength, new Visitor() {
                @Override
                public void independent(long value) {
                    flow.submit(() -> {
                        runs.increment();
                        checksum.add(value);
                        return null;
                    });
                }

                @Override
                public void chain(long start, int length) {
                    Task<Long> t = flow.submit(() -> {
                        runs.increment();
                        return start;
                    });
                    for (int k = 1; k < length - 1; k++) {
                        long step = k;
                        t = flow.submit(x -> {
                            runs.increment();
                            return x + step;
                        }, t);
                    }
                    flow.submit(x -> {
                        runs.increment();
                        checksum.add(x);
                        return null;
                    }, t);
                }
            });
            flow.awaitAll();
        }
        System.out.println("runs=" + runs.sum() + " checksum=" + checksum.sum());
    }

    /** What the program submits, in order; the test replays it in plain Java for the expected numbers. */
    interface Visitor {
        /** One independent task that adds {@code value} to the checksum. */
        void independent(long value);

        /** A chain of {@code length} tasks: starts at {@code start}, adds 1, 2, ... and then adds the result. */
        void chain(long start, int length);
    }

    static void plan(long total, int chainLength, Visitor visitor) {
        long submitted = 0;
        for (long i = 0; submitted < total; i++) {
            if (i % chainLength != 1 || total - submitted < chainLength) {
                visitor.independent(i);
                submitted++;
            } else {
                visitor.chain(i, chainLength);
                submitted += chainLength;
            }
        }
    }
}
