package io.paraflow.monitor.trace;

import io.paraflow.monitor.store.RunDatabase;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A run's task graph read from its database, small enough to draw: every task and dependency, or, above a
 * bound, one node per task name and one edge per pair of names. Edges go from a task to the tasks that
 * take its result; dependencies on plain values ({@code flow.value}) have no task and are left out.
 *
 * <p>Grouping by name is no help when names are all distinct ({@code sim-17}, {@code sim-18}, ...): above
 * {@value #MAX_GROUPS} names, tasks are grouped by their name without its trailing index (digits and the
 * separators before them: {@code sim-17} and {@code sim-18} are {@code sim*}), and if that still makes more
 * than {@value #MAX_GROUPS} groups, only the {@value #MAX_GROUPS} largest are kept: {@code leftOutGroups} and
 * {@code leftOutTasks} say what was left out (and the edges to those groups are).
 *
 * @param grouped       whether nodes are task names (or name patterns) rather than tasks
 * @param trimmed       whether nodes are names without their trailing index ({@code sim*}) rather than names
 * @param nodes         the nodes, in order of first submission
 * @param edges         the edges, by index into {@code nodes}
 * @param leftOutGroups how many groups were left out, beyond the {@value #MAX_GROUPS} largest
 * @param leftOutTasks  how many tasks those groups hold
 */
public record TaskGraph(boolean grouped, boolean trimmed, List<Node> nodes, List<Edge> edges, long leftOutGroups,
                        long leftOutTasks) {

    /** A task's states, in the order {@link Node#counts()} gives them. */
    private static final List<String> STATES = List.of("finished", "running", "waiting", "failed", "cancelled");

    /** The most groups a grouped graph draws. */
    public static final int MAX_GROUPS = 200;

    /** A task name without its trailing index: digits and the separators before them ("sim-17" is "sim"). */
    private static final String TRIMMED = "coalesce(nullif(rtrim(%1$s, '0123456789_-.:#[]() '), ''), %1$s)";

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

        /** How many of its tasks finished. */
        public long finished() {
            return tasks - failed - cancelled - running - waiting;
        }

        /**
         * How many of its tasks are in each state, those of none left out, in the order finished, running,
         * waiting, failed, cancelled: {@code "5 finished, 1 running, 34 waiting"}.
         */
        public String counts() {
            StringJoiner counts = new StringJoiner(", ");
            long[] values = {finished(), running, waiting, failed, cancelled};
            for (int i = 0; i < values.length; i++) {
                if (values[i] > 0) {
                    counts.add(values[i] + " " + STATES.get(i));
                }
            }
            return counts.toString();
        }

        /**
         * The state that tells most about the node at a glance: {@code failed} if any of its tasks failed,
         * else {@code running} if any runs, else {@code waiting} if any waits, else {@code cancelled} if any
         * was cancelled, else {@code finished}. So a group finishes only when all its tasks have ended, and
         * a failure shows whatever the rest are doing; the counts say how far it got. A single task's is
         * its own state.
         */
        public String state() {
            return failed > 0 ? "failed" : running > 0 ? "running" : waiting > 0 ? "waiting"
                    : cancelled > 0 ? "cancelled" : "finished";
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

    /**
     * Reads the graph of {@code run}: every task if there are at most {@code maxTasks}, else grouped by name
     * (or by name without its index above {@value #MAX_GROUPS} names, the {@value #MAX_GROUPS} largest groups).
     */
    public static TaskGraph read(RunDatabase run, int maxTasks) throws SQLException {
        if (maxTasks < 0) {
            throw new IllegalArgumentException("maxTasks must not be negative, got " + maxTasks);
        }
        if (count(run, "SELECT count(*) FROM tasks") <= maxTasks) {
            return read(run, null, false);
        }
        // stops at the first names beyond the bound rather than counting every distinct name
        boolean trimmed = count(run, "SELECT count(*) FROM (SELECT DISTINCT name FROM tasks LIMIT " + (MAX_GROUPS + 1) + ")")
                > MAX_GROUPS;
        return read(run, trimmed ? TRIMMED : "%1$s", trimmed);
    }

    /** Reads every task if {@code key} (an SQL template of a task's group, given its name) is null, else groups. */
    private static TaskGraph read(RunDatabase run, String key, boolean trimmed) throws SQLException {
        boolean grouped = key != null;
        String groupKey = grouped ? key.formatted("name") : null;
        // a group of one name is named after it; of several, after the pattern they share
        String nodeQuery = grouped
                ? "SELECT " + groupKey + ", CASE WHEN min(name) = max(name) THEN min(name) ELSE " + groupKey + " || '*' END,"
                        + " count(*) AS tasks, sum(state = 'failed'), sum(state = 'cancelled'), sum(state = 'running'),"
                        + " sum(state = 'waiting'), min(task_id) AS first FROM tasks GROUP BY 1 ORDER BY tasks DESC, first"
                : "SELECT task_id, name, 1, state = 'failed', state = 'cancelled', state = 'running', state = 'waiting',"
                        + " task_id FROM tasks ORDER BY task_id";
        List<Node> nodes = new ArrayList<>();
        Map<Node, Long> firstTask = new HashMap<>();
        long leftOutGroups = 0;
        long leftOutTasks = 0;
        try (PreparedStatement query = run.connection().prepareStatement(nodeQuery);
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                if (grouped && nodes.size() == MAX_GROUPS) {
                    leftOutGroups++;
                    leftOutTasks += result.getLong(3);
                    continue;
                }
                Node node = new Node(result.getString(1), result.getString(2), result.getLong(3), result.getLong(4),
                        result.getLong(5), result.getLong(6), result.getLong(7));
                firstTask.put(node, result.getLong(8));
                nodes.add(node);
            }
        }
        // the largest groups were kept; they are drawn in order of first submission
        nodes.sort(Comparator.comparing(firstTask::get));
        Map<String, Integer> index = new HashMap<>();
        nodes.forEach(node -> index.put(node.key(), index.size()));
        String edgeQuery = grouped
                ? "SELECT " + key.formatted("p.name") + ", " + key.formatted("c.name") + ", count(*)"
                        + " FROM dependencies d JOIN tasks c ON c.task_id = d.task_id JOIN tasks p ON p.task_id = d.depends_on"
                        + " GROUP BY 1, 2 ORDER BY min(p.task_id), min(c.task_id)"
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
        return new TaskGraph(grouped, trimmed, List.copyOf(nodes), List.copyOf(edges), leftOutGroups, leftOutTasks);
    }

    private static long count(RunDatabase run, String sql) throws SQLException {
        try (Statement statement = run.connection().createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getLong(1);
        }
    }
}
