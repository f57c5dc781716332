package io.paraflow.examples;

import io.paraflow.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParallelMergeSortTest {

    @ParameterizedTest(name = "{0} values, cutoff {1}, {2} thread(s)")
    @CsvSource({
            "0, 4, 1",
            "1, 4, 2",
            "2, 1, 2",
            "17, 4, 1",
            "1000, 1, 3",
            "100000, 64, 1",
            "100000, 64, 3",
    })
    void sortsLikeArraysSort(int length, int cutoff, int threads) {
        int[] values = new SplittableRandom(length).ints(length, -50, 50).toArray();
        int[] expected = values.clone();
        Arrays.sort(expected);

        try (Flow flow = Flow.builder().threads(threads).build()) {
            assertThat(ParallelMergeSort.sort(flow, values, cutoff).join()).isEqualTo(expected);
        }
    }

    @Test
    void leavesTheInputAlone() {
        int[] values = {5, 3, 9, 1};
        try (Flow flow = Flow.builder().threads(2).build()) {
            ParallelMergeSort.sort(flow, values, 1).join();
        }
        assertThat(values).containsExactly(5, 3, 9, 1);
    }

    @Test
    void mergeKeepsEveryElement() {
        assertThat(ParallelMergeSort.merge(new int[] {1, 4, 4, 9}, new int[] {0, 4, 10}))
                .containsExactly(0, 1, 4, 4, 4, 9, 10);
        assertThat(ParallelMergeSort.merge(new int[0], new int[] {2})).containsExactly(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -3})
    void cutoffBelowOneIsRejected(int cutoff) {
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThatThrownBy(() -> ParallelMergeSort.sort(flow, new int[] {1}, cutoff))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cutoff must be at least 1, got " + cutoff);
        }
    }

    @Test
    void mainSortsAndChecks() {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            ParallelMergeSort.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("same as Arrays.sort: true");
    }
}
