package io.paraflow.monitor;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.paraflow.monitor.MixedRun.awaitRows;
import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/** The database of a program killed mid-run shows what ran and what waited, and for what. */
@ExtendWith(NoLeakedThreads.class)
class MonitoringCrashTest {

    @TempDir
    Path dir;

    @Test
    void aKilledRunsDatabaseShowsTheRunningTryAndTheWaitingTasksWithTheirDependencies() throws Exception {
        Path db = dir.resolve("killed.db");
        Path output = dir.resolve("child-output");
        Process child = ChildJvm.start(KilledRun.class, output, db.toString());
        String waiting = "SELECT name, state, count(*) FROM tasks GROUP BY name, state ORDER BY name";
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // the database has its tables once the flow runs: not opened before, which would create the file
            while (!(Files.exists(output) && Files.readString(output).contains("READY"))) {
                assertThat(child.isAlive() && System.nanoTime() < deadline)
                        .as("the child runs until READY; its output: %s", Files.exists(output) ? Files.readString(output) : "")
                        .isTrue();
                Thread.sleep(10);
            }
            try (Connection c = open(db)) {
                awaitRows(c, waiting, List.of(List.of("for-a-slot", "waiting", KilledRun.FOR_A_SLOT),
                        List.of("for-inputs", "waiting", KilledRun.FOR_INPUTS), List.of("forever", "running", 1)));
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT ended_ns IS NULL, outcome FROM run")).as("the run never ended")
                    .containsExactly(Arrays.asList(1, null));
            assertThat(rows(c, waiting)).containsExactly(List.of("for-a-slot", "waiting", KilledRun.FOR_A_SLOT),
                    List.of("for-inputs", "waiting", KilledRun.FOR_INPUTS), List.of("forever", "running", 1));
            assertThat(rows(c, "SELECT w.name, t.name, t.state FROM dependencies d JOIN tasks w ON w.task_id = d.task_id"
                    + " JOIN tasks t ON t.task_id = d.depends_on")).as("what the waiting tasks wait for")
                    .containsExactly(List.of("for-inputs", "forever", "running"), List.of("for-inputs", "forever", "running"));
            assertThat(rows(c, "SELECT max(submitted) FROM progress"))
                    .containsExactly(List.of(1 + KilledRun.FOR_A_SLOT + KilledRun.FOR_INPUTS));
        }
    }
}
