package io.paraflow.pattern;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.fn.Fn1;
import io.paraflow.pattern.internal.Assembly;
import io.paraflow.pattern.internal.Assembly.Fragment;
import io.paraflow.pattern.internal.Run;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collector;

/**
 * A complete streaming pattern: a {@link Source}, blocks, and a sink; ready to run. Built with
 * {@link #from}:
 *
 * <pre>{@code
 * List<Integer> lengths = Pattern.from(Source.of(words))
 *         .then(Farm.of(4, () -> Stage.<String, Integer>map(String::length)).ordered())
 *         .collect(Collectors.toList())
 *         .run();
 * }</pre>
 *
 * <p>Each run assembles fresh nodes and channels and gives every node its own platform thread (named
 * {@code paraflow-pattern-...}); the threads are not the flow's workers. {@link #run} blocks until every
 * thread has ended, then returns the sink's result or throws: a {@link PatternException} naming the node
 * that failed first, or a {@link CancellationException}. {@link #start} runs it in the background.
 * Channels are bounded ({@value #DEFAULT_CAPACITY} items by default): a fast producer waits for room.
 * Waiting threads spin briefly, then park, so a pattern may have more threads than there are cores;
 * {@link #busySpin} never parks, for dedicated cores.
 *
 * <p>Immutable and thread-safe; the same pattern may be run many times, also concurrently (the sink and
 * farm workers are made afresh per run; stage instances given directly are shared).
 *
 * @param <R> the sink's result
 */
public final class Pattern<R> {

    /** Default capacity of each channel, in items. */
    public static final int DEFAULT_CAPACITY = 1024;

    private final String name;
    private final Source<?> source;
    private final List<Block<?, ?>> blocks;
    private final Supplier<? extends Sink<R>> sink;
    private final int capacity;
    private final boolean busySpin;

    private Pattern(String name, Source<?> source, List<Block<?, ?>> blocks, Supplier<? extends Sink<R>> sink,
            int capacity, boolean busySpin) {
        this.name = name;
        this.source = source;
        this.blocks = blocks;
        this.sink = sink;
        this.capacity = capacity;
        this.busySpin = busySpin;
    }

    /** Starts a pattern whose stream comes from {@code source}. */
    public static <T> Builder<T> from(Source<T> source) {
        return new Builder<>(Objects.requireNonNull(source, "source"), List.of());
    }

    /**
     * The blocks of a pattern up to a point whose items are of type {@code T}; immutable, each method
     * returns a new builder. Finish with {@link #collect}, {@link #forEach} or {@link #to}: each checks the
     * composition and throws an {@link IllegalArgumentException} with the reason if it cannot work (block
     * factories are called to see the blocks; stage, master and sink factories are not, and nothing runs).
     *
     * @param <T> the type of items at this point
     */
    public static final class Builder<T> {
        private final Source<?> source;
        private final List<Block<?, ?>> blocks;

        private Builder(Source<?> source, List<Block<?, ?>> blocks) {
            this.source = source;
            this.blocks = blocks;
        }

        /** Adds {@code next} as the next stage. */
        public <O> Builder<O> then(Block<? super T, O> next) {
            List<Block<?, ?>> longer = new ArrayList<>(blocks);
            longer.add(Objects.requireNonNull(next, "next"));
            return new Builder<>(source, List.copyOf(longer));
        }

        /** Adds a stage that runs {@code next}. */
        public <O> Builder<O> then(Stage<? super T, O> next) {
            return then(Block.of(next));
        }

        /** Adds a stage that sends {@code function}'s result for each item ({@code null} results are dropped). */
        public <O> Builder<O> map(Fn1<? super T, ? extends O> function) {
            return then(Stage.map(function));
        }

        /** Ends with a sink that collects every item with {@code collector}; the result is the collector's. */
        public <A, R> Pattern<R> collect(Collector<? super T, A, R> collector) {
            Objects.requireNonNull(collector, "collector");
            return finish(() -> new Sink<R>() {
                private final A container = collector.supplier().get();

                @Override
                public void process(Object item, Output<Object> out) {
                    @SuppressWarnings("unchecked")
                    T typed = (T) item;
                    collector.accumulator().accept(container, typed);
                }

                @Override
                R result() {
                    return collector.finisher().apply(container);
                }
            });
        }

        /** Ends with a sink that passes every item to {@code action}. */
        public Pattern<Void> forEach(Consumer<? super T> action) {
            Objects.requireNonNull(action, "action");
            return to((item, out) -> action.accept(item));
        }

        /** Ends with {@code sink}, a stage with no outputs (its hooks run; emitting fails). */
        public Pattern<Void> to(Stage<? super T, ?> sink) {
            Objects.requireNonNull(sink, "sink");
            @SuppressWarnings("unchecked")
            Stage<Object, Object> stage = (Stage<Object, Object>) sink;
            return finish(() -> new Sink<Void>() {
                @Override
                public void start(Output<Object> out) throws Exception {
                    stage.start(out);
                }

                @Override
                public void process(Object item, Output<Object> out) throws Exception {
                    stage.process(item, out);
                }

                @Override
                public void inputEnded(int input, Output<Object> out) throws Exception {
                    stage.inputEnded(input, out);
                }

                @Override
                public void end(Output<Object> out) throws Exception {
                    stage.end(out);
                }

                @Override
                Void result() {
                    return null;
                }
            });
        }

        /** The terminal step: checks the composition (see {@link Pattern}) and makes the pattern. */
        private <R> Pattern<R> finish(Supplier<? extends Sink<R>> sink) {
            Pattern<R> pattern = new Pattern<>("pattern", source, blocks, sink, DEFAULT_CAPACITY, false);
            pattern.assemble(Assembly.checking(pattern.name), null);
            return pattern;
        }
    }

    /** The last node of a run; made afresh per run, its result read after every thread ended. */
    abstract static class Sink<R> implements Stage<Object, Object> {
        abstract R result();
    }

    /** The same pattern under {@code name}, used in errors, thread names and as its task's name in a flow. */
    public Pattern<R> named(String name) {
        return new Pattern<>(Objects.requireNonNull(name, "name"), source, blocks, sink, capacity, busySpin);
    }

    /**
     * The same pattern with channels of {@code capacity} items (rounded up to a power of two); on-demand
     * queues keep their own capacity.
     */
    public Pattern<R> capacity(int capacity) {
        if (capacity < 1 || capacity > Assembly.MAX_CAPACITY) {
            throw new IllegalArgumentException("channel capacity must be between 1 and " + Assembly.MAX_CAPACITY
                    + ", got " + capacity);
        }
        return new Pattern<>(name, source, blocks, sink, capacity, busySpin);
    }

    /** The same pattern with unbounded channels: no back-pressure, memory grows if a consumer lags. */
    public Pattern<R> unboundedChannels() {
        return new Pattern<>(name, source, blocks, sink, Assembly.UNBOUNDED, busySpin);
    }

    /** The same pattern whose waiting threads never park: lowest latency, but each needs a core of its own. */
    public Pattern<R> busySpin() {
        return new Pattern<>(name, source, blocks, sink, capacity, true);
    }

    /**
     * Runs the pattern and returns the sink's result once every thread has ended. If the calling thread
     * is interrupted, the pattern is cancelled, its threads are awaited, and a {@link CancellationException}
     * is thrown with the interrupt flag set again.
     *
     * @throws PatternException if a node failed (the pattern stopped)
     * @throws IllegalArgumentException if the composition cannot work (nothing was started; checked when
     *         built already, so only if a block factory gives other blocks now)
     */
    public R run() {
        Running<R> running = start();
        try {
            return running.await();
        } catch (InterruptedException e) {
            running.cancel();
            running.awaitUninterruptibly();
            Thread.currentThread().interrupt();
            CancellationException cancelled = new CancellationException("pattern '" + name
                    + "' was cancelled: the thread running it was interrupted");
            cancelled.initCause(e);
            throw cancelled;
        }
    }

    /**
     * Assembles the pattern and starts its threads; returns at once.
     *
     * @throws IllegalArgumentException if the composition cannot work (nothing was started)
     */
    public Running<R> start() {
        Run run = new Run(name, busySpin);
        Sink<R> end = sink.get();
        assemble(new Assembly(run, capacity), end);
        run.start();
        return new Running<>(run, end::result);
    }

    /** Makes the nodes and channels of this pattern ending in {@code end} (or, when only checking, a stand-in). */
    private void assemble(Assembly assembly, Sink<R> end) {
        int position = 1;
        List<Fragment> parts = new ArrayList<>();
        parts.add(assembly.source("stage " + position++ + " (source)", source));
        for (Block<?, ?> block : blocks) {
            parts.add(block.assemble(assembly, "stage " + position++));
        }
        String sinkName = "stage " + position + " (sink)";
        parts.add(end == null ? assembly.stageMadeBy(sinkName, sink) : assembly.stage(sinkName, end));
        assembly.pipeline(name, parts);
    }

    /**
     * Submits a task to {@code flow} that runs this pattern (named as the pattern), so that its life shows
     * in the flow's events and other tasks can depend on its result. The task holds one slot of the
     * flow's thread executor while the pattern runs, parked, not spinning: the nodes run on the pattern's
     * own threads. Cancelling the task (with interruption) cancels the pattern. The task runs in this
     * process only: a pattern cannot be shipped to another one.
     */
    public Task<R> submitTo(Flow flow) {
        return flow.task(name).submit(this::run);
    }
}
