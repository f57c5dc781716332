package io.paraflow.bench;

import io.paraflow.monitor.store.RunDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitoring workloads at a tiny size: what their databases hold (never how fast). */
class MonitorWorkloadsTest {

    @TempDir
    Path dir;

    @Test
    void theFailingRunRecordsEveryHundredthTaskAsFailedAfterARetry() throws Exception {
        Path db = dir.resolve("failing.db");
        MonitorWorkloads.recordFailingRun(db, 1_000, 2);
        assertThat(MonitorWorkloads.count(db, "SELECT count(*) FROM tasks")).isEqualTo(1_000);
        assertThat(MonitorWorkloads.count(db, "SELECT count(*) FROM failed_tasks WHERE type = 'java.io.IOException'"
                + " AND attempt = 2 AND message LIKE 'input % is corrupt'")).isEqualTo(10);
        assertThat(MonitorWorkloads.count(db, "SELECT count(*) FROM tries WHERE outcome = 'retried'")).isEqualTo(10);
    }

    @Test
    void theWriterAndItsBaselineWriteTheSameTablesAsTheWorkloadChecks() throws Exception {
        Path written = dir.resolve("writer.db");
        Path baseline = dir.resolve("baseline.db");
        WriterWorkload.runWriter(written, 20_000);
        WriterWorkload.bindingEveryValue(baseline, 20_000);
        String tables = "SELECT * FROM tasks JOIN tries USING (task_id) ORDER BY task_id";
        List<String> rows = rows(written, tables);
        assertThat(rows).hasSize(20_000).isEqualTo(rows(baseline, tables));
        assertThat(rows.get(0)).isEqualTo(rows(written, "SELECT 1, 'IndependentTasks.<clinit>/lambda-5e1f0a2c', 'threads',"
                + " 1, 0, 0, 'finished', 1, " + (WriterWorkload.FLOW.epochNanos() + 400) + ", "
                + (WriterWorkload.FLOW.epochNanos() + 450) + ", " + (WriterWorkload.FLOW.epochNanos() + 600) + ", 1,"
                + " 'paraflow-1-threads-1', " + (WriterWorkload.FLOW.epochNanos() + 500) + ", "
                + (WriterWorkload.FLOW.epochNanos() + 600) + ", 'finished'").get(0));
    }

    private static List<String> rows(Path db, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (RunDatabase run = RunDatabase.open(db); Statement statement = run.connection().createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(result.getString(i)).append('|');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
