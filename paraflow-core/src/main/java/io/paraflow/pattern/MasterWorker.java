package io.paraflow.pattern;

import io.paraflow.pattern.internal.Assembly;
import io.paraflow.pattern.internal.Assembly.Fragment;
import io.paraflow.pattern.internal.Routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A farm with feedback: a {@link Master} sends tasks to N workers (stages, or pipelines of stages), and
 * every result a worker emits
 * goes back to the master, which decides what to do next (submit more tasks, send items on) and, by
 * becoming quiet, when the stream ends (see {@link Master}). The channels back to the master are
 * unbounded, so the cycle cannot deadlock; the channels to the workers are bounded as usual.
 *
 * <p>Immutable. Nodes are named {@code master of <position>} and {@code worker i of <position>}.
 *
 * @param <I> items received by the master from the block in front
 * @param <T> tasks
 * @param <R> results
 * @param <O> items the master sends on
 */
public final class MasterWorker<I, T, R, O> extends Block<I, O> {

    private final Supplier<? extends Master<I, T, R, O>> master;
    private final int workers;
    private final IntFunction<? extends Block<T, R>> worker;
    private final Routing routing;

    private MasterWorker(Supplier<? extends Master<I, T, R, O>> master, int workers,
            IntFunction<? extends Block<T, R>> worker, Routing routing) {
        this.master = master;
        this.workers = workers;
        this.worker = worker;
        this.routing = routing;
    }

    /** A master made by {@code master} and {@code workers} workers made by {@code worker}, for each run. */
    public static <I, T, R, O> MasterWorker<I, T, R, O> of(Supplier<? extends Master<I, T, R, O>> master, int workers,
            Supplier<? extends Stage<T, R>> worker) {
        Objects.requireNonNull(worker, "worker");
        return ofBlocks(master, workers, i -> Block.madeBy(worker));
    }

    /**
     * A master and {@code workers} workers, worker {@code i} being {@code worker.apply(i)}: a stage or a
     * {@link Pipeline} of stages (with one worker, a pipeline whose last stage feeds its first through the
     * master is FastFlow's pipeline wrap-around: see {@link #wrapAround}). A worker that contains a farm or an all-to-all is refused when the
     * pattern starts: the master's count of tasks in flight needs each task's results to stay in order.
     */
    public static <I, T, R, O> MasterWorker<I, T, R, O> ofBlocks(Supplier<? extends Master<I, T, R, O>> master,
            int workers, IntFunction<? extends Block<T, R>> worker) {
        if (workers < 1) {
            throw new IllegalArgumentException("a master-worker farm needs at least one worker, got " + workers);
        }
        return new MasterWorker<>(Objects.requireNonNull(master, "master"), workers,
                Objects.requireNonNull(worker, "worker"), Routing.ROUND_ROBIN);
    }

    /**
     * FastFlow's pipeline wrap-around: a pipeline whose last stage feeds its first. {@code first} is the
     * first stage, a {@link Master}: it gets the stream from the block in front ({@link Master#input}) and
     * every item the last stage of {@code rest} emits ({@link Master#result}); it sends items round the
     * loop with {@link MasterContext#submit}, sends items on with {@code emit}, and decides the end, as a
     * master does: the stream ends once the block in front ended and nothing is going round (then
     * {@link Master#end}), or when it calls {@link MasterContext#endStream}. {@code rest} (a stage or a
     * {@link Pipeline} of stages, made for each run) is one chain of nodes, so items go round in the order
     * they were submitted, each stage's results in the order it emitted them.
     *
     * <p>The same as {@link #ofBlocks ofBlocks(first, 1, w -> rest.get())}: the channel from the last stage
     * back to the first is unbounded, so the loop cannot deadlock; the others are bounded as usual.
     */
    public static <I, T, R, O> MasterWorker<I, T, R, O> wrapAround(Supplier<? extends Master<I, T, R, O>> first,
            Supplier<? extends Block<T, R>> rest) {
        Objects.requireNonNull(rest, "rest");
        return ofBlocks(first, 1, w -> rest.get());
    }

    /** Tasks go to a worker with room in its queue of {@code queue} tasks (load balancing). */
    public MasterWorker<I, T, R, O> onDemand(int queue) {
        return new MasterWorker<>(master, workers, worker, Routing.onDemand(queue));
    }

    @Override
    Fragment assemble(Assembly assembly, String where) {
        List<Fragment> parts = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            Block<T, R> block = Objects.requireNonNull(worker.apply(i), "the worker factory returned null");
            parts.add(block.assemble(assembly, "worker " + i + " of " + where));
        }
        return assembly.masterWorker(where, "master of " + where, master, parts, routing);
    }
}
