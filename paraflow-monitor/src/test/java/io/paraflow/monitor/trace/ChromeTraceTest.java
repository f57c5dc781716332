package io.paraflow.monitor.trace;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.monitor.MixedRun;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
