package io.paraflow.monitor.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.exec.Resources;
import io.paraflow.monitor.MixedRun;
import io.paraflow.monitor.Monitoring;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard's pages and JSON endpoints over HTTP, on the database of a finished run. */
@ExtendWith(NoLeakedThreads.class)
class DashboardTest {

    @TempDir
    static Path dir;

    private static Path db;
    private static Map<String, Long> ids;

    private final HttpClient client = HttpClient.newHttpClient();
    private Dashboard dashboard;

    @BeforeEach
    void serve() throws Exception {
        if (db == null) {
            db = dir.resolve("mixed.db");
            ids = MixedRun.record(db);
        }
        dashboard = Dashboard.start(db, 0);
    }

    @AfterEach
    void stop() {
        dashboard.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(dashboard.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void theOverviewHasTheRunTheCountsTheSeriesAndTheWorkers() throws Exception {
        assertThat(dashboard.uri().getHost()).isEqualTo("127.0.0.1");
        JsonNode overview = json("api/overview");
        assertThat(overview.path("run").path("name").asText()).isEqualTo("mixed");
        assertThat(overview.path("run").path("outcome").asText()).isEqualTo("failed");
        JsonNode counts = overview.path("counts");
        assertThat(counts.path("submitted").asInt()).isEqualTo(6);
        assertThat(counts.path("finished").asInt()).isEqualTo(2);
        assertThat(counts.path("failed").asInt()).isEqualTo(2);
        assertThat(counts.path("cancelled").asInt()).isEqualTo(2);
        assertThat(counts.path("running").asInt()).isZero();
        // a finished run's counts do not change between polls: its throughput is its average
        JsonNode run = overview.path("run");
        long runMs = run.path("endedMs").asLong() - run.path("startedMs").asLong();   // each end truncated to a ms
        assertThat(counts.path("averagePerSecond").asDouble()).isBetween(6 * 1000.0 / (runMs + 1),
                6 * 1000.0 / Math.max(0.5, runMs - 1));
        assertThat(overview.path("series")).isNotEmpty();
        assertThat(overview.path("workers")).anySatisfy(w -> assertThat(w.path("worker").asText()).startsWith("jvm:"));
        assertThat(overview.path("recordingStopped").isNull()).as("the database is written").isTrue();
    }

    @Test
    void theOverviewSaysWhyTheDatabaseIsNoLongerWrittenOnceTheMonitorSaysSo() throws Exception {
        dashboard.recordingStopped("java.sql.SQLException: disk full");
        assertThat(json("api/overview").path("recordingStopped").asText()).isEqualTo("java.sql.SQLException: disk full");
    }

    @Test
    void failuresAndTasksAreListedAndFiltered() throws Exception {
        JsonNode failures = json("api/failures");
        assertThat(failures).extracting(f -> f.path("name").asText()).containsExactly("downstream", "broken");
        assertThat(failures.get(1).path("type").asText()).isEqualTo("java.io.IOException");
        assertThat(failures.get(1).path("message").asText()).isEqualTo("data.csv: no such file");
        assertThat(failures.get(0).path("rootTaskId").asLong()).isEqualTo(ids.get("broken"));
        assertThat(failures).extracting(f -> f.path("hasTails").asInt()).containsExactly(0, 0);

        assertThat(json("api/tasks")).hasSize(6);
        assertThat(json("api/tasks?state=cancelled")).extracting(t -> t.path("name").asText())
                .containsExactly("after-blocked", "blocked");
        assertThat(json("api/tasks?name=o%25&limit=5")).extracting(t -> t.path("name").asText()).containsExactly("ok");
    }

    @Test
    void aTaskPageHasItsTriesItsErrorWithStackTraceAndItsDependencies() throws Exception {
        JsonNode broken = json("api/task?id=" + ids.get("broken"));
        assertThat(broken.path("task").path("state").asText()).isEqualTo("failed");
        assertThat(broken.path("tries")).hasSize(1);
        assertThat(broken.path("failures").get(0).path("stackTrace").asText())
                .startsWith("java.io.IOException: data.csv: no such file").contains("MixedRun.broken");

        JsonNode flaky = json("api/task?id=" + ids.get("flaky"));
        assertThat(flaky.path("tries")).extracting(t -> t.path("outcome").asText()).containsExactly("retried", "finished");
        // each try's start and end, in ms since the run's start: the retry starts after the first try ended
        JsonNode first = flaky.path("tries").get(0);
        JsonNode retry = flaky.path("tries").get(1);
        assertThat(first.path("startMs").asDouble()).isNotNegative().isLessThanOrEqualTo(first.path("endMs").asDouble());
        assertThat(retry.path("startMs").asDouble()).isGreaterThanOrEqualTo(first.path("endMs").asDouble());
        assertThat(retry.path("endMs").asDouble() - retry.path("startMs").asDouble())
                .isCloseTo(retry.path("ms").asDouble(), org.assertj.core.data.Offset.offset(1e-6));

        JsonNode downstream = json("api/task?id=" + ids.get("downstream"));
        assertThat(downstream.path("dependencies")).extracting(d -> d.path("name").asText()).containsExactly("ok", "broken");
    }

    @Test
    void theTaskPagesOfAFailedAndATimedOutCommandHaveTheTailsOfTheirStderrAndStdout() throws Exception {
        Path commandDb = dir.resolve("command.db");
        Map<String, Long> commandIds = MixedRun.recordCommands(commandDb, dir.resolve("runs"));
        try (Dashboard commandDashboard = Dashboard.start(commandDb, 0)) {
            JsonNode failed = json(commandDashboard, "api/task?id=" + commandIds.get("convert"));
            assertThat(failed.path("task").path("gpus").asInt()).isEqualTo(1);
            assertThat(failed.path("failures").get(0).path("stderrTail").asText()).isEqualTo("reading input.csv\nline 3: bad value");
            assertThat(failed.path("failures").get(0).path("stdoutTail").asText()).isEqualTo("converted 2 rows");

            JsonNode timedOut = json(commandDashboard, "api/task?id=" + commandIds.get("cmd-timeout"));
            assertThat(timedOut.path("failures").get(0).path("type").asText()).isEqualTo("io.paraflow.TaskTimeoutException");
            assertThat(timedOut.path("failures").get(0).path("stderrTail").asText()).isEqualTo("started-and-hung");
            assertThat(timedOut.path("failures").get(0).path("stdoutTail").asText()).isEqualTo("out-before-hang");
            assertThat(json(commandDashboard, "api/failures")).extracting(f -> f.path("hasTails").asInt()).containsExactly(1, 1);
        }
    }

    @Test
    void theTaskPageOfACommandGivesEachTrysOutputFilesWithTheirLastLinesReadNowOrSaysTheyAreGone() throws Exception {
        Path commandDb = dir.resolve("outputs.db");
        Path runs = dir.resolve("outputs-runs");
        Map<String, Long> commandIds = MixedRun.recordCommands(commandDb, runs);
        long id = commandIds.get("summarize");
        Path secondStdout = runs.resolve("summarize-" + id + "-attempt2.stdout");
        try (Dashboard commandDashboard = Dashboard.start(commandDb, 0)) {
            JsonNode outputs = json(commandDashboard, "api/task?id=" + id).path("outputs");
            assertThat(outputs).hasSize(2);
            JsonNode first = outputs.get(0);
            assertThat(first.path("attempt").asInt()).isEqualTo(1);
            assertThat(first.path("stdoutFile").asText()).isEqualTo(runs.resolve("summarize-" + id + ".stdout").toString());
            assertThat(first.path("stderrFile").asText()).isEqualTo(runs.resolve("summarize-" + id + ".stderr").toString());
            assertThat(first.path("stdoutTail").asText()).isEqualTo("summed 1");
            assertThat(first.path("stderrTail").asText()).isEqualTo("warned 1");
            JsonNode second = outputs.get(1);
            assertThat(second.path("attempt").asInt()).isEqualTo(2);
            assertThat(second.path("stdoutFile").asText()).isEqualTo(secondStdout.toString());
            assertThat(second.path("stdoutExists").asBoolean()).isTrue();
            assertThat(second.path("stdoutTail").asText()).isEqualTo("summed 2");
            assertThat(second.path("stderrTail").asText()).isEqualTo("warned 2");

            java.nio.file.Files.delete(secondStdout);
            JsonNode afterDelete = json(commandDashboard, "api/task?id=" + id).path("outputs").get(1);
            assertThat(afterDelete.path("stdoutFile").asText()).isEqualTo(secondStdout.toString());
            assertThat(afterDelete.path("stdoutExists").asBoolean()).isFalse();
            assertThat(afterDelete.path("stdoutTail").asText()).isEmpty();
            assertThat(afterDelete.path("stderrExists").asBoolean()).isTrue();
            assertThat(afterDelete.path("stderrTail").asText()).isEqualTo("warned 2");

            assertThat(json(commandDashboard, "api/task?id=" + commandIds.get("convert")).path("outputs").get(0)
                    .path("stderrTail").asText()).isEqualTo("reading input.csv\nline 3: bad value");
        }
        assertThat(json("api/task?id=" + ids.get("ok")).path("outputs")).as("a task of threads").isEmpty();

        MixedRun.toSchemaVersion2(commandDb);
        try (Dashboard version2 = Dashboard.start(commandDb, 0)) {
            JsonNode task = json(version2, "api/task?id=" + id);
            assertThat(task.path("outputs")).as("a version 2 database has no run directories").isEmpty();
            assertThat(task.path("tries")).hasSize(2);
        }
    }

    @Test
    void theTaskPageOfARunningCommandGivesWhatItWroteSoFar() throws Exception {
        Path liveDb = dir.resolve("running-command.db");
        Path runs = dir.resolve("running-runs");
        Path release = dir.resolve("release-command");
        CommandExecutor commands = CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, Long.MAX_VALUE, 0), runs);
        try (Flow flow = Flow.builder().threads(1).executor(commands).listener(Monitoring.database(liveDb)).build()) {
            Task<CommandResult> running = flow.command("halfway").shell("printf 'step %d\\n' 1; while [ ! -e \"$1\" ]; do"
                    + " sleep 0.02; done").args(release).submit();
            try (java.sql.Connection c = MixedRun.open(liveDb)) {
                MixedRun.awaitRows(c, "SELECT outcome FROM tries", List.of(List.of("running")));
            }
            try (Dashboard live = Dashboard.start(liveDb, 0)) {
                JsonNode output = json(live, "api/task?id=" + running.id()).path("outputs").get(0);
                assertThat(output.path("stdoutFile").asText()).isEqualTo(runs.resolve("halfway-" + running.id() + ".stdout").toString());
                assertThat(output.path("stdoutTail").asText()).isEqualTo("step 1");
                assertThat(output.path("stderrExists").asBoolean()).isTrue();
                assertThat(output.path("stderrTail").asText()).isEmpty();
            } finally {
                java.nio.file.Files.createFile(release);
            }
            assertThat(running.get().exitCode()).isZero();
        }
    }

    private JsonNode json(Dashboard from, String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(from.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void theGraphHasEveryTaskOrOneNodePerNameAndTheTimelineEveryTry() throws Exception {
        JsonNode graph = json("api/graph");
        assertThat(graph.path("grouped").asBoolean()).isFalse();
        assertThat(graph.path("nodes")).extracting(n -> n.path("name").asText() + ":" + n.path("state").asText())
                .containsExactly("ok:finished", "flaky:finished", "broken:failed", "downstream:failed",
                        "blocked:cancelled", "after-blocked:cancelled");
        assertThat(graph.path("edges")).extracting(JsonNode::toString).containsExactly("[0,3,1]", "[2,3,1]", "[4,5,1]");
        JsonNode grouped = json("api/graph?max=2");
        assertThat(grouped.path("grouped").asBoolean()).isTrue();
        assertThat(grouped.path("nodes")).hasSize(6);

        JsonNode timeline = json("api/timeline");
        assertThat(timeline).extracting(t -> t.path("name").asText() + "/" + t.path("attempt").asInt())
                .containsExactlyInAnyOrder("ok/1", "flaky/1", "flaky/2", "broken/1", "blocked/1");
        assertThat(timeline).allSatisfy(t -> {
            assertThat(t.path("worker").asText()).startsWith("paraflow-threads-");
            assertThat(t.path("endMs").asDouble()).isGreaterThanOrEqualTo(t.path("startMs").asDouble());
        });
    }

    @Test
    void aGraphOfDistinctNamesIsGroupedWithoutTheirIndexAndSaysWhatWasLeftOut() throws Exception {
        Path copy = java.nio.file.Files.copy(db, dir.resolve("distinct.db"));
        MixedRun.addTasksOfDistinctNames(copy);
        try (Dashboard copyDashboard = Dashboard.start(copy, 0)) {
            JsonNode graph = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(
                    copyDashboard.uri().resolve("api/graph")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(graph.path("grouped").asBoolean()).isFalse();
            JsonNode grouped = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(
                    copyDashboard.uri().resolve("api/graph?max=100")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(grouped.path("grouped").asBoolean()).isTrue();
            assertThat(grouped.path("trimmed").asBoolean()).isTrue();
            assertThat(grouped.path("leftOutGroups").asLong()).isEqualTo(58);
            assertThat(grouped.path("leftOutTasks").asLong()).isEqualTo(58);
            JsonNode nodes = grouped.path("nodes");
            assertThat(nodes).hasSize(200);
            // in order of first submission: the mixed run's tasks, then sim*, post* and the job names
            assertThat(nodes.get(0).path("name").asText()).isEqualTo("ok");
            assertThat(nodes).filteredOn(n -> n.path("key").asText().equals("sim"))
                    .extracting(n -> n.path("name").asText() + ":" + n.path("tasks").asLong()).containsExactly("sim*:300");
            int sim = indexOf(nodes, "sim");
            int post = indexOf(nodes, "post");
            assertThat(grouped.path("edges")).extracting(JsonNode::toString).contains("[" + sim + "," + post + ",300]");
        }
    }

    @Test
    void aGroupUnderWayIsRunningWithItsCountsByState() throws Exception {
        Path underWay = java.nio.file.Files.copy(db, dir.resolve("under-way.db"));
        MixedRun.addSweepUnderWay(underWay, 5, 1, 34);
        try (Dashboard served = Dashboard.start(underWay, 0)) {
            JsonNode graph = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(
                    served.uri().resolve("api/graph?max=5")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(graph.path("nodes")).filteredOn(n -> n.path("name").asText().equals("sweep"))
                    .extracting(JsonNode::toString).containsExactly("{\"key\":\"sweep\",\"name\":\"sweep\",\"tasks\":40,"
                            + "\"finished\":5,\"running\":1,\"waiting\":34,\"failed\":0,\"cancelled\":0,\"state\":\"running\"}");
        }
    }

    @Test
    void theGraphOfAnEndedRunIsReadOnceAndThatOfALiveRunAgainAndThatOfAnotherRunInTheFileToo() throws Exception {
        Path ended = java.nio.file.Files.copy(db, dir.resolve("ended.db"));
        Path live = java.nio.file.Files.copy(db, dir.resolve("live.db"));
        try (java.sql.Connection connection = MixedRun.open(live);
             java.sql.Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE run SET ended_ns = NULL, outcome = NULL");
        }
        for (Path file : List.of(ended, live)) {
            try (Dashboard served = Dashboard.start(file, 0)) {
                URI graph = served.uri().resolve("api/graph?max=1000");
                assertThat(graphNodes(graph)).hasSize(6);
                // a writer adds 850 tasks after the first answer
                MixedRun.addTasksOfDistinctNames(file);
                if (file == ended) {
                    assertThat(graphNodes(graph)).as("the ended run's graph, read once").hasSize(6);
                } else {
                    // read again at once if it was cheap, else once four times its cost has passed
                    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
                    while (graphNodes(graph).size() != 856) {
                        assertThat(System.nanoTime()).as("hang guard: the live run's graph was never read again")
                                .isLessThan(deadline);
                        Thread.sleep(50);
                    }
                }
            }
        }
        // the ended run's file replaced by another run (deleted and recorded again at the same path)
        Path replaced = java.nio.file.Files.copy(db, dir.resolve("replaced.db"));
        try (Dashboard served = Dashboard.start(replaced, 0)) {
            URI graph = served.uri().resolve("api/graph?max=1000");
            assertThat(graphNodes(graph)).hasSize(6);
            java.nio.file.Files.copy(ended, replaced, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (java.sql.Connection connection = MixedRun.open(replaced);
                 java.sql.Statement statement = connection.createStatement()) {
                statement.executeUpdate("UPDATE run SET started_ns = started_ns + 1");
            }
            assertThat(graphNodes(graph)).as("the other run's graph").hasSize(856);
        }
    }

    private JsonNode graphNodes(URI graph) throws Exception {
        return new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(graph).build(),
                HttpResponse.BodyHandlers.ofString()).body()).path("nodes");
    }

    @Test
    void aCostlyGraphOfALiveRunIsReusedForFourTimesItsCost() {
        long cost = DashboardApi.GraphAnswer.CHEAP_NANOS * 3;
        DashboardApi.GraphAnswer costly = new DashboardApi.GraphAnswer(100, "1:1", "{}", 1_000, cost, false);
        assertThat(costly.reusableAt(1_000 + 4 * cost - 1)).isTrue();
        assertThat(costly.reusableAt(1_000 + 4 * cost)).isFalse();
        DashboardApi.GraphAnswer cheap = new DashboardApi.GraphAnswer(100, "1:1", "{}", 1_000,
                DashboardApi.GraphAnswer.CHEAP_NANOS - 1, false);
        assertThat(cheap.reusableAt(1_001)).isFalse();
        DashboardApi.GraphAnswer afterTheEnd = new DashboardApi.GraphAnswer(100, "1:1", "{}", 1_000, 1, true);
        assertThat(afterTheEnd.reusableAt(Long.MAX_VALUE)).isTrue();
    }

    private static int indexOf(JsonNode nodes, String key) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).path("key").asText().equals(key)) {
                return i;
            }
        }
        throw new AssertionError("no node " + key + " in " + nodes);
    }

    @Test
    void theTraceAndTheGraphInDotAreDownloads() throws Exception {
        HttpResponse<String> trace = get("api/trace");
        assertThat(trace.statusCode()).isEqualTo(200);
        assertThat(trace.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(trace.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"mixed.trace.json\"");
        JsonNode slices = new ObjectMapper().readTree(trace.body()).path("traceEvents");
        assertThat(slices).filteredOn(e -> e.path("ph").asText().equals("X"))
                .extracting(e -> e.path("name").asText() + "/" + e.path("args").path("attempt").asInt() + ":" + e.path("cat").asText())
                .containsExactlyInAnyOrder("ok/1:finished", "flaky/1:retried", "flaky/2:finished", "broken/1:failed",
                        "blocked/1:cancelled");

        HttpResponse<String> dot = get("api/graph.dot");
        assertThat(dot.statusCode()).isEqualTo(200);
        assertThat(dot.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"mixed.dot\"");
        assertThat(dot.body()).startsWith("digraph run {").contains("t" + ids.get("broken") + " -> t" + ids.get("downstream") + ";");
        assertThat(get("api/graph.dot?max=2").body()).contains("\"broken\" -> \"downstream\" [label=\"1\"];");
        assertError("api/graph.dot?max=x", 400, "the parameter 'max' must be a whole number, got 'x'");

        assertThat(get("").body()).contains("href=\"api/trace\"").contains("href=\"api/graph.dot\"");
    }

    @Test
    void aDatabaseThatCannotBeReadAnswersWithStatus500AndSQLitesErrorAlsoForADownload() throws Exception {
        Path copy = java.nio.file.Files.copy(db, dir.resolve("damaged.db"));
        try (Dashboard damaged = Dashboard.start(copy, 0)) {
            try (java.sql.Connection c = MixedRun.open(copy); java.sql.Statement drop = c.createStatement()) {
                drop.executeUpdate("DROP VIEW failed_tasks");
                drop.executeUpdate("DROP TABLE tries");
            }
            HttpResponse<String> timeline = client.send(HttpRequest.newBuilder(damaged.uri().resolve("api/timeline")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(timeline.statusCode()).isEqualTo(500);
            assertThat(new ObjectMapper().readTree(timeline.body()).path("error").asText())
                    .startsWith("reading the run database failed: ").contains("no such table: tries");
            // a download whose query cannot start is an error too, not a file cut short
            HttpResponse<String> trace = client.send(HttpRequest.newBuilder(damaged.uri().resolve("api/trace")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(trace.statusCode()).isEqualTo(500);
            assertThat(trace.headers().firstValue("Content-Disposition")).isEmpty();
            assertThat(new ObjectMapper().readTree(trace.body()).path("error").asText())
                    .startsWith("reading the run database failed: ").contains("no such table: tries");
        }
    }

    @Test
    void aWorkersMemoryIsItsLastKnownAndHasNoMaximumWhereNoneWasRecorded() throws Exception {
        Path copy = java.nio.file.Files.copy(db, dir.resolve("samples.db"));
        try (java.sql.Connection c = MixedRun.open(copy); java.sql.Statement insert = c.createStatement()) {
            insert.executeUpdate("INSERT INTO samples VALUES ('processes-1 (pid 42)', 1000, 0.5, 100000000, 104857600, NULL, 1.0)");
            // the last sample of a worker process that has just exited: its memory is unknown
            insert.executeUpdate("INSERT INTO samples VALUES ('processes-1 (pid 42)', 2000, 0.25, 150000000, NULL, NULL, 0.75)");
        }
        try (Dashboard copyDashboard = Dashboard.start(copy, 0)) {
            JsonNode workers = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(
                    copyDashboard.uri().resolve("api/overview")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("workers");
            JsonNode process = null;
            for (JsonNode worker : workers) {
                if (worker.path("worker").asText().equals("processes-1 (pid 42)")) {
                    process = worker;
                }
            }
            assertThat(process).as("the worker process in %s", workers).isNotNull();
            assertThat(process.path("cpuMs").asLong()).isEqualTo(150);
            assertThat(process.path("busy").asDouble()).isEqualTo(0.75);
            assertThat(process.path("memoryUsed").asLong()).isEqualTo(104_857_600);
            assertThat(process.path("memoryMax").isNull()).isTrue();
            assertThat(workers).filteredOn(w -> w.path("worker").asText().startsWith("jvm:"))
                    .allSatisfy(jvm -> assertThat(jvm.path("memoryMax").asLong()).isPositive());
        }
    }

    @Test
    void aDatabaseOfSchemaVersion2IsServedWithTheWorkersBusySlotsUnknown() throws Exception {
        Path copy = java.nio.file.Files.copy(db, dir.resolve("version-2.db"));
        MixedRun.toSchemaVersion2(copy);
        try (Dashboard copyDashboard = Dashboard.start(copy, 0)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(copyDashboard.uri().resolve("api/overview"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode workers = new ObjectMapper().readTree(response.body()).path("workers");
            assertThat(workers).isNotEmpty().allSatisfy(w -> {
                assertThat(w.has("busy")).isTrue();
                assertThat(w.path("busy").isNull()).isTrue();
            });
            assertThat(workers).anySatisfy(w -> assertThat(w.path("cpuLoad").isNumber()).isTrue());
        }
    }

    @Test
    void theWorkersOfALongRunAreFoundWithoutScanningTheSamplesAndAreTheLatestSampleOfEach() throws Exception {
        Path copy = java.nio.file.Files.copy(db, dir.resolve("many-samples.db"));
        try (java.sql.Connection c = MixedRun.open(copy);
             java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            c.setAutoCommit(false);
            for (int at = 1; at <= 3_000; at++) {
                for (String worker : List.of("thread-a", "thread-b", "processes-1 (pid 42)", "processes-2 (pid 43)")) {
                    boolean process = worker.startsWith("processes");
                    insert.setString(1, worker);
                    insert.setLong(2, at * 1_000_000L);
                    insert.setDouble(3, at % 7 / 4.0);
                    insert.setLong(4, at * 1_000_000L);
                    // the last sample of a worker process that has just exited has no memory
                    insert.setObject(5, process && !(worker.startsWith("processes-1") && at == 3_000) ? at * 1024L : null);
                    insert.setObject(6, null);
                    insert.setDouble(7, at % 5 / 4.0);
                    insert.addBatch();
                }
            }
            // two samples of one worker at its latest time: both are rows of the answer, as they were
            insert.setString(1, "thread-b");
            insert.setLong(2, 3_000_000_000L);
            insert.setDouble(3, 0.125);
            insert.setLong(4, 1L);
            insert.setObject(5, null);
            insert.setObject(6, null);
            insert.setDouble(7, 0.5);
            insert.addBatch();
            insert.executeBatch();
            c.commit();
            // the answer of the query the overview ran before, which ran a max() per sample row
            List<List<Object>> expected = MixedRun.rows(c, "SELECT s.worker, s.busy, s.cpu_load AS cpuLoad,"
                    + " s.cpu_time_ns / 1000000 AS cpuMs, m.memory_used_bytes AS memoryUsed, m.memory_max_bytes AS memoryMax"
                    + " FROM samples s LEFT JOIN samples m ON m.worker = s.worker AND m.at_ns = (SELECT max(at_ns) FROM samples"
                    + " WHERE worker = s.worker AND memory_used_bytes IS NOT NULL)"
                    + " WHERE s.at_ns = (SELECT max(at_ns) FROM samples WHERE worker = s.worker) ORDER BY s.worker");
            List<List<Object>> actual = MixedRun.rows(c, DashboardApi.workers(true));
            assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(actual).extracting(row -> (String) row.get(0)).isSorted()
                    .containsSubsequence("processes-1 (pid 42)", "processes-2 (pid 43)", "thread-a", "thread-b", "thread-b");
            assertThat(actual).filteredOn(row -> row.get(0).equals("processes-1 (pid 42)"))
                    .containsExactly(java.util.Arrays.asList("processes-1 (pid 42)", 0.0, 1.0, 3_000, 2_999 * 1024, null));
            assertThat(actual).filteredOn(row -> row.get(0).equals("thread-b")).extracting(row -> row.get(2))
                    .containsExactlyInAnyOrder(1.0, 0.125);
            // a look-up per worker in the indexes, not a scan of the samples: its cost does not grow with the run
            assertThat(MixedRun.rows(c, "EXPLAIN QUERY PLAN " + DashboardApi.workers(true)))
                    .extracting(row -> String.valueOf(row.get(3)))
                    .noneMatch(step -> step.startsWith("SCAN") && !step.startsWith("SCAN names") && !step.startsWith("SCAN l"));
        }
        try (Dashboard copyDashboard = Dashboard.start(copy, 0)) {
            JsonNode workers = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(
                    copyDashboard.uri().resolve("api/overview")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("workers");
            assertThat(workers).extracting(w -> w.path("worker").asText())
                    .containsSubsequence("processes-1 (pid 42)", "processes-2 (pid 43)", "thread-a", "thread-b", "thread-b");
        }
    }

    @Test
    void aDownloadIsNamedAfterTheDatabaseWithoutCharactersAHeaderWouldQuote() throws Exception {
        Path odd = java.nio.file.Files.copy(db, dir.resolve("sweep \"7\";x.db"));
        try (Dashboard oddDashboard = Dashboard.start(odd, 0)) {
            HttpResponse<String> trace = client.send(HttpRequest.newBuilder(oddDashboard.uri().resolve("api/trace")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(trace.headers().firstValue("Content-Disposition"))
                    .hasValue("attachment; filename=\"sweep__7__x.trace.json\"");
        }
    }

    @Test
    void badRequestsGetAStatusAndAMessage() throws Exception {
        assertError("api/task?id=abc", 400, "the parameter 'id' must be a whole number, got 'abc'");
        assertError("api/task", 400, "the parameter 'id' is missing");
        assertError("api/task?id=999", 404, "no task 999 in this run (a task appears within a sample of its submission)");
        assertError("api/tasks?state=sleeping", 400, "state must be waiting, running, finished, failed or cancelled, got 'sleeping'");
        assertError("api/tasks?limit=0", 400, "limit must be between 1 and 5000, got 0");
        assertError("api/graph?max=-1", 400, "max must be between 0 and 5000, got -1");
        assertError("api/nothing", 404, "no endpoint /api/nothing");
        assertError("secrets.txt", 404, "no page /secrets.txt");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(dashboard.uri().resolve("api/overview"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    private void assertError(String path, int status, String message) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(status);
        assertThat(new ObjectMapper().readTree(response.body()).path("error").asText()).isEqualTo(message);
    }

    @Test
    void thePagesAreServed() throws Exception {
        HttpResponse<String> index = get("");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).contains("<title>Paraflow run</title>").contains("dashboard.js");
        assertThat(get("dashboard.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(get("dashboard.css").statusCode()).isEqualTo(200);
    }

    @Test
    void aPortInUseAnAddressOfNoMachineAMissingFileAndAnotherFileAreRefusedClearly() throws Exception {
        int taken = dashboard.uri().getPort();
        assertThatThrownBy(() -> Dashboard.start(db, taken)).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot serve the dashboard on 127.0.0.1:" + taken)
                .hasMessageEndingWith("; choose another port, or 0 for any free one");
        assertThatThrownBy(() -> Dashboard.start(db, InetSocketAddress.createUnresolved("paraflow.invalid", 0)))
                .isInstanceOf(UncheckedIOException.class).hasMessageStartingWith("cannot serve the dashboard on paraflow.invalid:0: ")
                .hasMessageEndingWith("; it is not an address of this machine: give one of its addresses, 127.0.0.1 or 0.0.0.0");
        Path missing = dir.resolve("missing.db");
        assertThatThrownBy(() -> Dashboard.start(missing, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no run database at " + missing + ": the file does not exist");
        Path notes = java.nio.file.Files.writeString(dir.resolve("notes.db"), "not a database");
        assertThatThrownBy(() -> Dashboard.start(notes, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(notes + " is not a Paraflow run database");
        URI before = dashboard.uri();
        dashboard.close();
        dashboard.close();
        assertThat(before).isNotNull();
    }
}
