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

    @Test
    void everyTryIsASliceOnItsWorkersTrackWithNameIdAndOutcome() throws Exception {
        Path db = dir.resolve("mixed.db");
        Map<String, Long> ids = MixedRun.record(db);
        Path trace = dir.resolve("mixed.trace.json");
        try (RunDatabase run = RunDatabase.open(db)) {
            ChromeTrace.write(run, trace);
        }

        JsonNode root = new ObjectMapper().readTree(trace.toFile());   // throws if the file is not valid JSON
        assertThat(root.path("otherData").path("run").asText()).isEqualTo("mixed");
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
        assertThat(processNames).containsExactly(Map.entry(1, "executor threads"));
        assertThat(threadNames).isNotEmpty().allSatisfy((tid, name) -> assertThat(name).startsWith("paraflow-threads-"));

        // ok, flaky twice, broken, blocked: the tasks that never started have no slice
        assertThat(slices).extracting(s -> s.path("name").asText() + "/" + s.path("args").path("attempt").asInt()
                        + "/" + s.path("args").path("outcome").asText())
                .containsExactlyInAnyOrder("ok/1/finished", "flaky/1/retried", "flaky/2/finished", "broken/1/failed",
                        "blocked/1/cancelled");
        for (JsonNode slice : slices) {
            String name = slice.path("name").asText();
            assertThat(slice.path("args").path("task").asLong()).isEqualTo(ids.get(name));
            assertThat(slice.path("cat").asText()).isEqualTo(slice.path("args").path("outcome").asText());
            assertThat(slice.path("pid").asInt()).isEqualTo(1);
            assertThat(threadNames).containsKey(slice.path("tid").asInt());
            assertThat(slice.path("ts").asDouble()).isNotNegative();
            assertThat(slice.path("dur").asDouble()).isNotNegative();
        }
        // the tries of one worker do not overlap: a worker runs one try at a time
        Map<Integer, List<JsonNode>> byTrack = new HashMap<>();
        slices.forEach(s -> byTrack.computeIfAbsent(s.path("tid").asInt(), k -> new ArrayList<>()).add(s));
        byTrack.values().forEach(track -> {
            track.sort((a, b) -> Double.compare(a.path("ts").asDouble(), b.path("ts").asDouble()));
            for (int i = 1; i < track.size(); i++) {
                JsonNode before = track.get(i - 1);
                assertThat(track.get(i).path("ts").asDouble())
                        .isGreaterThanOrEqualTo(before.path("ts").asDouble() + before.path("dur").asDouble() - 0.001);
            }
        });
    }
}
