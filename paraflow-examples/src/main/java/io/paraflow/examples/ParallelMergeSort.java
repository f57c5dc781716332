package io.paraflow.examples;

import io.paraflow.Flow;
import io.paraflow.Submitter;
import io.paraflow.Task;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Recursive divide and conquer with join tasks: a merge sort whose halves are sorted by tasks that
 * submit further tasks ({@link Submitter#compose}), down to ranges small enough to sort directly.
 * The task graph grows while it runs; nothing waits on a thread.
 *
 * <p>Thread-safe: {@link #sort} may be called from any thread, also from inside a task.
 */
public final class ParallelMergeSort {

    /** Ranges of at most this many elements are sorted in one task by default. */
    public static final int DEFAULT_CUTOFF = 1 << 14;

    private ParallelMergeSort() {
    }

    /**
     * Submits a sort of {@code values} to {@code flow}. The array is copied first, so the caller may
     * change it at once.
     *
     * @param cutoff ranges of at most this many elements are sorted in one task; at least 1
     * @return a task that completes with a sorted copy of {@code values}
     * @throws IllegalArgumentException if {@code cutoff} is less than 1
     */
    public static Task<int[]> sort(Submitter flow, int[] values, int cutoff) {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(values, "values");
        if (cutoff < 1) {
            throw new IllegalArgumentException("cutoff must be at least 1, got " + cutoff);
        }
        return sortRange(flow, values.clone(), 0, values.length, cutoff);
    }

    private static Task<int[]> sortRange(Submitter flow, int[] values, int from, int to, int cutoff) {
        if (to - from <= cutoff) {
            return flow.submit(() -> {
                int[] part = Arrays.copyOfRange(values, from, to);
                Arrays.sort(part);
                return part;
            });
        }
        int middle = (from + to) >>> 1;
        Task<int[]> left = flow.compose(() -> sortRange(flow, values, from, middle, cutoff));
        Task<int[]> right = flow.compose(() -> sortRange(flow, values, middle, to, cutoff));
        return flow.submit(ParallelMergeSort::merge, left, right);
    }

    /** Merges two sorted arrays into a new sorted array. */
    static int[] merge(int[] left, int[] right) {
        int[] merged = new int[left.length + right.length];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < left.length && j < right.length) {
            merged[k++] = left[i] <= right[j] ? left[i++] : right[j++];
        }
        System.arraycopy(left, i, merged, k, left.length - i);
        System.arraycopy(right, j, merged, k + left.length - i, right.length - j);
        return merged;
    }

    /** Sorts a few million seeded random numbers on all cores and checks the result. */
    public static void main(String[] args) {
        int[] values = new SplittableRandom(42).ints(4_000_000).toArray();
        try (Flow flow = Flow.local()) {
            int[] sorted = sort(flow, values, DEFAULT_CUTOFF).join();
            Arrays.sort(values);
            System.out.println("sorted " + sorted.length + " numbers; same as Arrays.sort: "
                    + Arrays.equals(sorted, values));
        }
    }
}
