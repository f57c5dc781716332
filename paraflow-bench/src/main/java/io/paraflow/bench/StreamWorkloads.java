package io.paraflow.bench;

import io.paraflow.pattern.AllToAll;
import io.paraflow.pattern.Farm;
import io.paraflow.pattern.Output;
import io.paraflow.pattern.Pattern;
import io.paraflow.pattern.Source;
import io.paraflow.pattern.Stage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The streaming workloads of the patterns' targets, each as a Paraflow pattern and as the baseline a
 * Java user would write: platform threads connected by {@link ArrayBlockingQueue}s of the same capacity,
 * ended by a marker item. Every workload returns the sum of the values that reached its sink, so that
 * callers check that every item arrived exactly once (and, for the ordered farm, in order). Items come
 * from a preallocated array of boxed values in both versions: what is measured is the hand-off between
 * threads, not boxing. Shared by the runner ({@link PatternWorkloads}) and the tests.
 */
final class StreamWorkloads {

    /** Channel capacity of both versions. */
    static final int CAPACITY = 1024;
    private static final Long[] ITEMS = new Long[4096];
    private static final Long END = Long.MIN_VALUE;

    static {
        for (int i = 0; i < ITEMS.length; i++) {
            ITEMS[i] = (long) i;
        }
    }

    private StreamWorkloads() {
    }

    /** The sum of the values the sources below emit for {@code count} items. */
    static long expectedSum(long count) {
        long full = count / ITEMS.length;
        long rest = count % ITEMS.length;
        return full * (ITEMS.length * (ITEMS.length - 1L) / 2) + rest * (rest - 1) / 2;
    }

    private static Source<Long> source(long count) {
        return out -> {
            for (long i = 0; i < count; i++) {
                out.emit(ITEMS[(int) i & (ITEMS.length - 1)]);
            }
        };
    }

    private static Stage<Long, Long> busy(long iterations) {
        return (item, out) -> {
            BusyWork.keep(BusyWork.mix(item, iterations));
            out.emit(item);
        };
    }

    // ---------------------------------------------------------------- Paraflow

    /** Source, a stage that passes items on, and a summing sink. */
    static long pipeline(long count) {
        return Pattern.from(source(count))
                .then((Long item, Output<Long> out) -> out.emit(item))
                .collect(summing())
                .capacity(CAPACITY)
                .run();
    }

    /**
     * Source, a farm of {@code workers} workers each busy for {@code iterations} per item, and a summing
     * sink that takes from every worker (doing a collector's job without a node of its own).
     */
    static long farm(long count, int workers, long iterations) {
        return Pattern.from(source(count))
                .then(Farm.of(workers, () -> busy(iterations)))
                .collect(summing())
                .capacity(CAPACITY)
                .run();
    }

    /**
     * Source, a farm of {@code workers} trivial workers with a real {@code collector(...)} node that sums,
     * and a sink that receives the one total: the collector's extra hop and thread included.
     */
    static long farmWithCollector(long count, int workers) {
        return Pattern.from(source(count))
                .then(Farm.of(workers, () -> (Long item, Output<Long> out) -> out.emit(item)).collector(new Stage<Long, Long>() {
                    private long sum;

                    @Override
                    public void process(Long item, Output<Long> out) {
                        sum += item;
                    }

                    @Override
                    public void end(Output<Long> out) {
                        out.emit(sum);
                    }
                }))
                .collect(summing())
                .capacity(CAPACITY)
                .run();
    }

    /** As {@link #farm}, ordered, with trivial work; the sink checks the order. */
    static long orderedFarm(long count, int workers) {
        return Pattern.from(source(count))
                .then(Farm.of(workers, () -> (Long item, Output<Long> out) -> out.emit(item)).ordered())
                .collect(orderChecking())
                .capacity(CAPACITY)
                .run();
    }

    /** Source, an all-to-all of 2 x 2 nodes routed by key (the value mod 16), and a summing sink. */
    static long allToAllByKey(long count) {
        return Pattern.from(source(count))
                .then(AllToAll.of(2, () -> (Long item, Output<Long> out) -> out.emit(item), 2,
                        () -> (Long item, Output<Long> out) -> out.emit(item)).byKey((Long item) -> item & 15))
                .collect(summing())
                .capacity(CAPACITY)
                .run();
    }

    private static java.util.stream.Collector<Long, long[], Long> summing() {
        return java.util.stream.Collector.of(() -> new long[1], (sum, item) -> sum[0] += item,
                (a, b) -> new long[] {a[0] + b[0]}, sum -> sum[0]);
    }

    private static java.util.stream.Collector<Long, long[], Long> orderChecking() {
        return java.util.stream.Collector.of(() -> new long[2], (state, item) -> {
            if (item != (state[1]++ & (ITEMS.length - 1))) {
                throw new IllegalStateException("item " + item + " out of order at position " + (state[1] - 1));
            }
            state[0] += item;
        }, (a, b) -> {
            throw new UnsupportedOperationException();
        }, state -> state[0]);
    }

    // ---------------------------------------------------------------- the same work on ArrayBlockingQueues

    /** Baseline of {@link #pipeline}. */
    static long queuePipeline(long count) throws InterruptedException {
        BlockingQueue<Long> first = new ArrayBlockingQueue<>(CAPACITY);
        BlockingQueue<Long> second = new ArrayBlockingQueue<>(CAPACITY);
        long[] sum = new long[1];
        List<Thread> threads = List.of(
                new Thread(() -> queueSource(count, List.of(first))),
                new Thread(() -> forward(first, second, 0, 1)),
                new Thread(() -> sum[0] = queueSink(second, 1)));
        runAll(threads);
        return sum[0];
    }

    /** Baseline of {@link #farm}: the source deals round-robin to the workers' queues, which feed one collector queue. */
    static long queueFarm(long count, int workers, long iterations) throws InterruptedException {
        List<BlockingQueue<Long>> inputs = new ArrayList<>();
        BlockingQueue<Long> results = new ArrayBlockingQueue<>(CAPACITY);
        long[] sum = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            BlockingQueue<Long> input = new ArrayBlockingQueue<>(CAPACITY);
            inputs.add(input);
            threads.add(new Thread(() -> forward(input, results, iterations, 1)));
        }
        threads.add(new Thread(() -> queueSource(count, inputs)));
        threads.add(new Thread(() -> sum[0] = queueSink(results, workers)));
        runAll(threads);
        return sum[0];
    }

    private static void queueSource(long count, List<BlockingQueue<Long>> outputs) {
        try {
            int next = 0;
            for (long i = 0; i < count; i++) {
                Long item = ITEMS[(int) i & (ITEMS.length - 1)];
                outputs.get(next).put(item);
                next = next + 1 == outputs.size() ? 0 : next + 1;
            }
            for (BlockingQueue<Long> output : outputs) {
                output.put(END);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes items until {@code ends} end markers, passes each on after the busy work; then one end marker. */
    private static void forward(BlockingQueue<Long> input, BlockingQueue<Long> output, long iterations, int ends) {
        try {
            takeUntilEnded(input, ends, item -> {
                if (iterations > 0) {
                    BusyWork.keep(BusyWork.mix(item, iterations));
                }
                output.put(item);
            });
            output.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long queueSink(BlockingQueue<Long> input, int ends) {
        long[] sum = new long[1];
        try {
            takeUntilEnded(input, ends, item -> sum[0] += item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sum[0];
    }

    @FunctionalInterface
    private interface ItemAction {
        void accept(Long item) throws InterruptedException;
    }

    /** Takes items from {@code input} and hands them to {@code action} until {@code ends} end markers came. */
    private static void takeUntilEnded(BlockingQueue<Long> input, int ends, ItemAction action) throws InterruptedException {
        int ended = 0;
        while (ended < ends) {
            Long item = input.take();
            if (item == END) {
                ended++;
            } else {
                action.accept(item);
            }
        }
    }

    /**
     * Baseline of {@link #orderedFarm}: each worker has its own output queue and the collector takes from
     * them in the same round-robin order the source dealt the items, which restores input order.
     */
    static long queueOrderedFarm(long count, int workers) throws InterruptedException {
        List<BlockingQueue<Long>> inputs = new ArrayList<>();
        List<BlockingQueue<Long>> outputs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            BlockingQueue<Long> input = new ArrayBlockingQueue<>(CAPACITY);
            BlockingQueue<Long> output = new ArrayBlockingQueue<>(CAPACITY);
            inputs.add(input);
            outputs.add(output);
            threads.add(new Thread(() -> forward(input, output, 0, 1)));
        }
        long[] sum = new long[1];
        threads.add(new Thread(() -> queueSource(count, inputs)));
        threads.add(new Thread(() -> {
            try {
                long position = 0;
                int w = 0;
                while (true) {
                    Long item = outputs.get(w).take();
                    if (item == END) {
                        break;
                    }
                    if (item != (position++ & (ITEMS.length - 1))) {
                        throw new IllegalStateException("item " + item + " out of order");
                    }
                    sum[0] += item;
                    w = w + 1 == workers ? 0 : w + 1;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        runAll(threads);
        return sum[0];
    }

    /** Baseline of {@link #allToAllByKey}: left threads route by key into the right threads' shared queues. */
    static long queueAllToAllByKey(long count) throws InterruptedException {
        List<BlockingQueue<Long>> lefts = List.of(new ArrayBlockingQueue<>(CAPACITY), new ArrayBlockingQueue<>(CAPACITY));
        List<BlockingQueue<Long>> rights = List.of(new ArrayBlockingQueue<>(CAPACITY), new ArrayBlockingQueue<>(CAPACITY));
        BlockingQueue<Long> results = new ArrayBlockingQueue<>(CAPACITY);
        long[] sum = new long[1];
        List<Thread> threads = new ArrayList<>();
        threads.add(new Thread(() -> queueSource(count, lefts)));
        for (BlockingQueue<Long> left : lefts) {
            threads.add(new Thread(() -> {
                try {
                    while (true) {
                        Long item = left.take();
                        if (item == END) {
                            for (BlockingQueue<Long> right : rights) {
                                right.put(END);
                            }
                            return;
                        }
                        rights.get((int) (item & 15) % rights.size()).put(item);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (BlockingQueue<Long> right : rights) {
            threads.add(new Thread(() -> forward(right, results, 0, lefts.size())));
        }
        threads.add(new Thread(() -> sum[0] = queueSink(results, rights.size())));
        runAll(threads);
        return sum[0];
    }

    private static void runAll(List<Thread> threads) throws InterruptedException {
        for (Thread thread : threads) {
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    /** The farm's work done by one thread in a loop: what the farm's efficiency is measured against. */
    static long sequential(long count, long iterations) {
        long sum = 0;
        for (long i = 0; i < count; i++) {
            Long item = ITEMS[(int) i & (ITEMS.length - 1)];
            BusyWork.keep(BusyWork.mix(item, iterations));
            sum += item;
        }
        return sum;
    }
}
