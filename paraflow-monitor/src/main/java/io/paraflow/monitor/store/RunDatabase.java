package io.paraflow.monitor.store;

import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A run database opened for reading, by the exports and tools. Reading while the run is still written is
 * fine (WAL mode): what has been flushed is visible.
 *
 * <p>Not thread-safe: use one instance per thread. Methods throw {@link SQLException} when SQLite does.
 */
public final class RunDatabase implements AutoCloseable {

    private final Path file;
    private final Connection connection;
    /** Its {@code PRAGMA user_version}, from {@link Schema#OLDEST_READABLE} to {@link Schema#VERSION}. */
    private final int version;

    private RunDatabase(Path file, Connection connection, int version) {
        this.file = file;
        this.connection = connection;
        this.version = version;
    }

    /**
     * Opens the run database {@code file} read-only.
     *
     * @throws IllegalArgumentException if the file does not exist or is not a Paraflow run database of a
     *                                  schema this version reads (the current one, or version 2, which has no
     *                                  {@code samples.busy} nor {@code executors.run_directory}: see
     *                                  {@link #samplesHaveBusy()}, {@link #commandRunDirectory})
     * @throws SQLException             if SQLite cannot read it
     */
    public static RunDatabase open(Path file) throws SQLException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no run database at " + file + ": "
                    + (Files.isDirectory(file) ? "it is a directory" : "the file does not exist"));
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        Connection connection = config.createConnection("jdbc:sqlite:" + file);
        try {
            int version;
            boolean hasRun;
            try (Statement statement = connection.createStatement()) {
                try (ResultSet result = statement.executeQuery("PRAGMA user_version")) {
                    version = result.next() ? result.getInt(1) : 0;
                }
                try (ResultSet result = statement.executeQuery(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'run'")) {
                    hasRun = result.next() && result.getInt(1) == 1;
                }
            } catch (SQLException notSqlite) {
                throw new IllegalArgumentException(file + " is not a Paraflow run database: " + notSqlite.getMessage(),
                        notSqlite);
            }
            if (!hasRun || version < Schema.OLDEST_READABLE || version > Schema.VERSION) {
                throw new IllegalArgumentException(file + " is not a Paraflow run database of schema version "
                        + Schema.OLDEST_READABLE + " to " + Schema.VERSION + (!hasRun ? " (it has no run table)"
                        : " (it has version " + version + ": it was" + (version > Schema.VERSION
                        ? " recorded by a newer version of Paraflow; read it with that version)"
                        : " recorded by an older version of Paraflow, whose databases this one does not read)")));
            }
            return new RunDatabase(file, connection, version);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /** The read-only connection, for queries of your own (the tables are in the module README). */
    public Connection connection() {
        return connection;
    }

    /**
     * Whether {@code samples} has the column {@code busy}: databases of schema version 2, recorded before it
     * was added, do not; queries of them take it as unknown ({@code NULL}).
     */
    public boolean samplesHaveBusy() {
        return version >= Schema.BUSY_AND_RUN_DIRECTORY_SINCE;
    }

    /**
     * Where the commands of the executor {@code executorLabel} wrote their output files ({@code
     * executors.run_directory}): find an attempt's files there with
     * {@link io.paraflow.command.CommandExecutor#outputFile}. Null if that executor runs no commands, is not in
     * this run, the database is of schema version 2, which did not record it, or the recorded directory is not
     * a path on this system.
     */
    public Path commandRunDirectory(String executorLabel) throws SQLException {
        if (version < Schema.BUSY_AND_RUN_DIRECTORY_SINCE) {
            return null;
        }
        try (PreparedStatement query = connection.prepareStatement("SELECT run_directory FROM executors WHERE label = ?")) {
            query.setString(1, executorLabel);
            try (ResultSet result = query.executeQuery()) {
                String directory = result.next() ? result.getString(1) : null;
                try {
                    return directory == null ? null : Path.of(directory);
                } catch (InvalidPathException notAPathHere) {
                    // recorded on another system, or a damaged file: no output files to find
                    return null;
                }
            }
        }
    }

    /** What {@code run} records: the run's name (or null), when it started and ended (0 while running). */
    public RunSummary run() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT name, flow_id, started_ns, ended_ns, outcome FROM run")) {
            if (!result.next()) {
                throw new IllegalStateException(file + " has no run row");
            }
            return new RunSummary(result.getString(1), result.getLong(2), result.getLong(3), result.getLong(4),
                    result.getString(5));
        }
    }

    /**
     * The run's row.
     *
     * @param name      the run's name, or null
     * @param flowId    the flow's id
     * @param startedNs when it started
     * @param endedNs   when it ended, 0 if it has not (or the program died)
     * @param outcome   how it ended, null if it has not
     */
    public record RunSummary(String name, long flowId, long startedNs, long endedNs, String outcome) {
    }

    /**
     * The latest time the database records, for a run that has no end yet (it goes on, or its program was
     * killed): the latest progress sample, resource sample, try start or try end, or the run's start if there
     * is none. Scans the tries once.
     */
    public long latestRecordedNs() throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT max(coalesce((SELECT max(at_ns) FROM progress), 0),"
                     + " coalesce((SELECT max(at_ns) FROM samples), 0), coalesce(latest.started, 0),"
                     + " coalesce(latest.ended, 0), (SELECT started_ns FROM run))"
                     + " FROM (SELECT max(started_ns) AS started, max(ended_ns) AS ended FROM tries) AS latest")) {
            result.next();
            return result.getLong(1);
        }
    }

    /** A try with its task's name and executor, as {@link #forEachTry} gives it. */
    public record TryView(long taskId, String name, String executor, int attempt, String worker, long startedNs,
                          long endedNs, String outcome) {
    }

    /** Receives rows one at a time, typically to write them somewhere. */
    @FunctionalInterface
    public interface RowConsumer<T> {
        /** Takes one row. */
        void accept(T row) throws IOException;
    }

    /** Every try, ordered by executor, worker and start; {@code endedNs} is 0 for a try that did not end. */
    public void forEachTry(RowConsumer<TryView> consumer) throws SQLException, IOException {
        try (PreparedStatement query = connection.prepareStatement("SELECT r.task_id, t.name, t.executor, r.attempt,"
                + " r.worker, r.started_ns, coalesce(r.ended_ns, 0), r.outcome FROM tries r JOIN tasks t USING (task_id)"
                + " ORDER BY t.executor, r.worker, r.started_ns");
             ResultSet result = query.executeQuery()) {
            while (result.next()) {
                consumer.accept(new TryView(result.getLong(1), result.getString(2), result.getString(3),
                        result.getInt(4), result.getString(5), result.getLong(6), result.getLong(7), result.getString(8)));
            }
        }
    }

    /** Closes the connection. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
