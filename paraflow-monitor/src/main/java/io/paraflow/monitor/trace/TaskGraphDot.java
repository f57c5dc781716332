package io.paraflow.monitor.trace;

import io.paraflow.monitor.store.RunDatabase;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Exports a run's task graph ({@link TaskGraph}) in Graphviz DOT ({@code dot -Tsvg graph.dot > graph.svg}).
 * Edges go from a task to the tasks that take its result; nodes are coloured by the task's state (green
 * finished, red failed, grey cancelled, blue running, white waiting). Above {@code maxTasks} tasks a drawing
 * of every task is unreadable, so the graph is grouped by task name: one node per name labelled with how many
 * of its tasks are in each state ({@link TaskGraph.Node#counts()}) and filled with stripes of their colours
 * as wide as their shares (a group of one state is filled with its colour), one edge per pair of names with
 * the number of dependencies between them; names that are all distinct ({@code sim-17}, ...)
 * are grouped without their trailing index, and at most {@value TaskGraph#MAX_GROUPS} groups are drawn, the
 * graph's label saying what was left out (see {@link TaskGraph}).
 */
public final class TaskGraphDot {

    /** The default bound above which the graph is grouped by task name. */
    public static final int DEFAULT_MAX_TASKS = 2_000;

    private static final Map<String, String> FILL = Map.of(
            "finished", "#c8e6c9", "failed", "#ffcdd2", "cancelled", "#e0e0e0", "running", "#bbdefb",
            "waiting", "#ffffff");

    /** The order of a group's stripes, left to right: the ended tasks first. */
    private static final List<String> STRIPES = List.of("finished", "failed", "cancelled", "running", "waiting");

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
        TaskGraph graph = TaskGraph.read(run, maxTasks);
        Writer writer = out instanceof BufferedWriter ? out : new BufferedWriter(out);
        writer.write("digraph run {\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n");
        if (graph.leftOutGroups() > 0) {
            writer.write("  labelloc=t;\n  label=" + quoted(leftOut(graph)) + ";\n");
        }
        for (TaskGraph.Node node : graph.nodes()) {
            String label = graph.grouped()
                    ? node.name() + "\n" + node.tasks() + (node.tasks() == 1 ? " task: " : " tasks: ") + node.counts()
                    : node.name() + "\n#" + node.key();
            writer.write("  " + id(graph, node) + " [label=" + quoted(label) + fill(node) + "];\n");
        }
        for (TaskGraph.Edge edge : graph.edges()) {
            writer.write("  " + id(graph, graph.nodes().get(edge.from())) + " -> " + id(graph, graph.nodes().get(edge.to()))
                    + (graph.grouped() ? " [label=" + quoted(String.valueOf(edge.count())) + "]" : "") + ";\n");
        }
        writer.write("}\n");
        writer.flush();
    }

    /**
     * The node's fill: the colour of its state, or for a group of tasks in several states, stripes of the
     * states' colours as wide as their shares of the tasks, the ended ones first (left to right: finished,
     * failed, cancelled, running, waiting), so that how far the group got shows as a partial fill. The last
     * stripe takes what is left, so that rounded shares never add up to more than the whole.
     */
    private static String fill(TaskGraph.Node node) {
        long[] counts = {node.finished(), node.failed(), node.cancelled(), node.running(), node.waiting()};
        int states = 0;
        int last = 0;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                states++;
                last = i;
            }
        }
        if (states < 2) {
            return ", fillcolor=" + quoted(FILL.get(node.state()));
        }
        StringJoiner stripes = new StringJoiner(":");
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                stripes.add(FILL.get(STRIPES.get(i))
                        + (i == last ? "" : String.format(Locale.ROOT, ";%.3f", (double) counts[i] / node.tasks())));
            }
        }
        return ", style=\"striped\", fillcolor=" + quoted(stripes.toString());
    }

    private static String id(TaskGraph graph, TaskGraph.Node node) {
        return graph.grouped() ? quoted(node.key()) : "t" + node.key();
    }

    /** What a grouped graph left out, in words. */
    private static String leftOut(TaskGraph graph) {
        return "not drawn: " + graph.leftOutGroups() + " smaller group(s) of " + graph.leftOutTasks() + " task(s)";
    }

    /** A DOT string literal; a line break becomes DOT's centred line break. */
    static String quoted(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
