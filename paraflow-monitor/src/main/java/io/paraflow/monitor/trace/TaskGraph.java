package io.paraflow.monitor.trace;

import io.paraflow.monitor.store.RunDatabase;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's task graph read from its database, small enough to draw: every task and dependency, or, above a
 * bound, one node per task name and one edge per pair of names. Edges go from a task to the tasks that
 * take its result; dependencies on plain values ({@code flow.value}) have no task and are left out.
 *
 * @param grouped whether nodes are task names rather than tasks
 * @param nodes   the nodes, in order of first submission
 * @param edges   the edges, by index into {@code nodes}
 */
public record TaskGraph(boolean grouped, List<Node> nodes, List<Edge> edges) {

    /**
     * A task, or all tasks of one name.
     *
     * @param key       the task's id, or the name when grouped
     * @param name      the task's name
     * @param tasks     how many tasks it stands for (1 unless grouped)
     * @param failed    how many of them failed
     * @param cancelled how many of them were cancelled
     * @param running   how many of them were still running (when the database was read, or when the run stopped)
     * @param waiting   how many of them were still waiting for their inputs or a slot (idem)
     */
    public record Node(String key, String name, long tasks, long failed, long cancelled, long running, long waiting) {

        /**
         * How the node's tasks ended: {@code failed} if any failed, else {@code cancelled} if any was, else
         * {@code waiting} if all wait still, else {@code running} if all run or wait still, else
         * {@code finished}.
         */
        public String state() {
            return failed > 0 ? "failed" : cancelled > 0 ? "cancelled" : waiting == tasks ? "waiting"
                    : running + waiting == tasks ? "running" : "finished";
        }
    }

    /**
     * A dependency, or all dependencies between two names.
     *
     * @param from  index of the node whose result is taken
     * @param to    index of the node that takes it
     * @param count how many dependencies it stands for
     */
    public record Edge(int from, int to, long count) {
    }

    /** Reads the graph of {@code run}: every task if there are at most {@code maxTasks}, else grouped by name. */
    public static TaskGraph read(RunDatabase run, int maxTasks) throws SQLException {
        if (maxTasks < 0) {
            throw new IllegalArgumentException("maxTasks must not be negative, got " + maxTasks);
        }
        boolean grouped = taskCount(run) > maxTasks;
        List<Node> nodes = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        String nodeQuery = grouped
                ? "SELECT name, name, count(*), sum(state = 'failed'), sum(state = 'cancelled'), sum(state = 'running'),"
                        + " sum(state = 'waiting') FROM tasks GROUP BY name ORDER BY min(task_id)"
                : "SELECT task_id, name, 1, state = 'failed', state = 'cancelled', state = 'running', state = 'waiting'"
                        + " FROM tasks ORDER BY task_id";
        try (PreparedStatement query = run.connection().prepareStatement(nodeQuery);
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                Node node = new Node(result.getString(1), result.getString(2), result.getLong(3), result.getLong(4),
                        result.getLong(5), result.getLong(6), result.getLong(7));
                index.put(node.key(), nodes.size());
                nodes.add(node);
            }
        }
        String edgeQuery = grouped
                ? "SELECT p.name, c.name, count(*) FROM dependencies d JOIN tasks c ON c.task_id = d.task_id"
                        + " JOIN tasks p ON p.task_id = d.depends_on GROUP BY p.name, c.name ORDER BY min(p.task_id), min(c.task_id)"
                : "SELECT d.depends_on, d.task_id, 1 FROM dependencies d JOIN tasks t ON t.task_id = d.depends_on"
                        + " ORDER BY d.depends_on, d.task_id";
        List<Edge> edges = new ArrayList<>();
        try (PreparedStatement query = run.connection().prepareStatement(edgeQuery);
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                Integer from = index.get(result.getString(1));
                Integer to = index.get(result.getString(2));
                if (from != null && to != null) {
                    edges.add(new Edge(from, to, result.getLong(3)));
                }
            }
        }
        return new TaskGraph(grouped, List.copyOf(nodes), List.copyOf(edges));
    }

    private static long taskCount(RunDatabase run) throws SQLException {
        try (Statement statement = run.connection().createStatement();
             ResultSet result = statement.executeQuery("SELECT count(*) FROM tasks")) {
            result.next();
            return result.getLong(1);
        }
    }
}
