package io.paraflow.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

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
}
