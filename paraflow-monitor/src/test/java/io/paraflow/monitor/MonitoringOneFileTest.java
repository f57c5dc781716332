package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.monitor.dashboard.Dashboard;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static io.paraflow.monitor.MixedRun.copyAlone;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a flow closes, its database file alone holds the whole run, whatever read it meanwhile: a copy of the
 * {@code .db} without its {@code -wal} file (SQLite's write-ahead log) has every row. Each test reads the run
 * only from such a copy, opened after the copy was made.
 */
@ExtendWith(NoLeakedThreads.class)
class MonitoringOneFileTest {

    private static final int TASKS = 50;

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void aFlowWhoseDashboardServedRequestsLeavesTheWholeRunInItsFileAlone() throws Exception {
        Path db = dir.resolve("run.db");
        Monitoring monitoring = Monitoring.builder().database(db).dashboard(0).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build()) {
            URI dashboard = monitoring.dashboardUri().orElseThrow();
            runTasks(flow);
            flow.task("broken").submit(MixedRun::broken);
            flow.awaitAll();
            serveEveryEndpoint(dashboard);
        }
        assertHoldsTheRun(copyAlone(db), "failed", TASKS + 1, TASKS);
        assertThat(Path.of(db + "-wal")).as("the dashboard holds no connection between requests, so the writer"
                + " closed last and SQLite removed its log").doesNotExist();
    }

    @Test
    void readersOfThisJvmThatServedRequestsAndStayOpenDoNotKeepTheRunOutOfTheFile() throws Exception {
        Path db = dir.resolve("run.db");
        try (Flow flow = Flow.builder().threads(2).listener(Monitoring.database(db)).build();
             RunDatabase reader = RunDatabase.open(db);
             Dashboard dashboard = Dashboard.start(db, 0)) {
            runTasks(flow);
            flow.awaitAll();
            assertThat(reader.run().outcome()).isNull();
            serveEveryEndpoint(dashboard.uri());
            flow.close();
            assertHoldsTheRun(copyAlone(db), "succeeded", TASKS, TASKS);
            assertThat(reader.run().outcome()).as("the reader still reads the run").isEqualTo("succeeded");
        }
    }

    private static void runTasks(Flow flow) {
        for (int i = 0; i < TASKS; i++) {
            int input = i;
            flow.task("quick").submit(() -> input);
        }
    }

    private void serveEveryEndpoint(URI dashboard) throws Exception {
        for (String path : List.of("api/overview", "api/failures", "api/tasks", "api/graph",
                "api/timeline", "api/trace", "api/graph.dot")) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(dashboard.resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        }
    }

    /**
     * Asserts that the database {@code copy} has the run's end, with its outcome and count of tasks, and its
     * {@code finished} tasks named {@code quick} with their tries.
     */
    static void assertHoldsTheRun(Path copy, String outcome, int tasks, int finished) throws Exception {
        try (RunDatabase run = RunDatabase.open(copy)) {
            assertThat(rows(run.connection(), "SELECT outcome, tasks FROM run")).containsExactly(List.of(outcome, tasks));
            assertThat(rows(run.connection(), "SELECT count(*) FROM tasks WHERE name = 'quick' AND state = 'finished'"))
                    .containsExactly(List.of(finished));
            assertThat(rows(run.connection(), "SELECT count(*) FROM tries WHERE outcome = 'finished'"))
                    .containsExactly(List.of(finished));
        }
    }
}
