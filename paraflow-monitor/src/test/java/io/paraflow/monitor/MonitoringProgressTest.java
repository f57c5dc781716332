package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A flow with the progress line shows its counts while it runs and its final counts when it closes. */
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

    @Test
    void inALogEachLineAppearsWhileTheRunGoesOnNotAtItsEnd() throws Exception {
        // a PrintWriter on a stream buffers, as one on System.err does: only a flush makes a line visible
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Monitoring monitoring = Monitoring.builder().name("long")
                .progress(new PrintWriter(log), false, Duration.ofMillis(50)).build();
        CountDownLatch release = new CountDownLatch(1);
        Flow flow = Flow.builder().threads(1).listener(monitoring).build();
        try {
            Task<Integer> waiting = flow.task("waiting").submit(() -> {
                release.await();
                return 1;
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (log.toString(StandardCharsets.UTF_8).lines().count() < 2) {
                assertThat(System.nanoTime()).as("hang guard: no progress lines in the log while the task runs: '%s'",
                        log.toString(StandardCharsets.UTF_8)).isLessThan(deadline);
                Thread.sleep(10);
            }
            assertThat(waiting.isDone()).as("the task still runs").isFalse();
            assertThat(log.toString(StandardCharsets.UTF_8).lines()).allMatch(line -> line.startsWith("long: tasks 0/"));
        } finally {
            release.countDown();
            flow.close();
        }
        assertThat(log.toString(StandardCharsets.UTF_8).lines().reduce((a, b) -> b))
                .hasValueSatisfying(last -> assertThat(last).startsWith("long: tasks 1/1 done | 0 running"));
    }

    @Test
    void theLastLineComesWhenTheFlowStopsBeforeTheDatabaseHasItsEnd(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("run.db");
        List<List<List<Object>>> endAtEachFlush = new ArrayList<>();
        Writer probe = new Writer() {
            @Override
            public void write(char[] text, int offset, int length) {
                // what is written does not matter here, only when it is flushed
            }

            @Override
            public void flush() throws IOException {
                try (Connection c = MixedRun.open(db)) {
                    endAtEachFlush.add(MixedRun.rows(c, "SELECT ended_ns IS NULL FROM run"));
                } catch (SQLException e) {
                    throw new IOException(e);
                }
            }

            @Override
            public void close() {
            }
        };
        Monitoring monitoring = Monitoring.builder().database(db).progress(new PrintWriter(probe), false, Duration.ofHours(1))
                .build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build()) {
            for (int i = 0; i < 1_000; i++) {
                flow.submit(() -> null);
            }
        }
        assertThat(endAtEachFlush).as("the last line, flushed while the run had no end in its database yet")
                .isNotEmpty().allMatch(end -> end.equals(List.of(List.of(1))));
    }
}
