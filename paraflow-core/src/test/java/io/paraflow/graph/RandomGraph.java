package io.paraflow.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A random task graph described as plain data, plus its sequential oracle: what every task must end
 * with when the graph is evaluated one task at a time in plain Java. {@link GraphSemanticsPropertyTest}
 * submits the same description to flows and compares.
 *
 * <p>Nodes are numbered in a topological order: a node depends only on lower-numbered nodes. Inner nodes
 * (the subgraph a join task submits from inside its function) follow their join node directly and
 * depend only on earlier inner nodes of the same join node.
 *
 * <p>Values are {@code Long}s, or lists of them for {@code all}. Every function mixes its salt and the
 * digests of its arguments, so a wrong argument, a swapped argument order or a missing dependency
 * shows up as a different value. Reduce combines with 2x2 matrix products (mod 2^16): associative, as
 * {@code reduce} requires, but not commutative, so a combination out of order shows up too.
 */
final class RandomGraph {

    enum Kind {
        /** {@code flow.value(salt)}. */
        VALUE,
        /** {@code submit} with 0 to 4 task arguments. */
        SUBMIT,
        /** {@code compose}: the function submits {@link Node#inner} and returns the last of them. */
        COMPOSE,
        /** A task submitted by a COMPOSE node's function; 0 to 2 arguments among earlier inner nodes. */
        INNER,
        /** {@code all} over the dependencies. */
        ALL,
        /** {@code reduce} over the dependencies (at least two, so that reduce creates tasks). */
        REDUCE,
        /** One element of a {@code map} call; {@link Node#mapGroup} is the first element of its call. */
        MAP_ELEMENT
    }

    /** Attempts that always fail: more than any retry count used here. */
    static final int ALWAYS = 1_000;

    static final class Node {
        final int index;
        final Kind kind;
        final int[] deps;
        final long salt;
        /** How many first attempts throw; {@link #ALWAYS} for a task that never succeeds. */
        int failFirst;
        /** The {@code retries(n)} option; -1 when not set. */
        int retries = -1;
        boolean hasFallback;
        Long fallback;
        /** Submit through {@code flow.task(name)} rather than the flow's default options. */
        boolean named;
        /** COMPOSE only: its inner nodes, in submission order; the last is the one it returns. */
        int[] inner = new int[0];
        /** INNER only: its join node. */
        int composeParent = -1;
        /** MAP_ELEMENT only: the first element of its map call; MAP options live on that element. */
        int mapGroup = -1;
        int mapSize;

        Node(int index, Kind kind, int[] deps, long salt) {
            this.index = index;
            this.kind = kind;
            this.deps = deps;
            this.salt = salt;
        }

        /** Whether a user function runs for this node (so that it has attempts and a clock record). */
        boolean hasFunction() {
            return kind == Kind.SUBMIT || kind == Kind.COMPOSE || kind == Kind.INNER || kind == Kind.MAP_ELEMENT;
        }

        @Override
        public String toString() {
            return "n" + index + "[" + kind + " deps=" + Arrays.toString(deps) + (failFirst > 0 ? " failFirst="
                    + (failFirst == ALWAYS ? "always" : failFirst) : "") + (retries >= 0 ? " retries=" + retries : "")
                    + (hasFallback ? " fallback=" + fallback : "") + (inner.length > 0 ? " inner="
                    + Arrays.toString(inner) : "") + (composeParent >= 0 ? " in=n" + composeParent : "") + "]";
        }
    }

    /** What the oracle says about one node. */
    static final class Expected {
        /** Whether the task is ever submitted (inner nodes exist only if their join function succeeded). */
        boolean exists;
        boolean ok;
        Object value;
        /** The task failed (its function, a dependency or its joined task) and its fallback replaced that. */
        boolean fallbackUsed;
        /** The task fails with its own error (TaskFailedException), not a dependency's. */
        boolean ownFailure;
        /** The failing ancestors (with an own failure) a DependencyFailedException may name. */
        Set<Integer> roots = Set.of();
        /** How many times the function runs: 0 if a dependency failed. */
        int attempts;
        /** COMPOSE: the digest of its arguments, which its inner nodes mix in. */
        long composeBase;

        @Override
        public String toString() {
            return !exists ? "never submitted" : ok ? "ok " + value + (fallbackUsed ? " (fallback)" : "")
                    : (ownFailure ? "own failure" : "dependency failure, roots " + new TreeSet<>(roots))
                    + ", attempts " + attempts;
        }
    }

    final long seed;
    final List<Node> nodes;
    final Expected[] expected;

    private RandomGraph(long seed, List<Node> nodes) {
        this.seed = seed;
        this.nodes = nodes;
        this.expected = evaluate(nodes);
    }

    Node node(int index) {
        return nodes.get(index);
    }

    int size() {
        return nodes.size();
    }

    // ---------------------------------------------------------------- values

    static long mix(long h, long x) {
        h ^= x;
        h *= 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    static long digest(Object value) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof List<?> list) {
            long h = 0x5EED;
            for (Object o : list) {
                h = mix(h, digest(o));
            }
            return h;
        }
        throw new IllegalArgumentException("unexpected value " + value);
    }

    /** The value a node's function returns from {@code base} (a join node's argument digest) and its arguments. */
    static Long compute(Node node, long base, Object... args) {
        long h = mix(node.salt, base);
        for (Object a : args) {
            h = mix(h, digest(a));
        }
        return h;
    }

    /** 2x2 matrix product mod 2^16, the four entries packed in a long. */
    static long matmul(long a, long b) {
        long a0 = a & 0xFFFF, a1 = (a >>> 16) & 0xFFFF, a2 = (a >>> 32) & 0xFFFF, a3 = (a >>> 48) & 0xFFFF;
        long b0 = b & 0xFFFF, b1 = (b >>> 16) & 0xFFFF, b2 = (b >>> 32) & 0xFFFF, b3 = (b >>> 48) & 0xFFFF;
        long c0 = (a0 * b0 + a1 * b2) & 0xFFFF;
        long c1 = (a0 * b1 + a1 * b3) & 0xFFFF;
        long c2 = (a2 * b0 + a3 * b2) & 0xFFFF;
        long c3 = (a2 * b1 + a3 * b3) & 0xFFFF;
        return c0 | c1 << 16 | c2 << 32 | c3 << 48;
    }

    static Object combine(Object x, Object y) {
        return matmul(digest(x), digest(y));
    }

    // ---------------------------------------------------------------- generation

    static RandomGraph generate(long seed) {
        Random random = new Random(seed);
        int target = 150 + random.nextInt(250);
        List<Node> nodes = new ArrayList<>();
        List<Integer> outer = new ArrayList<>();
        while (nodes.size() < target) {
            int roll = random.nextInt(100);
            if (roll < 6 || outer.isEmpty()) {
                add(nodes, outer, new Node(nodes.size(), Kind.VALUE, new int[0], random.nextLong()));
            } else if (roll < 70) {
                Node n = new Node(nodes.size(), Kind.SUBMIT, pickDeps(random, outer, random.nextInt(5)), random.nextLong());
                failureBehaviour(random, n);
                add(nodes, outer, n);
            } else if (roll < 78) {
                Node n = new Node(nodes.size(), Kind.COMPOSE, pickDeps(random, outer, random.nextInt(3)), random.nextLong());
                failureBehaviour(random, n);
                add(nodes, outer, n);
                int innerCount = 1 + random.nextInt(4);
                n.inner = new int[innerCount];
                for (int k = 0; k < innerCount; k++) {
                    int arity = k == 0 ? 0 : random.nextInt(3);
                    int[] deps = new int[arity];
                    for (int d = 0; d < arity; d++) {
                        deps[d] = n.inner[random.nextInt(k)];
                    }
                    Node in = new Node(nodes.size(), Kind.INNER, deps, random.nextLong());
                    in.composeParent = n.index;
                    failureBehaviour(random, in);
                    nodes.add(in);
                    n.inner[k] = in.index;
                }
            } else if (roll < 85) {
                Node n = new Node(nodes.size(), Kind.ALL, pickDeps(random, outer, 1 + random.nextInt(6)), 0);
                n.named = random.nextBoolean();
                add(nodes, outer, n);
            } else if (roll < 90) {
                add(nodes, outer, new Node(nodes.size(), Kind.REDUCE, pickDeps(random, outer, 2 + random.nextInt(6)), 0));
            } else {
                int size = 1 + random.nextInt(5);
                int first = nodes.size();
                boolean named = random.nextInt(3) == 0;
                int retries = named && random.nextBoolean() ? random.nextInt(3) : -1;
                boolean fallback = named && random.nextBoolean();
                Long fallbackValue = random.nextLong();
                for (int k = 0; k < size; k++) {
                    Node n = new Node(nodes.size(), Kind.MAP_ELEMENT, new int[0], random.nextLong());
                    n.mapGroup = first;
                    n.mapSize = size;
                    n.named = named;
                    n.retries = retries;
                    n.hasFallback = fallback;
                    n.fallback = fallbackValue;
                    int r = random.nextInt(100);
                    n.failFirst = r < 8 ? ALWAYS : r < 20 ? 1 + random.nextInt(2) : 0;
                    add(nodes, outer, n);
                }
            }
        }
        return new RandomGraph(seed, nodes);
    }

    private static void add(List<Node> nodes, List<Integer> outer, Node node) {
        nodes.add(node);
        outer.add(node.index);
    }

    /** Mostly recent nodes, so that chains get deep; sometimes any earlier node; repeats allowed. */
    private static int[] pickDeps(Random random, List<Integer> outer, int arity) {
        int[] deps = new int[arity];
        for (int i = 0; i < arity; i++) {
            int size = outer.size();
            deps[i] = random.nextInt(10) < 7 ? outer.get(size - 1 - random.nextInt(Math.min(size, 12)))
                    : outer.get(random.nextInt(size));
        }
        return deps;
    }

    /** Some tasks always fail, some fail a few times and are retried enough (or not), some have fallbacks. */
    private static void failureBehaviour(Random random, Node n) {
        int r = random.nextInt(100);
        if (r < 4) {
            n.failFirst = ALWAYS;
            n.retries = random.nextInt(3) == 0 ? random.nextInt(2) : -1;
            n.hasFallback = random.nextInt(3) == 0;
        } else if (r < 14) {
            n.failFirst = 1 + random.nextInt(2);
            n.retries = n.failFirst + random.nextInt(2);
        } else if (r < 18) {
            n.failFirst = 2;
            n.retries = random.nextInt(2);
            n.hasFallback = random.nextBoolean();
        } else if (r < 22) {
            n.hasFallback = true;
        }
        n.fallback = random.nextLong();
        n.named = n.retries >= 0 || n.hasFallback || random.nextInt(4) == 0;
    }

    // ---------------------------------------------------------------- the sequential oracle

    private static Expected[] evaluate(List<Node> nodes) {
        Expected[] out = new Expected[nodes.size()];
        for (Node n : nodes) {
            Expected e = new Expected();
            out[n.index] = e;
            e.exists = n.kind != Kind.INNER || ranSuccessfully(nodes.get(n.composeParent), out[n.composeParent]);
            if (!e.exists) {
                continue;
            }
            Object[] args = new Object[n.deps.length];
            Set<Integer> failedRoots = dependencyValues(n, out, args);
            if (!failedRoots.isEmpty()) {
                fail(n, e, failedRoots);
                continue;
            }
            switch (n.kind) {
                case VALUE -> {
                    e.ok = true;
                    e.value = n.salt;
                }
                case ALL -> {
                    e.ok = true;
                    e.value = Arrays.asList(args);
                    e.attempts = 1;
                }
                case REDUCE -> {
                    Object acc = args[0];
                    for (int i = 1; i < args.length; i++) {
                        acc = combine(acc, args[i]);
                    }
                    e.ok = true;
                    e.value = acc;
                    e.attempts = 1;
                }
                case SUBMIT, INNER, MAP_ELEMENT, COMPOSE -> runFunction(nodes, out, n, e, args);
                default -> throw new AssertionError(n.kind);
            }
        }
        return out;
    }

    /** Fills {@code args} with the dependencies' values and returns the roots of those that failed. */
    private static Set<Integer> dependencyValues(Node n, Expected[] out, Object[] args) {
        Set<Integer> failedRoots = new HashSet<>();
        for (int i = 0; i < n.deps.length; i++) {
            Expected d = out[n.deps[i]];
            if (!d.ok) {
                failedRoots.addAll(d.roots);
            }
            args[i] = d.value;
        }
        return failedRoots;
    }

    /**
     * A task that failed (its function, a dependency or its joined task): it fails with these roots,
     * unless it has a fallback.
     */
    private static void fail(Node n, Expected e, Set<Integer> failedRoots) {
        if (n.hasFallback) {
            e.ok = true;
            e.fallbackUsed = true;
            e.value = n.fallback;
        } else {
            e.ok = false;
            e.roots = failedRoots;
        }
    }

    private static boolean ranSuccessfully(Node compose, Expected e) {
        return e.exists && e.attempts > 0 && e.attempts > compose.failFirst;
    }

    private static void runFunction(List<Node> nodes, Expected[] out, Node n, Expected e, Object[] args) {
        int retries = Math.max(0, n.retries);
        e.attempts = Math.min(n.failFirst, retries) + 1;
        if (n.failFirst > retries) {
            fail(n, e, Set.of(n.index));
            e.ownFailure = !e.ok;
            return;
        }
        switch (n.kind) {
            case SUBMIT -> {
                e.ok = true;
                e.value = compute(n, 0, args);
            }
            case MAP_ELEMENT -> {
                e.ok = true;
                e.value = compute(n, 0, n.salt);
            }
            case INNER -> {
                e.ok = true;
                e.value = compute(n, out[n.composeParent].composeBase, args);
            }
            case COMPOSE -> {
                long base = 0;
                for (Object a : args) {
                    base = mix(base, digest(a));
                }
                e.composeBase = base;
                // The join task ends like the task it returns; the inner nodes follow it directly, so
                // evaluate them now (the main loop will find them evaluated the same way again).
                Expected[] innerOut = evaluateInner(nodes, out, n);
                Expected result = innerOut[innerOut.length - 1];
                if (result.ok) {
                    e.ok = true;
                    e.value = result.value;
                } else {
                    fail(n, e, result.roots);
                }
            }
            default -> throw new AssertionError(n.kind);
        }
    }

    /** Evaluates the inner nodes of {@code compose} (whose own Expected is being filled). */
    private static Expected[] evaluateInner(List<Node> nodes, Expected[] out, Node compose) {
        Expected[] result = new Expected[compose.inner.length];
        for (int k = 0; k < compose.inner.length; k++) {
            Node in = nodes.get(compose.inner[k]);
            Expected e = new Expected();
            e.exists = true;
            Object[] args = new Object[in.deps.length];
            Set<Integer> failedRoots = dependencyValues(in, out, args);
            if (!failedRoots.isEmpty()) {
                fail(in, e, failedRoots);
            } else {
                runFunction(nodes, out, in, e, args);
            }
            out[in.index] = e;
            result[k] = e;
        }
        return result;
    }
}
