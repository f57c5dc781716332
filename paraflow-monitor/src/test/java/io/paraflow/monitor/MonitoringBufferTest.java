package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run whose events need many times the monitor's buffer still ends up complete in the database, with the
 * events of each task published on several threads (submitted on the test's, run and retried on workers).
 */
@ExtendWith(NoLeakedThreads.class)
class MonitoringBufferTest {

    private static final int TASKS = 30_000;
    private static final Set<Integer> FAILED_ONCE = ConcurrentHashMap.newKeySet();

    @TempDir
    Path dir;

    /** Every 7th input fails on its first try and succeeds on the retry; every 101st fails on both. */
    static int work(int input) throws IOException {
        if (input % 101 == 0) {
            throw new IOException("input " + input + " is corrupt");
        }
        if (input % 7 == 0 && FAILED_ONCE.add(input)) {
            throw new IllegalStateException("input " + input + " on its first try");
        }
        return input;
    }

    @Test
    void eventsBeyondTheBufferAreAllRecorded() throws Exception {
        Path db = dir.resolve("small-buffer.db");
        FAILED_ONCE.clear();
        // 30,000 tasks take about 4 MB of records: four times the buffer
        Monitoring monitoring = Monitoring.builder().database(db).bufferMemory(1 << 20).build();
        try (Flow flow = Flow.builder().threads(4).listener(monitoring).build()) {
            for (int i = 0; i < TASKS; i++) {
                int input = i;
                flow.task("work").retries(1).submit(() -> work(input));
            }
            flow.awaitAll();
        }
        long failing = (TASKS + 100) / 101;
        long retriedOnce = 0;
        for (int i = 0; i < TASKS; i++) {
            retriedOnce += i % 7 == 0 && i % 101 != 0 ? 1 : 0;
        }

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT tasks, finished, failed, cancelled, outcome FROM run"))
                    .containsExactly(List.of(TASKS, (int) (TASKS - failing), (int) failing, 0, "failed"));
            assertThat(rows(c, "SELECT state, attempts, count(*) FROM tasks GROUP BY 1, 2 ORDER BY 1, 2")).containsExactly(
                    List.of("failed", 2, (int) failing),
                    List.of("finished", 1, (int) (TASKS - failing - retriedOnce)),
                    List.of("finished", 2, (int) retriedOnce));
            assertThat(rows(c, "SELECT outcome, count(*) FROM tries GROUP BY 1 ORDER BY 1")).containsExactly(
                    List.of("failed", (int) failing), List.of("finished", (int) (TASKS - failing)),
                    List.of("retried", (int) (failing + retriedOnce)));
            assertThat(rows(c, "SELECT count(*) FROM tasks WHERE name = 'work' AND submitted_ns <= ready_ns"
                    + " AND ready_ns <= ended_ns")).containsExactly(List.of(TASKS));
            assertThat(rows(c, "SELECT count(*) FROM tries r JOIN tasks t USING (task_id) WHERE r.started_ns >= t.ready_ns"
                    + " AND r.ended_ns >= r.started_ns AND r.worker LIKE 'paraflow-%'"))
                    .containsExactly(List.of((int) (TASKS + failing + retriedOnce)));
            assertThat(rows(c, "SELECT outcome, type, count(*) FROM failures GROUP BY 1, 2 ORDER BY 1, 2")).containsExactly(
                    List.of("failed", "java.io.IOException", (int) failing),
                    List.of("retried", "java.io.IOException", (int) failing),
                    List.of("retried", "java.lang.IllegalStateException", (int) retriedOnce));
            assertThat(rows(c, "SELECT count(*) FROM failed_tasks WHERE attempt = 2 AND message LIKE 'input % is corrupt'"
                    + " AND stack_trace LIKE '%MonitoringBufferTest.work%'")).containsExactly(List.of((int) failing));
        }
    }

    @Test
    void tasksSubmittedByShortLivedThreadsAndByTasksAreAllRecorded() throws Exception {
        Path db = dir.resolve("many-threads.db");
        int threads = 20;
        int perThread = 200;
        try (Flow flow = Flow.builder().threads(3).listener(Monitoring.builder().database(db).bufferMemory(1 << 20).build())
                .build()) {
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread submitter = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int input = i;
                        // every task submits one inner task from its worker and completes with its result
                        flow.task("outer").submit(() -> flow.task("inner").submit(() -> input));
                    }
                }, "submitter-" + t);
                submitters.add(submitter);
                submitter.start();
            }
            for (Thread submitter : submitters) {
                submitter.join();
            }
            flow.awaitAll();
        }
        int each = threads * perThread;
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT name, state, count(*) FROM tasks GROUP BY 1, 2 ORDER BY 1, 2"))
                    .containsExactly(List.of("inner", "finished", each), List.of("outer", "finished", each));
            assertThat(rows(c, "SELECT count(*) FROM tries WHERE outcome = 'finished' AND ended_ns >= started_ns"))
                    .containsExactly(List.of(2 * each));
            assertThat(rows(c, "SELECT tasks, finished, outcome FROM run")).containsExactly(List.of(2 * each, 2 * each,
                    "succeeded"));
        }
    }

    @Test
    void aBufferSmallerThanAMegabyteIsRefused() {
        assertThatThrownBy(() -> Monitoring.builder().bufferMemory(1000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bufferMemory must be at least 1048576 bytes, got 1000");
    }
}
