package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.fault.RetryPolicy;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.paraflow.monitor.MixedRun.awaitRows;
import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A task waiting for its next try (a retry delay) is {@code waiting} after the attempts it made, with their
 * tries, whether or not its failed try was seen running: the dashboard says what it waits for from that.
 */
@ExtendWith(NoLeakedThreads.class)
class MonitoringRetryWaitTest {

    @TempDir
    Path dir;

    @Test
    void aTaskWaitingForItsRetryIsWaitingAfterItsAttemptsWhetherOrNotItsTryWasSeenRunning() throws Exception {
        Path db = dir.resolve("backoff.db");
        CountDownLatch failHeld = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(20)).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build(); Connection c = open(db)) {
            RetryPolicy inAMinute = RetryPolicy.exponentialBackoff(1, Duration.ofMinutes(1), Duration.ofMinutes(1));
            Task<Integer> fast = null;
            Task<Integer> held = null;
            try {
                // fails before a sample sees it run, and waits for its retry
                fast = flow.task("fast").retryPolicy(inAMinute).submit(() -> {
                    throw new IllegalStateException("fails at once");
                });
                // runs through samples (it gets a running row), then fails and waits for its retry
                held = flow.task("held").retryPolicy(inAMinute).submit(() -> {
                    failHeld.await(30, TimeUnit.SECONDS);
                    throw new IllegalStateException("fails later");
                });
                String heldTask = "SELECT state, attempts FROM tasks WHERE task_id = " + held.id();
                awaitRows(c, heldTask, List.of(List.of("running", 1)));
                failHeld.countDown();
                for (Task<Integer> task : List.of(fast, held)) {
                    awaitRows(c, "SELECT outcome, ended_ns IS NOT NULL FROM tries WHERE task_id = " + task.id(),
                            List.of(List.of("retried", 1)));
                    awaitRows(c, "SELECT state, attempts FROM tasks WHERE task_id = " + task.id(),
                            List.of(List.of("waiting", 1)));
                }
            } finally {
                failHeld.countDown();
                if (fast != null) {
                    fast.cancel(true);
                }
                if (held != null) {
                    held.cancel(true);
                }
            }
        }
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT name, state FROM tasks ORDER BY task_id"))
                    .containsExactly(List.of("fast", "cancelled"), List.of("held", "cancelled"));
        }
    }
}
