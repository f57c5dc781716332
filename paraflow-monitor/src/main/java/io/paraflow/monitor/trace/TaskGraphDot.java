package io.paraflow.monitor.trace;

import io.paraflow.monitor.store.RunDatabase;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * Exports a run's task graph in Graphviz DOT ({@code dot -Tsvg graph.dot > graph.svg}). Edges go from a
 * task to the tasks that take its result; nodes are coloured by how the task ended (green finished, red
 * failed, grey cancelled, white not ended). Above {@code maxTasks} tasks a drawing of every task is
 * unreadable, so the graph is grouped by task name: one node per name with its counts, one edge per pair
 * of names with the number of dependencies between them.
 */
public final class TaskGraphDot {

    /** The default bound above which the graph is grouped by task name. */
    public static final int DEFAULT_MAX_TASKS = 2_000;

    private static final Map<String, String> FILL = Map.of(
            "finished", "#c8e6c9", "failed", "#ffcdd2", "cancelled", "#e0e0e0");

    private TaskGraphDot() {
    }

    /** Writes the graph of {@code run} to the new or replaced file {@code out}, grouped above {@code maxTasks}. */
    public static void write(RunDatabase run, Path out, int maxTasks) throws IOException, SQLException {
        try (Writer writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            write(run, writer, maxTasks);
        }
    }

    /** Writes the graph of {@code run} to {@code out}, which it does not close; grouped above {@code maxTasks}. */
    public static void write(RunDatabase run, Writer out, int maxTasks) throws IOException, SQLException {
        if (maxTasks < 0) {
            throw new IllegalArgumentException("maxTasks must not be negative, got " + maxTasks);
        }
        Writer writer = out instanceof BufferedWriter ? out : new BufferedWriter(out);
        writer.write("digraph run {\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n");
        if (taskCount(run) <= maxTasks) {
            everyTask(run, writer);
        } else {
            byName(run, writer);
        }
        writer.write("}\n");
        writer.flush();
    }

    private static long taskCount(RunDatabase run) throws SQLException {
        try (Statement statement = run.connection().createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*) FROM tasks")) {
            result.next();
            return result.getLong(1);
        }
    }

    private static void everyTask(RunDatabase run, Writer out) throws SQLException, IOException {
        try (PreparedStatement query = run.connection().prepareStatement(
                "SELECT task_id, name, state FROM tasks ORDER BY task_id");
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                long id = result.getLong(1);
                out.write("  t" + id + " [label=" + quoted(result.getString(2) + "\n#" + id)
                        + ", fillcolor=" + quoted(FILL.getOrDefault(result.getString(3), "white")) + "];\n");
            }
        }
        // dependencies on plain values (flow.value) have no task row: they are not drawn
        try (PreparedStatement query = run.connection().prepareStatement("SELECT d.depends_on, d.task_id FROM dependencies d"
                + " JOIN tasks t ON t.task_id = d.depends_on ORDER BY d.depends_on, d.task_id");
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                out.write("  t" + result.getLong(1) + " -> t" + result.getLong(2) + ";\n");
            }
        }
    }

    private static void byName(RunDatabase run, Writer out) throws SQLException, IOException {
        try (PreparedStatement query = run.connection().prepareStatement("SELECT name, count(*),"
                + " sum(state = 'failed'), sum(state = 'cancelled') FROM tasks GROUP BY name ORDER BY min(task_id)");
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                String name = result.getString(1);
                long failed = result.getLong(3);
                long cancelled = result.getLong(4);
                String label = name + "\n" + result.getLong(2) + " tasks"
                        + (failed > 0 ? ", " + failed + " failed" : "") + (cancelled > 0 ? ", " + cancelled + " cancelled" : "");
                String fill = failed > 0 ? FILL.get("failed") : cancelled > 0 ? FILL.get("cancelled") : FILL.get("finished");
                out.write("  " + quoted(name) + " [label=" + quoted(label) + ", fillcolor=" + quoted(fill) + "];\n");
            }
        }
        try (PreparedStatement query = run.connection().prepareStatement("SELECT p.name, c.name, count(*)"
                + " FROM dependencies d JOIN tasks c ON c.task_id = d.task_id JOIN tasks p ON p.task_id = d.depends_on"
                + " GROUP BY p.name, c.name ORDER BY min(p.task_id), min(c.task_id)");
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                out.write("  " + quoted(result.getString(1)) + " -> " + quoted(result.getString(2))
                        + " [label=" + quoted(String.valueOf(result.getLong(3))) + "];\n");
            }
        }
    }

    /** A DOT string literal; a line break becomes DOT's centred line break. */
    static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
