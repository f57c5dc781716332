package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A flow with the progress line shows its final counts when it closes. */
@ExtendWith(NoLeakedThreads.class)
class MonitoringProgressTest {

    @Test
    void theLastLineShowsEveryTaskAndHowItEnded() throws Exception {
        StringWriter text = new StringWriter();
        Monitoring monitoring = Monitoring.builder().name("doubling")
                .progress(new PrintWriter(text), false, Duration.ofHours(1)).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build()) {
            flow.map(x -> x * 2, List.of(1, 2, 3, 4, 5, 6, 7));
            flow.task("broken").submit(() -> {
                throw new IllegalStateException("no");
            });
            flow.awaitAll();
        }
        List<String> lines = text.toString().lines().toList();
        assertThat(lines).isNotEmpty();
        assertThat(lines.get(lines.size() - 1)).startsWith("doubling: tasks 8/8 done, 1 failed | 0 running | ");
    }
}
