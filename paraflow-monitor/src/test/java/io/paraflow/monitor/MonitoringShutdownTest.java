package io.paraflow.monitor;

import io.paraflow.monitor.store.RunDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A program stopped by SIGTERM (Ctrl-C is the same) before it closed its flow leaves a database that says so. */
class MonitoringShutdownTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aRunStoppedBySigtermRecordsItsEndAsInterruptedWithItsTasksAndRunningTries() throws Exception {
        Path db = dir.resolve("run.db");
        Path ready = dir.resolve("ready");
        Path log = dir.resolve("program.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process program = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                InterruptedRunMain.class.getName(), db.toString(), ready.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
        try (RunDatabase run = RunDatabase.open(db)) {
            assertThat(text(run, "SELECT outcome FROM run")).as(Files.readString(log)).isEqualTo("interrupted");
            assertThat(number(run, "SELECT ended_ns FROM run")).isPositive();
            assertThat(number(run, "SELECT tasks FROM run")).isEqualTo(InterruptedRunMain.FINISHED + InterruptedRunMain.RUNNING);
            assertThat(number(run, "SELECT count(*) FROM tasks WHERE state = 'finished'")).isEqualTo(InterruptedRunMain.FINISHED);
            assertThat(number(run, "SELECT count(*) FROM tries WHERE outcome = 'running' AND task_id IN"
                    + " (SELECT task_id FROM tasks WHERE name = 'endless')")).isEqualTo(InterruptedRunMain.RUNNING);
        }
    }

    @Test
    void aProgramThatClosesItsFlowInItsOwnShutdownHookGetsItsRealEnd() throws Exception {
        Path db = dir.resolve("run.db");
        Path log = dir.resolve("program.log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process program = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                ClosingHookMain.class.getName(), db.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertThat(program.waitFor(GUARD.toSeconds(), TimeUnit.SECONDS)).as("the program ended").isTrue();
        } finally {
            program.destroyForcibly();
        }
        assertThat(program.exitValue()).as(Files.readString(log)).isZero();
        try (RunDatabase run = RunDatabase.open(db)) {
            assertThat(text(run, "SELECT outcome FROM run")).as(Files.readString(log)).isEqualTo("succeeded");
            assertThat(number(run, "SELECT finished FROM run")).isEqualTo(ClosingHookMain.TASKS);
            assertThat(number(run, "SELECT count(*) FROM tasks WHERE state = 'finished'")).isEqualTo(ClosingHookMain.TASKS);
            assertThat(number(run, "SELECT count(*) FROM tries WHERE outcome = 'finished'")).isEqualTo(ClosingHookMain.TASKS);
        }
    }

    private static String text(RunDatabase run, String sql) throws SQLException {
        try (Statement statement = run.connection().createStatement(); ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getString(1);
        }
    }

    private static long number(RunDatabase run, String sql) throws SQLException {
        try (Statement statement = run.connection().createStatement(); ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
