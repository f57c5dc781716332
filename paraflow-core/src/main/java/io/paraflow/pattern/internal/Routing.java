package io.paraflow.pattern.internal;

import io.paraflow.pattern.Router;

import java.util.Objects;
import java.util.function.Function;

/**
 * How the producers in front of a set of nodes (farm workers, the right set of an all-to-all) choose the
 * node that receives each item they emit. Immutable; each producer keeps its own cursor.
 */
public final class Routing {

    enum Kind { ROUND_ROBIN, ON_DEMAND, BY_KEY, CUSTOM, BROADCAST }

    /** The default: items go to each node in turn. */
    public static final Routing ROUND_ROBIN = new Routing(Kind.ROUND_ROBIN, 0, null, null);
    /** Every item goes to every node. */
    public static final Routing BROADCAST = new Routing(Kind.BROADCAST, 0, null, null);

    final Kind kind;
    /** For on-demand routing, the capacity of each node's input queue; otherwise 0 (the pattern's default). */
    final int queueCapacity;
    final Function<Object, ?> key;
    final Router<Object> router;

    private Routing(Kind kind, int queueCapacity, Function<Object, ?> key, Router<Object> router) {
        this.kind = kind;
        this.queueCapacity = queueCapacity;
        this.key = key;
        this.router = router;
    }

    /** An item goes to a node that has room in its input queue of {@code queueCapacity} items. */
    public static Routing onDemand(int queueCapacity) {
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("on-demand queue capacity must be at least 1, got " + queueCapacity);
        }
        return new Routing(Kind.ON_DEMAND, queueCapacity, null, null);
    }

    /** Items with equal keys go to the same node. */
    @SuppressWarnings("unchecked")
    public static Routing byKey(Function<?, ?> key) {
        return new Routing(Kind.BY_KEY, 0, (Function<Object, ?>) Objects.requireNonNull(key, "key"), null);
    }

    /** The producer's {@code router} chooses the node. */
    @SuppressWarnings("unchecked")
    public static Routing custom(Router<?> router) {
        return new Routing(Kind.CUSTOM, 0, null, (Router<Object>) Objects.requireNonNull(router, "router"));
    }

    /** Whether items are routed round-robin or on demand, the routings an ordered farm accepts. */
    public boolean isRoundRobinOrOnDemand() {
        return kind == Kind.ROUND_ROBIN || kind == Kind.ON_DEMAND;
    }

    /** The index among {@code outputs} nodes that {@code item} goes to, for key routing. */
    int keyed(Object item, int outputs) {
        Object k = key.apply(item);
        int h = k == null ? 0 : k.hashCode();
        return Math.floorMod(h ^ (h >>> 16), outputs);
    }

    /** The index chosen by a custom router, checked. */
    int custom(Object item, int outputs) {
        int index = router.route(item, outputs);
        if (index < 0 || index >= outputs) {
            throw new IndexOutOfBoundsException("router chose output " + index + " of " + outputs);
        }
        return index;
    }
}
