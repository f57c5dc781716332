package io.paraflow.monitor;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent.Kind;
import io.paraflow.event.TaskInfo;
import io.paraflow.exec.Resources;
import io.paraflow.monitor.store.RunWriter;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/** The monitor's choice of the tasks it shows as waiting, on submissions it is handed directly. */
@ExtendWith(NoLeakedThreads.class)
class MonitorThreadTest {

    private static final int WAITING = MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE + 5_000;

    @TempDir
    Path dir;

    /** A task submitted at 10 with dependencies on tasks 1 and 2, which has ended or started or neither. */
    private record Submitted(long id, boolean ended, long startedNanos) implements TaskInfo {
        @Override
        public long flowId() {
            return 1;
        }

        @Override
        public String name() {
            return ended ? "ended" : startedNanos != 0 ? "started" : "waiting";
        }

        @Override
        public String executorLabel() {
            return "threads";
        }

        @Override
        public Resources resources() {
            return new Resources(1, 0, 0);
        }

        @Override
        public long[] dependencyIds() {
            return new long[] {1, 2};
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public long submittedNanos() {
            return 10;
        }

        @Override
        public long readyNanos() {
            return 0;
        }

        @Override
        public String worker() {
            return startedNanos != 0 ? "worker" : null;
        }
    }

    @Test
    void oneSampleShowsAtMostItsBoundOfWaitingTasksAndNeverOneThatStartedOrEnded() throws Exception {
        Path db = dir.resolve("waiting.db");
        FlowInfo flow = new FlowInfo(1, 1, Map.of("threads", new Resources(2, 0, 0)), "threads", 1000, false);
        // a single sample, taken when the monitor starts: every submission below is read before it
        MonitorThread monitor = new MonitorThread(flow, RunWriter.create(db, "waiting", flow), null,
                Duration.ofHours(1), "host", 1 << 26, failure -> { });
        // first in line, so that they would be among the rows written if they were taken for waiting ones: a
        // task whose end was read before its submission (another thread's lane), and one that runs
        monitor.publish(new Submitted(100_000, true, 0), Kind.SUBMITTED, 0, 10, null);
        monitor.publish(new Submitted(100_001, false, 20), Kind.SUBMITTED, 0, 10, null);
        for (int i = 0; i < WAITING; i++) {
            monitor.publish(new Submitted(i, false, 0), Kind.SUBMITTED, 0, 10, null);
        }
        monitor.start();
        assertThat(monitor.stop(30)).isNull();

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT name, state, count(*), min(task_id), max(task_id), sum(attempts), sum(ended_ns IS NULL)"
                    + " FROM tasks GROUP BY name")).containsExactly(List.of("waiting", "waiting",
                    MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE, 0, MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE - 1, 0,
                    MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE));
            assertThat(rows(c, "SELECT count(*), count(DISTINCT task_id), sum(depends_on) FROM dependencies"))
                    .containsExactly(List.of(2 * MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE,
                            MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE, 3 * MonitorThread.MAX_WAITING_ROWS_PER_SAMPLE));
            assertThat(rows(c, "SELECT submitted FROM progress WHERE at_ns = 30")).containsExactly(List.of(WAITING + 2));
        }
    }
}
