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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a run as a Chrome trace event file (JSON object format), which Perfetto
 * ({@code ui.perfetto.dev}) and {@code chrome://tracing} open: one process per executor, one track
 * (thread) per worker, or more for a worker that ran several tries at once ("worker", "worker #2", ...: a try
 * goes to the first that is free at its start, so no two slices of a track overlap), one complete-event
 * slice per task try, named after the task, with the task's id,
 * the attempt and the outcome as arguments and the outcome as category. Times are microseconds since the
 * run's start. A try that has not ended (it runs still, or it ran when the run stopped or its program was
 * killed) lasts until the run's end, or if the run has none, until the latest time the database records (a
 * progress sample, a resource sample, a try's start or end; see {@link RunDatabase#latestRecordedNs()}), and
 * has {@code "running": true} among its arguments.
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
        Tracks tracks = new Tracks(events);
        // where the tries that have not ended end; of a run without an end only, since it scans the tries
        long notEndedUntil = summary.endedNs() != 0 ? summary.endedNs() : run.latestRecordedNs();
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
            long end = attempt.endedNs() != 0 ? attempt.endedNs() : Math.max(notEndedUntil, attempt.startedNs());
            int tid = tracks.track(pid, attempt.worker() != null ? attempt.worker() : "?", attempt.startedNs(), end);
            StringBuilder event = events.begin().append("{\"ph\":\"X\",\"name\":");
            Json.string(event, attempt.name()).append(",\"cat\":");
            Json.string(event, attempt.outcome()).append(",\"pid\":").append(pid).append(",\"tid\":").append(tid)
                    .append(",\"ts\":");
            micros(event, attempt.startedNs() - origin).append(",\"dur\":");
            micros(event, end - attempt.startedNs()).append(",\"args\":{\"task\":").append(attempt.taskId())
                    .append(",\"attempt\":").append(attempt.attempt()).append(",\"outcome\":");
            Json.string(event, attempt.outcome()).append(attempt.endedNs() == 0 ? ",\"running\":true}}" : "}}");
            events.end();
        });
        events.out.write("\n]}\n");
        events.out.flush();
    }

    /**
     * The tracks of the workers. A worker that runs several tries at once (a cluster member, a worker
     * process with several cores, a thread that runs other tasks while one waits) would have slices that
     * overlap on its track, which the format forbids unless they nest (Perfetto drops them): each of its
     * tries goes to the first of its tracks that is free when the try starts, a new one if none is
     * ("worker", "worker #2", ...). Relies on the tries coming worker by worker, in order of start.
     */
    private static final class Tracks {
        private final Events events;
        private int lastTid;
        private int pid;
        private String worker;
        /** The current worker's tracks: their ids, and when the last slice on each ends. */
        private final List<Integer> tids = new ArrayList<>();
        private final List<Long> freeFrom = new ArrayList<>();

        Tracks(Events events) {
            this.events = events;
        }

        /** The track, declared if new, of a try of {@code worker} of executor {@code pid} from {@code start} to {@code end}. */
        int track(int pid, String worker, long start, long end) throws IOException {
            if (pid != this.pid || !worker.equals(this.worker)) {
                this.pid = pid;
                this.worker = worker;
                tids.clear();
                freeFrom.clear();
            }
            int free = 0;
            while (free < tids.size() && freeFrom.get(free) > start) {
                free++;
            }
            if (free == tids.size()) {
                tids.add(++lastTid);
                freeFrom.add(end);
                events.metadata("thread_name", pid, lastTid, free == 0 ? worker : worker + " #" + (free + 1));
            } else {
                freeFrom.set(free, end);
            }
            return tids.get(free);
        }
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
