package io.paraflow.monitor.store;

import io.paraflow.monitor.dashboard.Dashboard;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.paraflow.monitor.MixedRun.copyAlone;
import static io.paraflow.monitor.MixedRun.rows;
import static io.paraflow.monitor.store.RunWriterTest.EPOCH;
import static io.paraflow.monitor.store.RunWriterTest.FLOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The write-ahead log (the {@code -wal} file SQLite keeps beside the database in WAL mode) of a run: once the
 * run's end is recorded, the database file alone holds every row, unless a reader is in the middle of a query,
 * which the writer says (the file alone is then incomplete, even damaged: SQLite copies only the pages whose
 * latest version that reader does not need). Each test reads the file alone from a copy made without the log.
 */
@ExtendWith(NoLeakedThreads.class)
class RunWriterLogTest {

    @TempDir
    Path dir;

    @Test
    void theEndRecordedWhileTheWriterStaysOpenIsInTheFileAloneAndSoAreTheRowsAndTheEndWrittenAfterIt() throws Exception {
        Path db = dir.resolve("run.db");
        try (RunWriter writer = RunWriter.create(db, "interrupted, then closed", FLOW);
             RunDatabase reader = RunDatabase.open(db)) {
            writer.task(task(1));
            writer.flush();
            assertThat(reader.run().outcome()).as("an idle reader that read the run").isNull();
            writer.recordEnd(EPOCH + 10, "interrupted", 2, 1, 0, 0);
            assertThat(rowsOfCopy(db, "SELECT outcome FROM run UNION ALL SELECT count(*) FROM tasks"))
                    .containsExactly(List.of("interrupted"), List.of(1));
            writer.task(task(2));
            writer.flush();
            assertThat(rowsOfCopy(db, "SELECT count(*) FROM tasks")).as("a flush after the end").containsExactly(List.of(2));
            writer.task(task(3));
            writer.finish(EPOCH + 20, "succeeded", 3, 3, 0, 0);
            assertThat(rowsOfCopy(db, "SELECT outcome FROM run UNION ALL SELECT count(*) FROM tasks"))
                    .containsExactly(List.of("succeeded"), List.of(3));
        }
    }

    @Test
    void aReaderInTheMiddleOfAQueryKeepsTheRunPartlyInTheLogWhichAWarningSaysOnceAndReadersStillSeeIt() throws Exception {
        Path db = dir.resolve("busy.db");
        List<LogRecord> warnings = new ArrayList<>();
        Logger logger = Logger.getLogger(RunWriter.class.getName());
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try (RunWriter writer = RunWriter.create(db, "busy", FLOW);
             RunDatabase reader = RunDatabase.open(db)) {
            writer.task(task(1));
            writer.task(task(2));
            writer.flush();
            try (Statement statement = reader.connection().createStatement();
                 ResultSet inTheMiddle = statement.executeQuery("SELECT task_id FROM tasks")) {
                assertThat(inTheMiddle.next()).isTrue();
                writer.recordEnd(EPOCH + 10, "interrupted", 3, 2, 0, 0);
                writer.task(task(3));
                writer.flush();
            }
            // before its reader, as when the JVM of an interrupted run halts: the log is not folded in on closing
            writer.close();
        } finally {
            logger.removeHandler(capture);
        }
        assertThat(warnings).singleElement().satisfies(warning -> {
            assertThat(warning.getLevel()).isEqualTo(Level.WARNING);
            assertThat(warning.getMessage()).contains(db.toString(), db + "-wal", "beside");
        });
        assertThat(Files.size(Path.of(db + "-wal"))).as("the log keeps what the file lacks").isPositive();

        try (RunDatabase finished = RunDatabase.open(db)) {
            assertThat(finished.run().outcome()).as("a read-only reader reads the log too").isEqualTo("interrupted");
            assertThat(rows(finished.connection(), "SELECT count(*) FROM tasks")).containsExactly(List.of(3));
        }
        try (Dashboard dashboard = Dashboard.start(db, 0)) {
            String overview = HttpClient.newHttpClient().send(HttpRequest.newBuilder(dashboard.uri().resolve("api/overview"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(overview).contains("\"outcome\":\"interrupted\"");
        }
    }

    @Test
    void aNewRunIsNotStartedBesideTheLogOfAnotherWhoseFileWasMovedAway() throws Exception {
        Path db = dir.resolve("moved.db");
        Path log = Path.of(db + "-wal");
        Files.write(log, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> RunWriter.create(db, null, FLOW)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(log.toString()).hasMessageContaining("another run");
        assertThat(db).doesNotExist();
        assertThat(Files.readAllBytes(log)).containsExactly(1, 2, 3);

        Files.write(log, new byte[0]);
        try (RunWriter writer = RunWriter.create(db, null, FLOW)) {
            writer.finish(EPOCH + 1, "succeeded", 0, 0, 0, 0);
        }
        assertThat(rowsOfCopy(db, "SELECT outcome FROM run")).as("an empty log holds nothing: a run may start beside it")
                .containsExactly(List.of("succeeded"));
    }

    private static TaskRow task(long id) {
        return new TaskRow(id, "quick", "threads", 1, 0, 0, "finished", 1, EPOCH, EPOCH + 1, EPOCH + 2, List.of());
    }

    /** What {@code sql} returns from a copy of {@code db} made without its log. */
    private static List<List<Object>> rowsOfCopy(Path db, String sql) throws Exception {
        try (RunDatabase run = RunDatabase.open(copyAlone(db))) {
            return rows(run.connection(), sql);
        }
    }
}
