package io.paraflow.cluster.internal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayWindowTest {
    private final ReplayWindow window = new ReplayWindow();

    @Test
    void eachNumberIsAcceptedOnce() {
        assertThat(window.accept(1)).isTrue();
        assertThat(window.accept(1)).isFalse();
        assertThat(window.accept(2)).isTrue();
        assertThat(window.accept(2)).isFalse();
        assertThat(window.accept(1)).isFalse();
    }

    @Test
    void numbersShuffledWithinTheWindowAreEachAcceptedOnce() {
        List<Long> numbers = new ArrayList<>(LongStream.rangeClosed(1, 3 * ReplayWindow.SIZE).boxed().toList());
        Random random = new Random(42);
        // shuffled in blocks smaller than the window, as delivery on several threads reorders them
        for (int from = 0; from < numbers.size(); from += 1_000) {
            Collections.shuffle(numbers.subList(from, Math.min(numbers.size(), from + 1_000)), random);
        }
        for (long number : numbers) {
            assertThat(window.accept(number)).as("first time %d", number).isTrue();
        }
        for (long number : numbers.subList(numbers.size() - 2_000, numbers.size())) {
            assertThat(window.accept(number)).as("again %d", number).isFalse();
        }
    }

    @Test
    void aNumberFurtherBelowTheHighestThanTheWindowIsRefused() {
        assertThat(window.accept(ReplayWindow.SIZE + 10L)).isTrue();
        assertThat(window.accept(10)).as("exactly one window below").isFalse();
        assertThat(window.accept(11)).as("just inside the window").isTrue();
        assertThat(window.accept(3L * ReplayWindow.SIZE)).as("a jump beyond the window").isTrue();
        assertThat(window.accept(ReplayWindow.SIZE + 10L)).isFalse();
        assertThat(window.accept(2L * ReplayWindow.SIZE + 1)).as("inside the window after the jump, never seen").isTrue();
    }

    @Test
    void numbersBelowOneAreRefused() {
        assertThat(window.accept(0)).isFalse();
        assertThat(window.accept(-5)).isFalse();
        assertThat(window.accept(Long.MIN_VALUE)).isFalse();
    }
}
