package io.paraflow.monitor.store;

import io.paraflow.command.CommandExecutor;
import io.paraflow.monitor.MixedRun;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Opening run databases: what it reads, and the clear errors for files that are not run databases. */
@ExtendWith(NoLeakedThreads.class)
class RunDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void aRecordedRunIsReadBackReadOnly() throws Exception {
        Path db = dir.resolve("mixed.db");
        MixedRun.record(db);
        try (RunDatabase run = RunDatabase.open(db)) {
            RunDatabase.RunSummary summary = run.run();
            assertThat(summary.name()).isEqualTo("mixed");
            assertThat(summary.outcome()).isEqualTo("failed");
            assertThat(summary.endedNs()).isGreaterThanOrEqualTo(summary.startedNs());
            assertThatThrownBy(() -> run.connection().createStatement().executeUpdate("DELETE FROM tasks"))
                    .hasMessageContaining("readonly");
        }
    }

    @Test
    void theLatestTimeRecordedIsTheLatestTryStartOrEndSampleOrProgressElseTheRunsStart() throws Exception {
        Path db = dir.resolve("latest.db");
        MixedRun.record(db);
        long taskId;
        try (Connection connection = MixedRun.open(db); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM tries");
            statement.executeUpdate("DELETE FROM samples");
            statement.executeUpdate("DELETE FROM progress");
            statement.executeUpdate("UPDATE run SET started_ns = 100, ended_ns = NULL");
            taskId = statement.executeQuery("SELECT min(task_id) FROM tasks").getLong(1);
        }
        assertThat(latestRecordedNs(db)).as("nothing but the run's start").isEqualTo(100);
        record(db, "INSERT INTO tries VALUES (" + taskId + ", 1, 'w', 300, NULL, 'running')");
        assertThat(latestRecordedNs(db)).as("a try that has not ended").isEqualTo(300);
        record(db, "INSERT INTO tries VALUES (" + taskId + ", 2, 'w', 200, 500, 'finished')");
        assertThat(latestRecordedNs(db)).as("a try's end after another's start").isEqualTo(500);
        record(db, "INSERT INTO samples (worker, at_ns) VALUES ('w', 700)");
        assertThat(latestRecordedNs(db)).as("a resource sample").isEqualTo(700);
        record(db, "INSERT INTO progress VALUES (900, 2, 1, 1, 0, 0)");
        assertThat(latestRecordedNs(db)).as("a progress sample").isEqualTo(900);
    }

    private static void record(Path db, String insert) throws Exception {
        try (Connection connection = MixedRun.open(db); Statement statement = connection.createStatement()) {
            statement.executeUpdate(insert);
        }
    }

    private static long latestRecordedNs(Path db) throws Exception {
        try (RunDatabase run = RunDatabase.open(db)) {
            return run.latestRecordedNs();
        }
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("missing.db");
        assertThatThrownBy(() -> RunDatabase.open(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no run database at " + missing + ": the file does not exist");
        assertThat(missing).doesNotExist();
    }

    @Test
    void aDirectoryIsNamedAsOne() {
        assertThatThrownBy(() -> RunDatabase.open(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no run database at " + dir + ": it is a directory");
    }

    @Test
    void aFileThatIsNotSqliteIsRefused() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.db"), "just some notes, long enough to look like a header? no.");
        assertThatThrownBy(() -> RunDatabase.open(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(text + " is not a Paraflow run database");
    }

    @Test
    void anotherSqliteDatabaseIsRefused() throws Exception {
        Path other = dir.resolve("other.db");
        try (Connection c = MixedRun.open(other); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE things (x INTEGER)");
        }
        assertThatThrownBy(() -> RunDatabase.open(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(other + " is not a Paraflow run database of schema version 2 to 3 (it has no run table)");
    }

    @Test
    void aRunDatabaseOfSchemaVersion2OpensAndHasNoBusyColumnNorRunDirectories() throws Exception {
        Path db = dir.resolve("version-2.db");
        MixedRun.record(db);
        try (RunDatabase run = RunDatabase.open(db)) {
            assertThat(run.samplesHaveBusy()).isTrue();
            assertThat(run.commandRunDirectory(CommandExecutor.LABEL)).as("every flow's command executor").isAbsolute();
            assertThat(run.commandRunDirectory("threads")).isNull();
            assertThat(run.commandRunDirectory("no-such-executor")).isNull();
        }
        MixedRun.toSchemaVersion2(db);
        try (RunDatabase run = RunDatabase.open(db)) {
            assertThat(run.samplesHaveBusy()).isFalse();
            assertThat(run.commandRunDirectory(CommandExecutor.LABEL)).as("not recorded in version 2").isNull();
            assertThat(run.run().outcome()).isEqualTo("failed");
        }
    }

    @Test
    void aRunDatabaseOfAnotherSchemaVersionIsRefusedSayingWhichAndWhetherItIsNewer() throws Exception {
        Path older = runTableOfVersion("older.db", 1);
        assertThatThrownBy(() -> RunDatabase.open(older)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(older + " is not a Paraflow run database of schema version 2 to 3 (it has version 1: it was"
                        + " recorded by an older version of Paraflow, whose databases this one does not read)");
        Path newer = runTableOfVersion("newer.db", 4);
        assertThatThrownBy(() -> RunDatabase.open(newer)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(newer + " is not a Paraflow run database of schema version 2 to 3 (it has version 4: it was"
                        + " recorded by a newer version of Paraflow; read it with that version)");
    }

    /** A database with a table named run, of schema version {@code version}. */
    private Path runTableOfVersion(String name, int version) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = MixedRun.open(db); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE run (name TEXT)");
            s.executeUpdate("PRAGMA user_version = " + version);
        }
        return db;
    }
}
