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
 * N workers that process items in parallel, each item going to one worker, with an optional collector
 * that receives every worker's results (FastFlow's {@code ff_farm}). The block in front distributes the
 * items itself (the emitter is merged into it, saving a thread and a hop), round-robin by default, on
 * demand, or by a custom {@link Router}. Without a collector, the farm's output comes from every worker
 * and the next block receives from all of them.
 *
 * <p>An {@link #ordered()} farm delivers results in input order: the block in front numbers the items,
 * and the collector takes results in number order, using no more memory than the channels already hold
 * (bounded reorder memory). Each of its workers must be a single stage; it may emit any number of results
 * per item, which keep their order. An ordered farm may itself be a worker of a farm, a member of an
 * all-to-all set or a stage of a pipeline anywhere; the block in front of it must end in a single node
 * (e.g. a farm with a collector), which is checked when the pattern is built. {@link Output#emitTo} and
 * {@link Output#broadcast} in front of an ordered farm can only be refused at their first call.
 *
 * <p>Nesting. A worker that is itself a farm or an all-to-all (or a pipeline starting with one) keeps its
 * own routing: this farm's routing chooses the worker (a {@link Router} is told this farm's worker count),
 * and the worker's routing chooses among its own nodes. Where this farm and every worker route
 * round-robin and the workers have as many entry nodes each, the block in front feeds the inner nodes
 * directly, in the turns that nesting gives (item {@code k} to worker {@code k % n}, which gives its own
 * items to its nodes in turn), and its {@link Output#outputs()} counts the inner nodes. Otherwise each
 * such worker gets an emitter node, with a thread, that receives the worker's items and routes them.
 *
 * <p>Immutable: every setter returns a new farm. Workers are named {@code farm worker i of <position>}
 * (0-based), the collector {@code farm collector of <position>}.
 *
 * @param <I> the type of items received
 * @param <O> the type of items sent on
 */
public final class Farm<I, O> extends Block<I, O> {

    /** Default on-demand queue: a worker holds at most this many items it has not started. */
    public static final int DEFAULT_ON_DEMAND_QUEUE = 2;

    private final int workers;
    private final IntFunction<? extends Block<I, ?>> factory;
    private final Routing routing;
    private final boolean ordered;
    private final Stage<?, O> collector;

    private Farm(int workers, IntFunction<? extends Block<I, ?>> factory, Routing routing, boolean ordered,
            Stage<?, O> collector) {
        this.workers = workers;
        this.factory = factory;
        this.routing = routing;
        this.ordered = ordered;
        this.collector = collector;
    }

    /** A farm of {@code workers} stages, each made by {@code factory} for each run. */
    public static <I, O> Farm<I, O> of(int workers, Supplier<? extends Stage<I, O>> factory) {
        Objects.requireNonNull(factory, "factory");
        return ofBlocks(workers, i -> Block.madeBy(factory));
    }

    /** A farm whose worker {@code i} is the block {@code factory.apply(i)}, e.g. a pipeline (a farm of pipelines). */
    public static <I, O> Farm<I, O> ofBlocks(int workers, IntFunction<? extends Block<I, O>> factory) {
        if (workers < 1) {
            throw new IllegalArgumentException("a farm needs at least one worker, got " + workers);
        }
        return new Farm<>(workers, Objects.requireNonNull(factory, "factory"), Routing.ROUND_ROBIN, false, null);
    }

    /** Items go to each worker in turn (the default). */
    public Farm<I, O> roundRobin() {
        return new Farm<>(workers, factory, Routing.ROUND_ROBIN, ordered, collector);
    }

    /** Items go to a worker with room in its queue of {@value #DEFAULT_ON_DEMAND_QUEUE} items (load balancing). */
    public Farm<I, O> onDemand() {
        return onDemand(DEFAULT_ON_DEMAND_QUEUE);
    }

    /** Items go to a worker with room in its queue of {@code queue} items; 1 gives the tightest balance. */
    public Farm<I, O> onDemand(int queue) {
        return new Farm<>(workers, factory, Routing.onDemand(queue), ordered, collector);
    }

    /**
     * {@code router} chooses each item's worker among this farm's workers (it is told their number, also
     * when a worker is a farm itself). Not for an ordered farm.
     */
    public Farm<I, O> routeBy(Router<? super I> router) {
        if (ordered) {
            throw new IllegalStateException("an ordered farm routes round-robin or on demand, not by a router");
        }
        return new Farm<>(workers, factory, Routing.custom(router), false, collector);
    }

    /** Results leave in the order their inputs arrived (see the class comment). */
    public Farm<I, O> ordered() {
        if (!routing.isRoundRobinOrOnDemand()) {
            throw new IllegalStateException("an ordered farm routes round-robin or on demand, not by a router");
        }
        return new Farm<>(workers, factory, routing, true, collector);
    }

    /**
     * The farm with {@code collector} receiving every worker's results and sending on what it emits.
     *
     * @throws IllegalStateException if the farm already has a collector
     */
    public <R> Farm<I, R> collector(Stage<? super O, R> collector) {
        Objects.requireNonNull(collector, "collector");
        if (this.collector != null) {
            throw new IllegalStateException("the farm already has a collector");
        }
        return new Farm<>(workers, factory, routing, ordered, collector);
    }

    @Override
    Fragment assemble(Assembly assembly, String where) {
        List<Fragment> parts = new ArrayList<>(workers);
        for (int i = 0; i < workers; i++) {
            Block<I, ?> worker = Objects.requireNonNull(factory.apply(i), "the farm's factory returned null");
            parts.add(worker.assemble(assembly, "farm worker " + i + " of " + where));
        }
        Fragment end = collector == null ? null : assembly.stage("farm collector of " + where, collector);
        return assembly.farm(where, parts, routing, ordered, end);
    }
}
