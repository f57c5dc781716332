package io.paraflow.cluster.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ThrottledLogTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> written = new ArrayList<>();
    private final ThrottledLog log = new ThrottledLog(Duration.ofSeconds(10), now::get, written::add);

    @Test
    void aFloodWritesOneWarningPerIntervalAndTheNextSaysHowManyWereHeldBack() {
        for (int i = 0; i < 100_000; i++) {
            log.warn(() -> "dropped a message");
        }
        assertThat(written).containsExactly("dropped a message");

        now.addAndGet(Duration.ofSeconds(10).toNanos());
        log.warn(() -> "dropped another");
        assertThat(written).hasSize(2).last().asString().startsWith("dropped another (99999 more");

        now.addAndGet(Duration.ofSeconds(11).toNanos());
        log.warn(() -> "dropped once more");
        assertThat(written).hasSize(3).last().isEqualTo("dropped once more");
    }

    @Test
    void aHeldBackWarningIsNotEvenWritten() {
        log.warn(() -> "first");
        log.warn(() -> {
            throw new AssertionError("the text of a held-back warning was made");
        });
        assertThat(written).containsExactly("first");
    }
}
