package io.paraflow.cluster.internal;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * Resource-aware placement: which worker a task goes to. Each worker offers its cores plus a few
 * prefetch slots (tasks sent ahead so that it never idles while results and new tasks cross the
 * network) and its memory; a task goes to the worker with the most free slots among those whose cores
 * and free memory fit it. Workers are kept ordered by free slots, so a decision costs O(log workers)
 * when memory is not what limits (O(workers) in the worst case, when most workers lack the memory).
 *
 * <p>Not thread-safe: the driver calls it under its lock.
 *
 * @param <W> what the caller knows a worker by
 */
public final class Placement<W> {

    /** One worker's capacity and what is reserved of it. */
    public static final class Slots<W> {
        private final W worker;
        private final long order;
        private final int cores;
        private final int slots;
        private final long memory;
        private int usedSlots;
        private long usedMemory;
        private boolean present = true;

        private Slots(W worker, long order, int cores, int slots, long memory) {
            this.worker = worker;
            this.order = order;
            this.cores = cores;
            this.slots = slots;
            this.memory = memory;
        }

        public W worker() {
            return worker;
        }

        /** Whether the worker still belongs to the placement. */
        public boolean present() {
            return present;
        }

        private int free() {
            return slots - usedSlots;
        }
    }

    private static final Comparator<Slots<?>> MOST_FREE = Comparator.comparingInt((Slots<?> s) -> s.free()).reversed()
            .thenComparingLong(s -> s.order);

    private final TreeSet<Slots<W>> byFree = new TreeSet<>(MOST_FREE);
    private long added;

    /**
     * Adds a worker offering {@code cores} cores, {@code prefetch} slots beyond them and {@code memory}
     * bytes.
     */
    public Slots<W> add(W worker, int cores, int prefetch, long memory) {
        Slots<W> slots = new Slots<>(worker, added++, cores, cores + prefetch, memory);
        byFree.add(slots);
        return slots;
    }

    /** Removes a worker; what was reserved on it is forgotten. */
    public void remove(Slots<W> slots) {
        byFree.remove(slots);
        slots.present = false;
    }

    /** The number of workers. */
    public int size() {
        return byFree.size();
    }

    /** Whether some worker has a free slot. */
    public boolean anyFree() {
        return !byFree.isEmpty() && byFree.first().free() > 0;
    }

    /**
     * Reserves {@code cores} slots and {@code memory} bytes on the worker with the most free slots that
     * can take them, or returns null if none can now.
     */
    public Slots<W> place(int cores, long memory) {
        for (Slots<W> candidate : byFree) {
            if (candidate.free() < cores) {
                return null;
            }
            if (candidate.cores >= cores && candidate.memory - candidate.usedMemory >= memory) {
                reserve(candidate, cores, memory);
                return candidate;
            }
        }
        return null;
    }

    /**
     * Reserves {@code cores} slots and {@code memory} bytes for a task that would rather run on {@code near}
     * (it holds the task's input): on {@code near} if it can start the task now (free cores), else on the
     * worker with the most free slots if that one can start it now, else on {@code near} if it has a free
     * prefetch slot (the task waits there as long as on another busy worker, and then reads its input where
     * it is), else wherever {@link #place} puts it; null if no worker can take it now. O(log workers).
     */
    public Slots<W> placeNear(Slots<W> near, int cores, long memory) {
        if (canTake(near, cores, memory) && near.usedSlots + cores <= near.cores) {
            reserve(near, cores, memory);
            return near;
        }
        Slots<W> chosen = place(cores, memory);
        if (chosen == null || chosen == near || chosen.usedSlots <= chosen.cores || !canTake(near, cores, memory)) {
            return chosen;
        }
        release(chosen, cores, memory);
        reserve(near, cores, memory);
        return near;
    }

    private static boolean canTake(Slots<?> slots, int cores, long memory) {
        return slots.present && slots.cores >= cores && slots.free() >= cores && slots.memory - slots.usedMemory >= memory;
    }

    /** Whether some worker could take {@code cores} and {@code memory} once its running tasks end. O(workers). */
    public boolean fitsAny(int cores, long memory) {
        for (Slots<W> candidate : byFree) {
            if (candidate.cores >= cores && candidate.memory >= memory) {
                return true;
            }
        }
        return false;
    }

    /** Returns what a task placed on {@code slots} reserved. */
    public void release(Slots<W> slots, int cores, long memory) {
        if (!slots.present) {
            return;
        }
        byFree.remove(slots);
        slots.usedSlots -= cores;
        slots.usedMemory -= memory;
        byFree.add(slots);
    }

    private void reserve(Slots<W> slots, int cores, long memory) {
        byFree.remove(slots);
        slots.usedSlots += cores;
        slots.usedMemory += memory;
        byFree.add(slots);
    }
}
