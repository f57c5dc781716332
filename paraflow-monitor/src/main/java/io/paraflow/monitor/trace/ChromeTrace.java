package io.paraflow.monitor.trace;

import io.paraflow.monitor.internal.Json;
import io.paraflow.monitor.store.RunDatabase;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * Exports a run as a Chrome trace event file (JSON object format), which Perfetto
 * ({@code ui.perfetto.dev}) and {@code chrome://tracing} open: one process per executor, one track
 * (thread) per worker, one complete-event slice per task try, named after the task, with the task's id,
 * the attempt and the outcome as arguments and the outcome as category. Times are microseconds since the
 * run's start. A try that had not ended when the run stopped lasts until the run's end.
 *
 * <p>Streams the tries from the database, so a run of millions of tries is exported in bounded memory.
 */
public final class ChromeTrace {

    private ChromeTrace() {
    }

    /** Writes the trace of {@code run} to the new or replaced file {@code out}. */
    public static void write(RunDatabase run, Path out) throws IOException, SQLException {
        try (Writer writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            write(run, writer);
        }
    }

    /** Writes the trace of {@code run} to {@code out}, which it does not close. */
    public static void write(RunDatabase run, Writer out) throws IOException, SQLException {
        Events events = new Events(out instanceof BufferedWriter ? out : new BufferedWriter(out));
        RunDatabase.RunSummary summary = run.run();
        long origin = summary.startedNs();
        Map<String, Integer> processes = new HashMap<>();
        Map<String, Integer> tracks = new HashMap<>();
        events.out.write("{\"displayTimeUnit\":\"ms\",\"otherData\":{\"run\":");
        events.out.write(Json.string(new StringBuilder(),
                summary.name() != null ? summary.name() : "flow " + summary.flowId()).toString());
        events.out.write("},\"traceEvents\":[\n");
        run.forEachTry(attempt -> {
            Integer pid = processes.get(attempt.executor());
            if (pid == null) {
                pid = processes.size() + 1;
                processes.put(attempt.executor(), pid);
                events.metadata("process_name", pid, 0, "executor " + attempt.executor());
            }
            String worker = attempt.worker() != null ? attempt.worker() : "?";
            Integer tid = tracks.get(attempt.executor() + '\0' + worker);
            if (tid == null) {
                tid = tracks.size() + 1;
                tracks.put(attempt.executor() + '\0' + worker, tid);
                events.metadata("thread_name", pid, tid, worker);
            }
            long end = attempt.endedNs() != 0 ? attempt.endedNs() : Math.max(summary.endedNs(), attempt.startedNs());
            StringBuilder event = events.begin().append("{\"ph\":\"X\",\"name\":");
            Json.string(event, attempt.name()).append(",\"cat\":");
            Json.string(event, attempt.outcome()).append(",\"pid\":").append(pid).append(",\"tid\":").append(tid)
                    .append(",\"ts\":");
            micros(event, attempt.startedNs() - origin).append(",\"dur\":");
            micros(event, end - attempt.startedNs()).append(",\"args\":{\"task\":").append(attempt.taskId())
                    .append(",\"attempt\":").append(attempt.attempt()).append(",\"outcome\":");
            Json.string(event, attempt.outcome()).append("}}");
            events.end();
        });
        events.out.write("\n]}\n");
        events.out.flush();
    }

    /** Writes trace events separated by commas, reusing one buffer. */
    private static final class Events {
        final Writer out;
        private final StringBuilder event = new StringBuilder(256);
        private boolean any;

        Events(Writer out) {
            this.out = out;
        }

        StringBuilder begin() {
            event.setLength(0);
            if (any) {
                event.append(",\n");
            }
            any = true;
            return event;
        }

        void end() throws IOException {
            out.append(event);
        }

        void metadata(String name, int pid, int tid, String value) throws IOException {
            StringBuilder metadata = begin().append("{\"ph\":\"M\",\"name\":\"").append(name).append("\",\"pid\":")
                    .append(pid).append(",\"tid\":").append(tid).append(",\"args\":{\"name\":");
            Json.string(metadata, value).append("}}");
            end();
        }
    }

    /** Appends nanoseconds as microseconds with three decimals, without formatting overhead. */
    private static StringBuilder micros(StringBuilder out, long nanos) {
        long clamped = Math.max(0, nanos);
        long fraction = clamped % 1000;
        out.append(clamped / 1000).append('.');
        if (fraction < 100) {
            out.append(fraction < 10 ? "00" : "0");
        }
        return out.append(fraction);
    }
}
