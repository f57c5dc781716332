package io.paraflow.monitor.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.monitor.MixedRun;
import io.paraflow.monitor.Monitoring;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Chrome trace of a run is valid JSON with one slice per try, on the track of the try's worker. */
@ExtendWith(NoLeakedThreads.class)
class ChromeTraceTest {

    @TempDir
    Path dir;

    /** A trace file read back: its thread and process names by id, and its slices. */
    private record Trace(JsonNode root, Map<Integer, String> threadNames, Map<Integer, String> processNames,
                         List<JsonNode> slices) {

        static Trace read(Path file) throws Exception {
            JsonNode root = new ObjectMapper().readTree(file.toFile());   // throws if the file is not valid JSON
            Map<Integer, String> threadNames = new HashMap<>();
            Map<Integer, String> processNames = new HashMap<>();
            List<JsonNode> slices = new ArrayList<>();
            for (JsonNode event : root.path("traceEvents")) {
                switch (event.path("ph").asText()) {
                    case "M" -> (event.path("name").asText().equals("thread_name") ? threadNames : processNames)
                            .put(event.path("name").asText().equals("thread_name") ? event.path("tid").asInt()
                                    : event.path("pid").asInt(), event.path("args").path("name").asText());
                    case "X" -> slices.add(event);
                    default -> throw new AssertionError("unexpected event " + event);
                }
            }
            return new Trace(root, threadNames, processNames, slices);
        }

        /** The slices of one track do not overlap (the format forbids it unless they nest; Perfetto drops them). */
        void assertNoOverlapOnATrack() {
            Map<Integer, List<JsonNode>> byTrack = new HashMap<>();
            slices.forEach(s -> byTrack.computeIfAbsent(s.path("tid").asInt(), k -> new ArrayList<>()).add(s));
            byTrack.forEach((tid, track) -> {
                track.sort((a, b) -> Double.compare(a.path("ts").asDouble(), b.path("ts").asDouble()));
                for (int i = 1; i < track.size(); i++) {
                    JsonNode before = track.get(i - 1);
                    assertThat(track.get(i).path("ts").asDouble()).as("track %s: %s after %s", threadNames.get(tid),
                                    track.get(i), before)
                            .isGreaterThanOrEqualTo(before.path("ts").asDouble() + before.path("dur").asDouble() - 0.001);
                }
            });
        }

        /** The name of the track of the slice of task {@code id}. */
        String trackOf(long id) {
            return slices.stream().filter(s -> s.path("args").path("task").asLong() == id)
                    .map(s -> threadNames.get(s.path("tid").asInt())).findFirst().orElseThrow();
        }
    }

    @Test
    void everyTryIsASliceOnItsWorkersTrackWithNameIdAndOutcome() throws Exception {
        Path db = dir.resolve("mixed.db");
        Map<String, Long> ids = MixedRun.record(db);
        Path file = dir.resolve("mixed.trace.json");
        try (RunDatabase run = RunDatabase.open(db)) {
            ChromeTrace.write(run, file);
        }

        Trace trace = Trace.read(file);
        assertThat(trace.root().path("otherData").path("run").asText()).isEqualTo("mixed");
        assertThat(trace.processNames()).containsExactly(Map.entry(1, "executor threads"));
        assertThat(trace.threadNames()).isNotEmpty().allSatisfy((tid, name) -> assertThat(name).startsWith("paraflow-threads-"));

        // ok, flaky twice, broken, blocked: the tasks that never started have no slice
        assertThat(trace.slices()).extracting(s -> s.path("name").asText() + "/" + s.path("args").path("attempt").asInt()
                        + "/" + s.path("args").path("outcome").asText())
                .containsExactlyInAnyOrder("ok/1/finished", "flaky/1/retried", "flaky/2/finished", "broken/1/failed",
                        "blocked/1/cancelled");
        for (JsonNode slice : trace.slices()) {
            String name = slice.path("name").asText();
            assertThat(slice.path("args").path("task").asLong()).isEqualTo(ids.get(name));
            assertThat(slice.path("cat").asText()).isEqualTo(slice.path("args").path("outcome").asText());
            assertThat(slice.path("pid").asInt()).isEqualTo(1);
            assertThat(trace.threadNames()).containsKey(slice.path("tid").asInt());
            assertThat(slice.path("ts").asDouble()).isNotNegative();
            assertThat(slice.path("dur").asDouble()).isNotNegative();
        }
        trace.assertNoOverlapOnATrack();
    }

    @Test
    void aTryThatHasNotEndedLastsUntilTheRunsEndOrElseTheLatestTimeRecordedAndSaysItRuns() throws Exception {
        Path db = dir.resolve("live.db");
        MixedRun.record(db);
        long latest;
        try (RunDatabase run = RunDatabase.open(db)) {
            latest = run.latestRecordedNs();
        }
        // as a run under way, or one whose program was killed, has it: no end, a try running since 1 ms after
        // the latest time recorded, and a progress sample 61 ms after it
        try (Connection connection = MixedRun.open(db); Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE run SET ended_ns = NULL, outcome = NULL");
            statement.executeUpdate("INSERT INTO tasks VALUES (900, 'long', 'threads', 1, 0, 0, 'running', 1, "
                    + latest + ", NULL, NULL)");
            statement.executeUpdate("INSERT INTO tries VALUES (900, 1, 'paraflow-threads-1', " + (latest + 1_000_000)
                    + ", NULL, 'running')");
            statement.executeUpdate("INSERT INTO progress VALUES (" + (latest + 61_000_000) + ", 7, 1, 4, 1, 1)");
        }
        JsonNode running = longSlice(db);
        assertThat(running.path("dur").asDouble()).isEqualTo(60_000.0);
        assertThat(running.path("args").path("running").asBoolean()).isTrue();
        assertThat(running.path("cat").asText()).isEqualTo("running");

        // once the run has an end (an interrupted run's), the try lasts until then
        try (Connection connection = MixedRun.open(db); Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE run SET ended_ns = " + (latest + 81_000_000) + ", outcome = 'interrupted'");
        }
        assertThat(longSlice(db).path("dur").asDouble()).isEqualTo(80_000.0);
    }

    @Test
    void theSliceOfATryRunningInALiveRunIsNotEmpty() throws Exception {
        Path db = dir.resolve("running.db");
        CountDownLatch release = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(20)).build();
        try (Flow flow = Flow.builder().threads(1).listener(monitoring).build(); Connection c = MixedRun.open(db)) {
            try {
                Task<Boolean> task = flow.task("long").submit(() -> release.await(30, TimeUnit.SECONDS));
                MixedRun.awaitRows(c, "SELECT outcome FROM tries WHERE task_id = " + task.id(), List.of(List.of("running")));
                // a sample after the try's start
                MixedRun.awaitRows(c, "SELECT max(at_ns) > (SELECT started_ns FROM tries WHERE task_id = " + task.id()
                        + ") FROM progress", List.of(List.of(1)));
                JsonNode slice = longSlice(db);
                assertThat(slice.path("dur").asDouble()).isPositive();
                assertThat(slice.path("args").path("running").asBoolean()).isTrue();
            } finally {
                release.countDown();
            }
        }
        JsonNode ended = longSlice(db);
        assertThat(ended.path("args").has("running")).as("an ended try is not marked running").isFalse();
        assertThat(ended.path("args").path("outcome").asText()).isEqualTo("finished");
    }

    /** The slice of the task named "long" in the trace of {@code db}. */
    private JsonNode longSlice(Path db) throws Exception {
        Path file = Files.createTempFile(dir, "trace", ".json");
        try (RunDatabase run = RunDatabase.open(db)) {
            ChromeTrace.write(run, file);
        }
        return Trace.read(file).slices().stream().filter(s -> s.path("name").asText().equals("long")).findFirst()
                .orElseThrow();
    }

    @Test
    void theTriesAWorkerRanAtOnceGoToSubTracksSoThatNoTwoSlicesOfATrackOverlap() throws Exception {
        Path db = dir.resolve("members.db");
        MixedRun.record(db);
        MixedRun.addTriesOfOneWorkerAtOnce(db);
        Path file = dir.resolve("members.trace.json");
        try (RunDatabase run = RunDatabase.open(db)) {
            ChromeTrace.write(run, file);
        }

        Trace trace = Trace.read(file);
        trace.assertNoOverlapOnATrack();
        assertThat(trace.processNames()).containsValues("executor threads", "executor cluster");
        assertThat(trace.threadNames().values()).filteredOn(name -> name.startsWith("member-"))
                .containsExactlyInAnyOrder("member-1", "member-1 #2", "member-1 #3", "member-2");
        // each try on the first track free at its start: the fourth one back on the first
        assertThat(List.of(MixedRun.AT_ONCE_FIRST_ID, MixedRun.AT_ONCE_FIRST_ID + 1, MixedRun.AT_ONCE_FIRST_ID + 2,
                MixedRun.AT_ONCE_FIRST_ID + 3, MixedRun.AT_ONCE_FIRST_ID + 4)).extracting(trace::trackOf)
                .containsExactly("member-1", "member-1 #2", "member-1 #3", "member-1", "member-2");
        assertThat(trace.slices()).hasSize(5 + 5);
    }
}
