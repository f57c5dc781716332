package io.paraflow.monitor.store;

import io.paraflow.event.FlowInfo;
import io.paraflow.exec.Resources;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/** A task's rows only move forward (waiting, running, ended), whichever the writer is given first. */
@ExtendWith(NoLeakedThreads.class)
class RowOrderTest {

    private static final String TASK = "SELECT state, attempts, ready_ns FROM tasks WHERE task_id = 7";
    private static final String TRIES = "SELECT attempt, outcome FROM tries WHERE task_id = 7 ORDER BY attempt";

    @TempDir
    Path dir;

    private static TaskRow task(String state, int attempts, long readyNs) {
        return new TaskRow(7, "t", "threads", 1, 0, 0, state, attempts, 10, readyNs, state.equals("finished") ? 50 : 0,
                List.of(3L));
    }

    private static TryRow attempt(int attempt, String outcome) {
        return new TryRow(7, attempt, "worker", 30 + attempt, outcome.equals("running") ? 0 : 50, outcome);
    }

    private RunWriter writer(String name) throws Exception {
        FlowInfo flow = new FlowInfo(1, 1, Map.of("threads", new Resources(1, 0, 0)), "threads", 10, false);
        return RunWriter.create(dir.resolve(name), name, flow);
    }

    @Test
    void runningReplacesWaitingAndAnEarlierAttemptAndAnEndReplacesBoth() throws Exception {
        try (RunWriter writer = writer("forward.db"); Connection c = open(dir.resolve("forward.db"))) {
            writer.waiting(task("waiting", 0, 0));
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(Arrays.asList("waiting", 0, null));
            writer.running(task("running", 1, 20), attempt(1, "running"));
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(List.of("running", 1, 20));
            writer.waiting(task("waiting", 0, 0));
            writer.attempt(attempt(1, "retried"));
            writer.running(task("running", 2, 20), attempt(2, "running"));
            writer.flush();
            assertThat(rows(c, TASK)).as("a running row of a later attempt").containsExactly(List.of("running", 2, 20));
            writer.running(task("running", 1, 20), attempt(1, "running"));
            writer.flush();
            assertThat(rows(c, TASK)).as("not of an earlier one").containsExactly(List.of("running", 2, 20));
            assertThat(rows(c, TRIES)).containsExactly(List.of(1, "retried"), List.of(2, "running"));
            writer.attempt(attempt(2, "finished"));
            writer.task(task("finished", 2, 20));
            writer.flush();
            writer.waiting(task("waiting", 0, 0));
            writer.running(task("running", 3, 20), attempt(2, "running"));
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(List.of("finished", 2, 20));
            assertThat(rows(c, TRIES)).containsExactly(List.of(1, "retried"), List.of(2, "finished"));
            assertThat(rows(c, "SELECT task_id, depends_on FROM dependencies")).containsExactly(List.of(7, 3));
        }
    }

    @Test
    void aRetriedTaskWaitsForItsNextTryUntilItsRunningRowOrItsEndWhateverTheOrderInAFlush() throws Exception {
        try (RunWriter writer = writer("retry.db"); Connection c = open(dir.resolve("retry.db"))) {
            writer.running(task("running", 1, 20), attempt(1, "running"));
            writer.flush();
            writer.attempt(attempt(1, "retried"));
            writer.waitingForNextTry(7, 1);
            writer.flush();
            assertThat(rows(c, TASK)).as("between its tries").containsExactly(List.of("waiting", 1, 20));
            writer.running(task("running", 1, 20), attempt(1, "running"));
            writer.flush();
            assertThat(rows(c, TASK)).as("not after a late running row of the retried try")
                    .containsExactly(List.of("waiting", 1, 20));
            // the next try's running row, added before the retry's in the same flush
            writer.running(task("running", 2, 20), attempt(2, "running"));
            writer.waitingForNextTry(7, 1);
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(List.of("running", 2, 20));
            writer.attempt(attempt(2, "finished"));
            writer.task(task("finished", 2, 20));
            writer.waitingForNextTry(7, 2);
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(List.of("finished", 2, 20));
        }
        try (RunWriter writer = writer("retry-one-flush.db"); Connection c = open(dir.resolve("retry-one-flush.db"))) {
            // a waiting row written before its first try, then the try's running row and its retry in one flush
            writer.waiting(task("waiting", 0, 0));
            writer.flush();
            writer.waitingForNextTry(7, 1);
            writer.running(task("running", 1, 20), attempt(1, "running"));
            writer.attempt(attempt(1, "retried"));
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(List.of("waiting", 1, 20));
            assertThat(rows(c, TRIES)).containsExactly(List.of(1, "retried"));
        }
        try (RunWriter writer = writer("retry-fresh.db"); Connection c = open(dir.resolve("retry-fresh.db"))) {
            // no row of the task yet: the retry finds its row only if the running rows are written first
            writer.running(task("running", 1, 20), attempt(1, "running"));
            writer.waitingForNextTry(7, 1);
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(List.of("waiting", 1, 20));
        }
    }

    @Test
    void anEndAddedBeforeTheWaitingAndRunningRowsOfTheSameFlushStays() throws Exception {
        try (RunWriter writer = writer("one-flush.db"); Connection c = open(dir.resolve("one-flush.db"))) {
            writer.attempt(attempt(1, "finished"));
            writer.task(task("finished", 1, 20));
            writer.running(task("running", 1, 20), attempt(1, "running"));
            writer.waiting(task("waiting", 0, 0));
            writer.flush();
            assertThat(rows(c, TASK)).containsExactly(List.of("finished", 1, 20));
            assertThat(rows(c, TRIES)).containsExactly(List.of(1, "finished"));
        }
    }
}
