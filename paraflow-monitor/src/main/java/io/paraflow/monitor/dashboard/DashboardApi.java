package io.paraflow.monitor.dashboard;

import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandOutput;
import io.paraflow.monitor.internal.Json;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.monitor.trace.ChromeTrace;
import io.paraflow.monitor.trace.TaskGraph;
import io.paraflow.monitor.trace.TaskGraphDot;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

/**
 * The dashboard's JSON endpoints, answered from the run database. Called on the dashboard's single
 * thread only, which owns the read-only connection: opened by the first query of a request, closed by
 * {@link #close()} after it.
 */
final class DashboardApi implements AutoCloseable {

    /** Largest number of rows a list endpoint returns. */
    static final int MAX_LIMIT = 5_000;
    /** Largest graph drawn task by task: beyond, a browser drawing it would freeze. */
    static final int MAX_GRAPH_TASKS = 5_000;
    /** The most tries of a command whose output files a task page reads: the last ones. */
    static final int MAX_OUTPUT_TRIES = 100;
    /** The counts-over-time series is thinned to about this many points. */
    private static final int SERIES_POINTS = 300;

    /**
     * Each worker's latest sample, with its memory as last known (the last sample of a worker process that
     * has just exited has none) and its slots busy with tries, {@code busy} ({@code NULL} without
     * {@code withBusy}, for a database of schema version 2, which has no such column). Its cost does not grow
     * with the samples: the workers are found by hopping along {@code samples_by_worker} from one name to the
     * next, each one's latest sample by a look-up in it, and its latest memory by one in
     * {@code samples_with_memory} (without that index, in a database of an earlier build, the same answer by a
     * scan of the worker's samples).
     */
    static String workers(boolean withBusy) {
        return "WITH RECURSIVE names(worker) AS (SELECT min(worker) FROM samples"
                + " UNION ALL SELECT (SELECT min(worker) FROM samples WHERE worker > names.worker) FROM names"
                + " WHERE names.worker IS NOT NULL),"
                + " latest(worker, at_ns, memory_at_ns) AS (SELECT worker, (SELECT max(at_ns) FROM samples WHERE worker = names.worker),"
                + " (SELECT max(at_ns) FROM samples WHERE worker = names.worker AND memory_used_bytes IS NOT NULL)"
                + " FROM names WHERE worker IS NOT NULL)"
                + " SELECT s.worker, " + (withBusy ? "s.busy" : "NULL") + " AS busy, s.cpu_load AS cpuLoad, s.cpu_time_ns / 1000000 AS cpuMs,"
                + " m.memory_used_bytes AS memoryUsed, m.memory_max_bytes AS memoryMax"
                + " FROM latest l JOIN samples s ON s.worker = l.worker AND s.at_ns = l.at_ns"
                + " LEFT JOIN samples m ON m.worker = l.worker AND m.at_ns = l.memory_at_ns ORDER BY s.worker";
    }

    private final Path file;
    private RunDatabase run;
    /** Read and written on the dashboard's thread only, as everything here. */
    private GraphAnswer lastGraph;

    DashboardApi(Path file) {
        this.file = file;
    }

    /** What went wrong with a request: answered with its status and message. */
    static final class BadRequest extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The run database's file. */
    Path file() {
        return file;
    }

    private RunDatabase run() throws SQLException {
        if (run == null) {
            run = RunDatabase.open(file);
        }
        return run;
    }

    private PreparedStatement prepare(String sql) throws SQLException {
        return run().connection().prepareStatement(sql);
    }

    /**
     * The run, the latest counts, the counts over time, the workers' latest samples (each with its slots busy
     * with tries, {@code busy}, null in a database of schema version 2), and why the database is no longer
     * written ({@code recordingStopped}, null while it is).
     */
    String overview(String recordingStopped) throws SQLException {
        StringBuilder out = new StringBuilder(4096).append("{\"run\":");
        try (PreparedStatement run = prepare("SELECT name, flow_id AS flowId, host, pid, started_ns / 1000000 AS startedMs,"
                + " ended_ns / 1000000 AS endedMs, outcome FROM run")) {
            JsonRows.first(out, run);
        }
        out.append(",\"counts\":");
        // the run's average rate: what a finished run shows, since its counts no longer change between polls
        try (PreparedStatement counts = prepare("SELECT submitted, max(0, submitted - running - finished - failed - cancelled) AS waiting,"
                + " running, finished, failed, cancelled, at_ns / 1000000 AS atMs,"
                + " (finished + failed + cancelled) * 1e9 / max(1, at_ns - (SELECT started_ns FROM run)) AS averagePerSecond"
                + " FROM progress ORDER BY at_ns DESC LIMIT 1")) {
            JsonRows.first(out, counts);
        }
        out.append(",\"series\":");
        try (PreparedStatement series = prepare("SELECT (at_ns - (SELECT started_ns FROM run)) / 1e9 AS t, submitted,"
                + " max(0, submitted - running - finished - failed - cancelled) AS waiting, running, finished, failed, cancelled FROM progress"
                + " WHERE rowid % max(1, (SELECT count(*) FROM progress) / ?) = 0"
                + " OR at_ns = (SELECT max(at_ns) FROM progress) ORDER BY at_ns")) {
            series.setInt(1, SERIES_POINTS);
            JsonRows.array(out, series);
        }
        out.append(",\"workers\":");
        try (PreparedStatement workers = prepare(workers(run().samplesHaveBusy()))) {
            JsonRows.array(out, workers);
        }
        out.append(",\"recordingStopped\":");
        if (recordingStopped == null) {
            out.append("null");
        } else {
            Json.string(out, recordingStopped);
        }
        return out.append('}').toString();
    }

    /**
     * Failed tasks and why, most recent first; {@code hasTails} is 1 if the failure recorded the last lines of
     * a command's output (which its message then quotes), else 0.
     */
    String failures(Map<String, String> query) throws SQLException, BadRequest {
        try (PreparedStatement failures = prepare("SELECT task_id AS id, name, attempt, worker, type, message,"
                + " root_task_id AS rootTaskId, stderr_tail IS NOT NULL OR stdout_tail IS NOT NULL AS hasTails"
                + " FROM failed_tasks ORDER BY task_id DESC LIMIT ?")) {
            failures.setInt(1, limit(query));
            return JsonRows.array(new StringBuilder(), failures).toString();
        }
    }

    /**
     * Waiting, running and ended tasks, filtered by state and name ({@code name} may use SQL LIKE wildcards),
     * most recent first.
     */
    String tasks(Map<String, String> query) throws SQLException, BadRequest {
        String state = query.get("state");
        if (state != null && !state.isEmpty() && !state.matches("waiting|running|finished|failed|cancelled")) {
            throw new BadRequest(400, "state must be waiting, running, finished, failed or cancelled, got '" + state + "'");
        }
        try (PreparedStatement tasks = prepare("SELECT task_id AS id, name, executor, state, attempts,"
                + " (ended_ns - submitted_ns) / 1e6 AS totalMs FROM tasks WHERE (?1 IS NULL OR state = ?1)"
                + " AND (?2 IS NULL OR name LIKE ?2) ORDER BY task_id DESC LIMIT ?3")) {
            tasks.setString(1, state == null || state.isEmpty() ? null : state);
            String name = query.get("name");
            tasks.setString(2, name == null || name.isEmpty() ? null : name);
            tasks.setInt(3, limit(query));
            return JsonRows.array(new StringBuilder(), tasks).toString();
        }
    }

    /**
     * One task: its row, tries, failures with stack traces, a command's output files with their last lines
     * ({@link #commandOutputs}), and the tasks it depends on, each with its state and whether it is unfinished
     * (null for a dependency without a row: a value, or a task not yet seen).
     */
    String task(Map<String, String> query) throws SQLException, BadRequest {
        long id = number(query, "id");
        StringBuilder out = new StringBuilder(4096).append("{\"task\":");
        try (PreparedStatement task = prepare("SELECT task_id AS id, name, executor, cores, gpus, memory_bytes AS memoryBytes,"
                + " state, attempts, submitted_ns / 1000000 AS submittedMs, ready_ns / 1000000 AS readyMs,"
                + " ended_ns / 1000000 AS endedMs FROM tasks WHERE task_id = ?")) {
            task.setLong(1, id);
            int before = out.length();
            JsonRows.first(out, task);
            if (out.indexOf("null", before) == before) {
                throw new BadRequest(404, "no task " + id + " in this run (a task appears within a sample of its"
                        + " submission)");
            }
        }
        out.append(",\"tries\":");
        try (PreparedStatement tries = prepare("SELECT attempt, worker, outcome, (ended_ns - started_ns) / 1e6 AS ms,"
                + " (started_ns - (SELECT started_ns FROM run)) / 1e6 AS startMs,"
                + " (ended_ns - (SELECT started_ns FROM run)) / 1e6 AS endMs FROM tries WHERE task_id = ? ORDER BY attempt")) {
            tries.setLong(1, id);
            JsonRows.array(out, tries);
        }
        out.append(",\"failures\":");
        try (PreparedStatement failures = prepare("SELECT attempt, outcome, type, message, root_task_id AS rootTaskId,"
                + " stack_trace AS stackTrace, stderr_tail AS stderrTail, stdout_tail AS stdoutTail FROM failures"
                + " WHERE task_id = ? ORDER BY attempt")) {
            failures.setLong(1, id);
            JsonRows.array(out, failures);
        }
        out.append(",\"outputs\":");
        commandOutputs(out, id);
        out.append(",\"dependencies\":");
        try (PreparedStatement dependencies = prepare("SELECT d.depends_on AS id, t.name, t.state,"
                + " CASE WHEN t.state IS NULL THEN NULL ELSE t.state <> 'finished' END AS unfinished FROM dependencies d"
                + " LEFT JOIN tasks t ON t.task_id = d.depends_on WHERE d.task_id = ? ORDER BY d.depends_on")) {
            dependencies.setLong(1, id);
            JsonRows.array(out, dependencies);
        }
        return out.append('}').toString();
    }

    /**
     * For a command task (its executor has a run directory), each try's output files and their last lines
     * (as a failure records them: {@link CommandExecutor#output}), read now, while the command runs or long
     * after; {@code stdoutExists} and {@code stderrExists} say whether the files are still (or already) there.
     * Empty for other tasks, and in a database of schema version 2, which has no run directories. Only the
     * last {@value #MAX_OUTPUT_TRIES} tries: each costs two files read on the dashboard's only thread.
     */
    private void commandOutputs(StringBuilder out, long id) throws SQLException {
        out.append('[');
        String name = null;
        Path runDirectory = null;
        try (PreparedStatement task = prepare("SELECT name, executor FROM tasks WHERE task_id = ?")) {
            task.setLong(1, id);
            try (ResultSet result = task.executeQuery()) {
                if (result.next()) {
                    name = result.getString(1);
                    runDirectory = run().commandRunDirectory(result.getString(2));
                }
            }
        }
        if (runDirectory != null) {
            try (PreparedStatement tries = prepare("SELECT attempt FROM (SELECT attempt FROM tries WHERE task_id = ?"
                    + " ORDER BY attempt DESC LIMIT " + MAX_OUTPUT_TRIES + ") ORDER BY attempt")) {
                tries.setLong(1, id);
                try (ResultSet result = tries.executeQuery()) {
                    for (boolean first = true; result.next(); first = false) {
                        int attempt = result.getInt(1);
                        CommandOutput output = CommandExecutor.output(runDirectory, name, id, attempt);
                        out.append(first ? "" : ",").append("{\"attempt\":").append(attempt).append(",\"stdoutFile\":");
                        Json.string(out, output.stdout().toString()).append(",\"stdoutExists\":")
                                .append(Files.exists(output.stdout())).append(",\"stdoutTail\":");
                        Json.string(out, output.stdoutTail()).append(",\"stderrFile\":");
                        Json.string(out, output.stderr().toString()).append(",\"stderrExists\":")
                                .append(Files.exists(output.stderr())).append(",\"stderrTail\":");
                        Json.string(out, output.stderrTail()).append('}');
                    }
                }
            }
        }
        out.append(']');
    }

    /**
     * The task graph: every task up to {@code max} tasks (default {@value TaskGraphDot#DEFAULT_MAX_TASKS}),
     * grouped by name above.
     */
    String graph(Map<String, String> query) throws SQLException, BadRequest {
        int max = maxGraphTasks(query);
        long now = System.nanoTime();
        GraphAnswer last = lastGraph;
        // the file may hold another run since (deleted and recorded again): an answer is for its run only
        RunDatabase.RunSummary summary = run().run();
        String run = summary.flowId() + ":" + summary.startedNs();
        // an interrupted run may still write for a few seconds after its end
        boolean runEnded = summary.endedNs() != 0 && summary.outcome() != null && !summary.outcome().equals("interrupted");
        if (last != null && last.max == max && last.run.equals(run) && last.reusableAt(now)) {
            return last.json;
        }
        String json = graphJson(max);
        lastGraph = new GraphAnswer(max, run, json, now, System.nanoTime() - now, runEnded);
        return json;
    }

    /**
     * The graph's last answer. Grouping a million tasks takes seconds, and the dashboard answers one request
     * at a time: the page asks for the graph every few seconds, which would leave little time for the rest.
     */
    static final class GraphAnswer {
        /** An answer is computed again only after this many times what it cost... */
        static final int REUSE_FOR_COSTS = 4;
        /** ... if it cost at least this much; a cheaper one is always computed afresh. */
        static final long CHEAP_NANOS = 100_000_000;

        final int max;
        /** The run it is of: its flow's id and start. */
        final String run;
        final String json;
        final long computedAtNanos;
        final long costNanos;
        final boolean afterTheRunEnded;

        GraphAnswer(int max, String run, String json, long computedAtNanos, long costNanos, boolean afterTheRunEnded) {
            this.max = max;
            this.run = run;
            this.json = json;
            this.computedAtNanos = computedAtNanos;
            this.costNanos = costNanos;
            this.afterTheRunEnded = afterTheRunEnded;
        }

        /**
         * Whether this answer may be given again at {@code nowNanos}, to a request about the same run: always if
         * it was computed after the run ended (the graph cannot change any more), else while younger than {@value #REUSE_FOR_COSTS} times
         * its cost, if that was not cheap. So the graph of a live run takes at most about a quarter of the
         * dashboard's time, and an answer given is at most about four times its cost old.
         */
        boolean reusableAt(long nowNanos) {
            return afterTheRunEnded || costNanos >= CHEAP_NANOS && nowNanos - computedAtNanos < REUSE_FOR_COSTS * costNanos;
        }
    }

    private String graphJson(int max) throws SQLException {
        TaskGraph graph = TaskGraph.read(run(), max);
        StringBuilder out = new StringBuilder(64 * graph.nodes().size() + 64)
                .append("{\"grouped\":").append(graph.grouped()).append(",\"trimmed\":").append(graph.trimmed())
                .append(",\"leftOutGroups\":").append(graph.leftOutGroups()).append(",\"leftOutTasks\":")
                .append(graph.leftOutTasks()).append(",\"nodes\":[");
        for (int i = 0; i < graph.nodes().size(); i++) {
            TaskGraph.Node node = graph.nodes().get(i);
            out.append(i > 0 ? "," : "").append("{\"key\":");
            Json.string(out, node.key()).append(",\"name\":");
            Json.string(out, node.name()).append(",\"tasks\":").append(node.tasks()).append(",\"finished\":")
                    .append(node.finished()).append(",\"running\":").append(node.running()).append(",\"waiting\":")
                    .append(node.waiting()).append(",\"failed\":").append(node.failed()).append(",\"cancelled\":")
                    .append(node.cancelled()).append(",\"state\":");
            Json.string(out, node.state()).append('}');
        }
        out.append("],\"edges\":[");
        for (int i = 0; i < graph.edges().size(); i++) {
            TaskGraph.Edge edge = graph.edges().get(i);
            out.append(i > 0 ? "," : "").append('[').append(edge.from()).append(',').append(edge.to()).append(',')
                    .append(edge.count()).append(']');
        }
        return out.append("]}").toString();
    }

    /** The graph's bound on tasks drawn one by one: {@code max}, default {@value TaskGraphDot#DEFAULT_MAX_TASKS}. */
    static int maxGraphTasks(Map<String, String> query) throws BadRequest {
        long max = query.containsKey("max") ? number(query, "max") : TaskGraphDot.DEFAULT_MAX_TASKS;
        if (max < 0 || max > MAX_GRAPH_TASKS) {
            throw new BadRequest(400, "max must be between 0 and " + MAX_GRAPH_TASKS + ", got " + max);
        }
        return (int) max;
    }

    /** Writes the run as a Chrome trace ({@link ChromeTrace}) to {@code out}. */
    void trace(Writer out) throws SQLException, IOException {
        ChromeTrace.write(run(), out);
    }

    /** Writes the task graph in DOT ({@link TaskGraphDot}) to {@code out}, grouped above {@code maxTasks}. */
    void dot(int maxTasks, Writer out) throws SQLException, IOException {
        TaskGraphDot.write(run(), out, maxTasks);
    }

    /** The latest tries (up to {@code limit}), for the timeline of tasks per worker; times in ms since the start. */
    String timeline(Map<String, String> query) throws SQLException, BadRequest {
        try (PreparedStatement tries = prepare("SELECT r.task_id AS id, t.name, r.attempt, r.worker, r.outcome,"
                + " (r.started_ns - (SELECT started_ns FROM run)) / 1e6 AS startMs,"
                + " (r.ended_ns - (SELECT started_ns FROM run)) / 1e6 AS endMs"
                + " FROM tries r JOIN tasks t USING (task_id) ORDER BY r.started_ns DESC LIMIT ?")) {
            tries.setInt(1, limit(query));
            return JsonRows.array(new StringBuilder(), tries).toString();
        }
    }

    private static int limit(Map<String, String> query) throws BadRequest {
        if (!query.containsKey("limit")) {
            return 100;
        }
        long limit = number(query, "limit");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BadRequest(400, "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return (int) limit;
    }

    private static long number(Map<String, String> query, String name) throws BadRequest {
        String value = query.get(name);
        if (value == null) {
            throw new BadRequest(400, "the parameter '" + name + "' is missing");
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "the parameter '" + name + "' must be a whole number, got '" + value + "'");
        }
    }

    /** Closes the connection, if a query opened one; the next query opens another. */
    @Override
    public void close() throws SQLException {
        RunDatabase open = run;
        run = null;
        if (open != null) {
            open.close();
        }
    }
}
