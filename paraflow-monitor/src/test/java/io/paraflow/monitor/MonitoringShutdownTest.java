package io.paraflow.monitor;

import io.paraflow.monitor.store.RunDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.paraflow.monitor.MixedRun.copyAlone;
import static io.paraflow.monitor.MixedRun.rows;
import static io.paraflow.monitor.MonitoringOneFileTest.assertHoldsTheRun;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A program stopped by SIGTERM (Ctrl-C is the same), or that returns from {@code main}, before it closed its
 * flow leaves a database that says so, in the database file alone: the tests read a copy of it made without
 * the files SQLite keeps beside it.
 */
class MonitoringShutdownTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aRunStoppedBySigtermRecordsItsEndAsInterruptedWithItsTasksAndRunningTries() throws Exception {
        assertInterruptedWithEveryRunningTry("threads");
    }

    @Test
    void theRunningTriesOfWorkerProcessesAreAllRecordedThoughOneThreadStartedThem() throws Exception {
        assertInterruptedWithEveryRunningTry("processes");
    }

    /** Stops {@link InterruptedRunMain} with SIGTERM, its endless tasks run on {@code executor}, and reads what it left. */
    private void assertInterruptedWithEveryRunningTry(String executor) throws Exception {
        Path db = dir.resolve("run.db");
        Path ready = dir.resolve("ready");
        Path log = dir.resolve("program.log");
        stopWhenReady(ready, InterruptedRunMain.class, log, db.toString(), ready.toString(), executor);
        try (RunDatabase run = RunDatabase.open(copyAlone(db))) {
            Connection c = run.connection();
            assertThat(rows(c, "SELECT outcome, ended_ns > 0, tasks FROM run")).as(Files.readString(log))
                    .containsExactly(List.of("interrupted", 1, InterruptedRunMain.FINISHED + InterruptedRunMain.RUNNING));
            assertThat(rows(c, "SELECT count(*) FROM tasks WHERE state = 'finished'"))
                    .containsExactly(List.of(InterruptedRunMain.FINISHED));
            assertThat(rows(c, "SELECT count(*), count(DISTINCT worker) FROM tries WHERE outcome = 'running' AND task_id IN"
                    + " (SELECT task_id FROM tasks WHERE name = 'endless' AND state = 'running')"))
                    .containsExactly(List.of(InterruptedRunMain.RUNNING, InterruptedRunMain.RUNNING));
        }
    }

    @Test
    void aProgramThatClosesItsFlowInItsOwnShutdownHookGetsItsRealEnd() throws Exception {
        Path db = dir.resolve("run.db");
        Path log = dir.resolve("program.log");
        runToItsEnd(ClosingHookMain.class, log, db.toString());
        try (RunDatabase run = RunDatabase.open(db)) {
            Connection c = run.connection();
            assertThat(rows(c, "SELECT outcome, finished FROM run")).as(Files.readString(log))
                    .containsExactly(List.of("succeeded", ClosingHookMain.TASKS));
            assertThat(rows(c, "SELECT count(*) FROM tasks WHERE state = 'finished'")).containsExactly(List.of(ClosingHookMain.TASKS));
            assertThat(rows(c, "SELECT count(*) FROM tries WHERE outcome = 'finished'")).containsExactly(List.of(ClosingHookMain.TASKS));
        }
    }

    @Test
    void aProgramThatReturnsFromMainWithoutClosingItsFlowLeavesTheInterruptedRunInItsFileAlone() throws Exception {
        Path db = dir.resolve("run.db");
        Path log = dir.resolve("program.log");
        runToItsEnd(ReturningMain.class, log, db.toString());
        assertHoldsTheRun(copyAlone(db), "interrupted", ReturningMain.TASKS, ReturningMain.TASKS);
    }

    @Test
    void aReaderInTheMiddleOfAQueryWhenTheRunIsInterruptedIsReportedOnStandardErrorAndTheRunIsReadWithItsLog()
            throws Exception {
        Path db = dir.resolve("run.db");
        Path ready = dir.resolve("ready");
        Path log = dir.resolve("program.log");
        stopWhenReady(ready, BusyReaderMain.class, log, db.toString(), ready.toString());
        assertThat(Files.readString(log)).contains("paraflow: warning: the run database " + db
                + " is readable only together with its log " + db + "-wal");
        try (RunDatabase run = RunDatabase.open(db)) {
            assertThat(rows(run.connection(), "SELECT outcome, finished FROM run"))
                    .containsExactly(List.of("interrupted", BusyReaderMain.TASKS));
        }
    }

    /** Runs {@code main} in a JVM of its own until it ends by itself, and asserts that it exited with status 0. */
    private static void runToItsEnd(Class<?> main, Path log, String... args) throws Exception {
        Process program = ChildJvm.start(main, log, args);
        try {
            assertThat(program.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)).as("the program ended").isTrue();
        } finally {
            program.destroyForcibly();
        }
        assertThat(program.exitValue()).as(Files.readString(log)).isZero();
    }

    /** Runs {@code main} in a JVM of its own until it writes the file {@code ready}, then stops it with SIGTERM. */
    private static void stopWhenReady(Path ready, Class<?> main, Path log, String... args) throws Exception {
        Process program = ChildJvm.start(main, log, args);
        try {
            long deadline = System.nanoTime() + GUARD.toNanos();
            while (!Files.exists(ready) && program.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ready).as(Files.readString(log)).exists();
            program.destroy();
            assertThat(program.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)).as("the program ended").isTrue();
        } finally {
            program.destroyForcibly();
        }
    }
}
