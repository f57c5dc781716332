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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
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
    }

    @Test
    void failuresAndTasksAreListedAndFiltered() throws Exception {
        JsonNode failures = json("api/failures");
        assertThat(failures).extracting(f -> f.path("name").asText()).containsExactly("downstream", "broken");
        assertThat(failures.get(1).path("type").asText()).isEqualTo("java.io.IOException");
        assertThat(failures.get(1).path("message").asText()).isEqualTo("data.csv: no such file");
        assertThat(failures.get(0).path("rootTaskId").asLong()).isEqualTo(ids.get("broken"));

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
    void aFailedCommandsPageHasTheTailsOfItsStderrAndStdoutAndItsGpus() throws Exception {
        Path commandDb = dir.resolve("command.db");
        CommandExecutor commands = CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, Long.MAX_VALUE, 1),
                dir.resolve("runs"));
        long id;
        try (Flow flow = Flow.builder().threads(1).executor(commands).listener(Monitoring.database(commandDb)).build()) {
            Task<CommandResult> failing = flow.command("convert").gpus(1)
                    .shell("echo 'converted 2 rows'; echo 'line 3: bad value' >&2; exit 3").submit();
            id = failing.id();
            flow.awaitAll();
        }
        try (Dashboard commandDashboard = Dashboard.start(commandDb, 0)) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(commandDashboard.uri().resolve("api/task?id=" + id))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode page = new ObjectMapper().readTree(response.body());
            assertThat(page.path("task").path("gpus").asInt()).isEqualTo(1);
            assertThat(page.path("failures").get(0).path("stderrTail").asText()).isEqualTo("line 3: bad value");
            assertThat(page.path("failures").get(0).path("stdoutTail").asText()).isEqualTo("converted 2 rows");
        }
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
    void aWorkersMemoryIsItsLastKnownAndHasNoMaximumWhereNoneWasRecorded() throws Exception {
        Path copy = java.nio.file.Files.copy(db, dir.resolve("samples.db"));
        try (java.sql.Connection c = MixedRun.open(copy); java.sql.Statement insert = c.createStatement()) {
            insert.executeUpdate("INSERT INTO samples VALUES ('processes-1 (pid 42)', 1000, 0.5, 100000000, 104857600, NULL)");
            // the last sample of a worker process that has just exited: its memory is unknown
            insert.executeUpdate("INSERT INTO samples VALUES ('processes-1 (pid 42)', 2000, 0.25, 150000000, NULL, NULL)");
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
            assertThat(process.path("memoryUsed").asLong()).isEqualTo(104_857_600);
            assertThat(process.path("memoryMax").isNull()).isTrue();
            assertThat(workers).filteredOn(w -> w.path("worker").asText().startsWith("jvm:"))
                    .allSatisfy(jvm -> assertThat(jvm.path("memoryMax").asLong()).isPositive());
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
    void aPortInUseAndAMissingFileAreRefusedClearly() {
        int taken = dashboard.uri().getPort();
        assertThatThrownBy(() -> Dashboard.start(db, taken)).isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("cannot serve the dashboard on 127.0.0.1:" + taken);
        Path missing = dir.resolve("missing.db");
        assertThatThrownBy(() -> Dashboard.start(missing, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
        URI before = dashboard.uri();
        dashboard.close();
        dashboard.close();
        assertThat(before).isNotNull();
    }
}
