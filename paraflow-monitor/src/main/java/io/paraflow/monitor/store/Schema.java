package io.paraflow.monitor.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The tables of a run database. The module README documents them for users; keep the two in step.
 * Times are nanoseconds since the epoch ({@code datetime(started_ns / 1e9, 'unixepoch')} in SQLite).
 */
final class Schema {

    /**
     * Stored in {@code PRAGMA user_version}, so that readers can refuse a database of another layout. Raised
     * with every change of a table: 2 added {@code tasks.gpus} and {@code failures.stdout_tail}, 3 added
     * {@code samples.busy} and {@code executors.run_directory}.
     */
    static final int VERSION = 3;
    /** The version that added {@code samples.busy} and {@code executors.run_directory}. */
    static final int BUSY_AND_RUN_DIRECTORY_SINCE = 3;

    /**
     * The oldest version {@link RunDatabase} reads: a database of version 2 lacks only {@code samples.busy}
     * and {@code executors.run_directory}, which its readers take as unknown
     * ({@link RunDatabase#samplesHaveBusy()}, {@link RunDatabase#commandRunDirectory}).
     */
    static final int OLDEST_READABLE = 2;

    private static final String[] TABLES = {
        """
        CREATE TABLE run (
          name TEXT, flow_id INTEGER NOT NULL, program TEXT, host TEXT, pid INTEGER, java TEXT,
          default_executor TEXT NOT NULL, max_unfinished INTEGER NOT NULL, cancel_on_close INTEGER NOT NULL,
          started_ns INTEGER NOT NULL, ended_ns INTEGER, outcome TEXT,
          tasks INTEGER, finished INTEGER, failed INTEGER, cancelled INTEGER)""",
        """
        CREATE TABLE executors (
          label TEXT PRIMARY KEY, cores INTEGER NOT NULL, memory_bytes INTEGER NOT NULL, gpus INTEGER NOT NULL,
          run_directory TEXT)""",
        """
        CREATE TABLE tasks (
          task_id INTEGER PRIMARY KEY, name TEXT NOT NULL, executor TEXT NOT NULL,
          cores INTEGER NOT NULL, gpus INTEGER NOT NULL, memory_bytes INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL,
          submitted_ns INTEGER NOT NULL, ready_ns INTEGER, ended_ns INTEGER)""",
        "CREATE INDEX tasks_by_state ON tasks (state)",
        """
        CREATE TABLE dependencies (
          task_id INTEGER NOT NULL, depends_on INTEGER NOT NULL,
          PRIMARY KEY (task_id, depends_on)) WITHOUT ROWID""",
        """
        CREATE TABLE tries (
          task_id INTEGER NOT NULL, attempt INTEGER NOT NULL, worker TEXT,
          started_ns INTEGER NOT NULL, ended_ns INTEGER, outcome TEXT NOT NULL,
          PRIMARY KEY (task_id, attempt)) WITHOUT ROWID""",
        """
        CREATE TABLE failures (
          task_id INTEGER NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL,
          type TEXT NOT NULL, message TEXT, root_task_id INTEGER, stack_trace TEXT, stderr_tail TEXT,
          stdout_tail TEXT, PRIMARY KEY (task_id, attempt)) WITHOUT ROWID""",
        """
        CREATE TABLE samples (
          worker TEXT NOT NULL, at_ns INTEGER NOT NULL, cpu_load REAL, cpu_time_ns INTEGER,
          memory_used_bytes INTEGER, memory_max_bytes INTEGER, busy REAL)""",
        "CREATE INDEX samples_by_worker ON samples (worker, at_ns)",
        // each worker's last known memory in a look-up: most samples (those of threads) have none
        "CREATE INDEX samples_with_memory ON samples (worker, at_ns) WHERE memory_used_bytes IS NOT NULL",
        """
        CREATE TABLE progress (
          at_ns INTEGER PRIMARY KEY, submitted INTEGER NOT NULL, running INTEGER NOT NULL,
          finished INTEGER NOT NULL, failed INTEGER NOT NULL, cancelled INTEGER NOT NULL)""",
        """
        CREATE VIEW failed_tasks AS
          SELECT t.task_id, t.name, t.executor, f.attempt, w.worker, f.type, f.message, f.root_task_id,
                 f.stack_trace, f.stderr_tail, f.stdout_tail
          FROM tasks t JOIN failures f ON f.task_id = t.task_id AND f.attempt = t.attempts
               LEFT JOIN tries w ON w.task_id = t.task_id AND w.attempt = t.attempts
          WHERE t.state = 'failed'""",
    };

    private Schema() {
    }

    /** Creates every table and index in an empty database. */
    static void create(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            for (String table : TABLES) {
                statement.executeUpdate(table);
            }
            statement.executeUpdate("PRAGMA user_version = " + VERSION);
        }
    }
}
