package io.paraflow.pattern;

import io.paraflow.pattern.internal.Assembly;
import io.paraflow.pattern.internal.Assembly.Fragment;
import io.paraflow.pattern.internal.Routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Two sets of nodes, every node of the left set connected to every node of the right set (FastFlow's
 * {@code ff_a2a}). The block in front distributes items over the left set (round-robin, or on demand);
 * each left node's emits reach the right set by the all-to-all's routing: round-robin (default), by key
 * (items with equal keys reach the same right node, e.g. to aggregate per key), broadcast, on demand, or
 * a custom {@link Router}; a left node can also choose explicitly with {@link Output#emitTo}. A right node
 * ends after end of stream from every left node. The block's output comes from every right node. A
 * member of either set may be any block; one that routes items itself (a farm, an all-to-all, an ordered
 * farm) keeps its own routing, the all-to-all's routing choosing the member (see {@link Farm}, "Nesting").
 *
 * <p>Immutable: every setter returns a new all-to-all. Nodes are named {@code left node i of <position>}
 * and {@code right node j of <position>}; {@link Output#worker()} is a node's index in its set.
 *
 * @param <I> the type of items received by the left set
 * @param <M> the type of items sent from the left set to the right set
 * @param <O> the type of items sent on by the right set
 */
public final class AllToAll<I, M, O> extends Block<I, O> {

    private final int leftCount;
    private final IntFunction<? extends Block<I, M>> left;
    private final int rightCount;
    private final IntFunction<? extends Block<M, O>> right;
    private final Routing leftRouting;
    private final Routing routing;

    private AllToAll(int leftCount, IntFunction<? extends Block<I, M>> left, int rightCount,
            IntFunction<? extends Block<M, O>> right, Routing leftRouting, Routing routing) {
        this.leftCount = leftCount;
        this.left = left;
        this.rightCount = rightCount;
        this.right = right;
        this.leftRouting = leftRouting;
        this.routing = routing;
    }

    /** {@code leftCount} left stages and {@code rightCount} right stages, each made by its factory for each run. */
    public static <I, M, O> AllToAll<I, M, O> of(int leftCount, Supplier<? extends Stage<I, M>> left, int rightCount,
            Supplier<? extends Stage<M, O>> right) {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
        return ofBlocks(leftCount, i -> Block.madeBy(left), rightCount, j -> Block.madeBy(right));
    }

    /** Left node {@code i} is the block {@code left.apply(i)}, right node {@code j} is {@code right.apply(j)}. */
    public static <I, M, O> AllToAll<I, M, O> ofBlocks(int leftCount, IntFunction<? extends Block<I, M>> left,
            int rightCount, IntFunction<? extends Block<M, O>> right) {
        if (leftCount < 1 || rightCount < 1) {
            throw new IllegalArgumentException("an all-to-all needs at least one node on each side, got "
                    + leftCount + " left and " + rightCount + " right");
        }
        return new AllToAll<>(leftCount, Objects.requireNonNull(left, "left"), rightCount,
                Objects.requireNonNull(right, "right"), Routing.ROUND_ROBIN, Routing.ROUND_ROBIN);
    }

    /** Left nodes send to each right node in turn (the default). */
    public AllToAll<I, M, O> roundRobin() {
        return with(Routing.ROUND_ROBIN);
    }

    /** Items with equal {@code key}s go to the same right node (keys compared by {@code equals}/{@code hashCode}). */
    public AllToAll<I, M, O> byKey(Function<? super M, ?> key) {
        return with(Routing.byKey(key));
    }

    /** Every item goes to every right node (the same instance: treat it as read-only). */
    public AllToAll<I, M, O> broadcast() {
        return with(Routing.BROADCAST);
    }

    /** Items go to a right node with room in its queue (of {@code queue} items per left node). */
    public AllToAll<I, M, O> onDemand(int queue) {
        return with(Routing.onDemand(queue));
    }

    /** {@code router} chooses each item's right node. */
    public AllToAll<I, M, O> routeBy(Router<? super M> router) {
        return with(Routing.custom(router));
    }

    /** The block in front gives items to a left node with room in its queue of {@code queue} items. */
    public AllToAll<I, M, O> leftOnDemand(int queue) {
        return new AllToAll<>(leftCount, left, rightCount, right, Routing.onDemand(queue), routing);
    }

    private AllToAll<I, M, O> with(Routing newRouting) {
        return new AllToAll<>(leftCount, left, rightCount, right, leftRouting, newRouting);
    }

    @Override
    Fragment assemble(Assembly assembly, String where) {
        List<Fragment> lefts = new ArrayList<>(leftCount);
        for (int i = 0; i < leftCount; i++) {
            lefts.add(Objects.requireNonNull(left.apply(i), "the left factory returned null")
                    .assemble(assembly, "left node " + i + " of " + where));
        }
        List<Fragment> rights = new ArrayList<>(rightCount);
        for (int j = 0; j < rightCount; j++) {
            rights.add(Objects.requireNonNull(right.apply(j), "the right factory returned null")
                    .assemble(assembly, "right node " + j + " of " + where));
        }
        return assembly.allToAll(where, lefts, leftRouting, rights, routing);
    }
}
