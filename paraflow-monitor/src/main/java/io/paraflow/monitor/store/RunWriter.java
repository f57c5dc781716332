package io.paraflow.monitor.store;

import io.paraflow.event.FlowInfo;
import io.paraflow.exec.Resources;
import io.paraflow.monitor.progress.Progress;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Map;

/**
 * Writes one run's database. Rows go out in multi-row INSERTs, each block of a table as it fills and the
 * rest at the next {@link #flush()}, so rows of one table are written in the order they were added (rows of
 * different tables need no order), all inside one transaction per {@link #flush()}; the file is in WAL mode, so readers (the dashboard, {@code sqlite3}) see
 * every flushed row while the run goes on, and no row added since.
 *
 * <p>While the run goes on, the latest rows are in SQLite's write-ahead log, {@code FILE-wal} beside the file.
 * When the run's end is recorded ({@link #recordEnd}, {@link #finish}) the log is folded into the file, and so
 * is each later flush's (rows an interrupted run writes while its JVM shuts down), so that the file alone holds
 * the run: what copying or moving it takes. SQLite cannot fold in rows newer than what a reader in the middle
 * of a query reads (readers between queries do not hold it up), and then leaves the file readable only with
 * its log: the writer waits for up to {@value #READER_WAIT_MILLIS} ms and, if the reader is still at it, logs
 * a warning that names the file and says that its log must stay beside it; later flushes then leave the log
 * alone, until the next {@link #recordEnd} or {@link #finish} tries again.
 *
 * <p>Not thread-safe: one thread (the monitor's) owns a writer from {@link #create} to {@link #finish}.
 * Every method throws {@link SQLException} when SQLite does; the writer is then unusable except for
 * {@link #close()}.
 */
public final class RunWriter implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RunWriter.class.getName());
    /**
     * How long folding the log into the file at the run's end waits for a reader in the middle of a query
     * (SQLite retries meanwhile). This connection is the file's only writer: it waits for nothing else.
     */
    private static final int READER_WAIT_MILLIS = 3_000;
    /** Rows added before the writer flushes by itself, bounding what one transaction holds. */
    private static final int MAX_PENDING_ROWS = 20_000;
    /**
     * Rows per INSERT statement: SQLite takes a statement of many rows in about the time of a few
     * single-row ones (1.5x the tasks per second at 100 rows, measured in the commit that added it).
     */
    static final int ROWS_PER_INSERT = 100;
    private static final String TASK_COLUMNS = " INTO tasks (task_id, name, executor, cores, gpus, memory_bytes,"
            + " state, attempts, submitted_ns, ready_ns, ended_ns) VALUES ";
    private static final int TASK_COLUMN_COUNT = 11;
    private static final String TRY_COLUMNS = " INTO tries (task_id, attempt, worker, started_ns,"
            + " ended_ns, outcome) VALUES ";
    private static final int TRY_COLUMN_COUNT = 6;
    private static final String REPLACE = "INSERT OR REPLACE";
    /** Rows of running tries never replace the rows of their ends, whichever comes first. */
    private static final String KEEP = "INSERT OR IGNORE";
    /**
     * A task's states only move forward, whichever row is written first: {@code waiting} replaces nothing,
     * {@code running} replaces {@code waiting} and {@code running} rows of fewer attempts (a task waiting for
     * its next try has as many as it made), an end replaces anything.
     */
    private static final String RUNNING_REPLACES_WAITING = " ON CONFLICT (task_id) DO UPDATE SET state = excluded.state,"
            + " attempts = excluded.attempts, ready_ns = excluded.ready_ns WHERE tasks.state IN ('waiting', 'running')"
            + " AND tasks.attempts < excluded.attempts";

    private final Path file;
    private final Connection connection;
    private final MultiRowInsert<TaskRow> insertTasks;
    private final MultiRowInsert<TryRow> insertTries;
    private final MultiRowInsert<long[]> insertDependencies;
    private final MultiRowInsert<TaskRow> insertRunningTasks;
    private final MultiRowInsert<TaskRow> insertWaitingTasks;
    private final MultiRowInsert<TryRow> insertRunningTries;
    private final PreparedStatement waitForNextTry;
    private final PreparedStatement insertFailure;
    private final PreparedStatement insertSample;
    private final PreparedStatement insertProgress;
    private int pendingRows;
    /** Whether each flush folds the log into the file: from the run's recorded end on, while folding completes. */
    private boolean foldEachFlush;

    private RunWriter(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.insertTasks = new MultiRowInsert<>(connection, REPLACE + TASK_COLUMNS, TASK_COLUMN_COUNT, ROWS_PER_INSERT,
                RunWriter::taskColumn);
        this.insertTries = new MultiRowInsert<>(connection, REPLACE + TRY_COLUMNS, TRY_COLUMN_COUNT, ROWS_PER_INSERT,
                RunWriter::tryColumn);
        this.insertDependencies = new MultiRowInsert<>(connection,
                "INSERT OR IGNORE INTO dependencies (task_id, depends_on) VALUES ", 2, ROWS_PER_INSERT,
                (dependency, column) -> dependency[column]);
        this.insertRunningTasks = new MultiRowInsert<>(connection, "INSERT" + TASK_COLUMNS, RUNNING_REPLACES_WAITING,
                TASK_COLUMN_COUNT, ROWS_PER_INSERT, RunWriter::taskColumn);
        this.insertWaitingTasks = new MultiRowInsert<>(connection, KEEP + TASK_COLUMNS, TASK_COLUMN_COUNT,
                ROWS_PER_INSERT, RunWriter::taskColumn);
        this.insertRunningTries = new MultiRowInsert<>(connection, KEEP + TRY_COLUMNS, TRY_COLUMN_COUNT,
                ROWS_PER_INSERT, RunWriter::tryColumn);
        this.waitForNextTry = connection.prepareStatement("UPDATE tasks SET state = 'waiting', attempts = ?2"
                + " WHERE task_id = ?1 AND state IN ('waiting', 'running') AND attempts <= ?2");
        this.insertFailure = connection.prepareStatement("INSERT OR REPLACE INTO failures (task_id, attempt, outcome,"
                + " type, message, root_task_id, stack_trace, stderr_tail, stdout_tail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.insertSample = connection.prepareStatement("INSERT INTO samples (worker, at_ns, cpu_load, cpu_time_ns,"
                + " memory_used_bytes, memory_max_bytes, busy) VALUES (?, ?, ?, ?, ?, ?, ?)");
        this.insertProgress = connection.prepareStatement("INSERT OR REPLACE INTO progress (at_ns, submitted, running,"
                + " finished, failed, cancelled) VALUES (?, ?, ?, ?, ?, ?)");
    }

    /**
     * Creates the database file of a new run (and missing parent directories) and records the run's start
     * and configuration.
     *
     * @param name the run's name, or null
     * @throws IllegalArgumentException if {@code file} already exists (each run gets its own file) or is a directory,
     *                                  or its log {@code FILE-wal} exists, not empty: rows of another run whose file
     *                                  was moved or deleted without it, which SQLite would take into the new file
     * @throws IOException              if the parent directories cannot be created (the message names the one)
     * @throws SQLException             if SQLite cannot create the database
     */
    public static RunWriter create(Path file, String name, FlowInfo flow) throws IOException, SQLException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("monitoring database " + file + " is a directory; give the name of a new"
                    + " file, such as " + file.resolve("run.db"));
        }
        if (Files.exists(file)) {
            throw new IllegalArgumentException("monitoring database " + file + " already exists; give each run"
                    + " its own file, or delete the old one");
        }
        Path log = Path.of(file + "-wal");
        if (Files.exists(log) && Files.size(log) > 0) {
            throw new IllegalArgumentException("monitoring database " + file + " does not exist but its write-ahead log "
                    + log + " does: it holds rows of another run whose file was moved or deleted without it, which"
                    + " SQLite would take into the new one; move it beside that run's file, or delete it");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (FileAlreadyExistsException e) {
                throw new IOException(parent + " is not a directory", e);
            } catch (IOException e) {
                // the message of a FileSystemException may be no more than the path
                throw new IOException("cannot create its directory " + parent + " (" + e + ")", e);
            }
        }
        SQLiteConfig config = new SQLiteConfig();
        // one thread uses the connection: SQLite's own mutex around each call is not needed
        config.setOpenMode(SQLiteOpenMode.NOMUTEX);
        // else sqlite-jdbc prepares and runs "SELECT last_insert_rowid()" after each INSERT
        config.setGetGeneratedKeys(false);
        config.setBusyTimeout(READER_WAIT_MILLIS);
        Connection connection = config.createConnection("jdbc:sqlite:" + file);
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA journal_mode = WAL");
                statement.execute("PRAGMA synchronous = NORMAL");
            }
            connection.setAutoCommit(false);
            Schema.create(connection);
            insertRun(connection, name, flow);
            connection.commit();
            return new RunWriter(file, connection);
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static void insertRun(Connection connection, String name, FlowInfo flow) throws SQLException {
        ProcessHandle self = ProcessHandle.current();
        try (PreparedStatement run = connection.prepareStatement("INSERT INTO run (flow_id, program, host, pid, java,"
                + " default_executor, max_unfinished, cancel_on_close, started_ns, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            run.setLong(1, flow.flowId());
            run.setString(2, self.info().commandLine().orElse(System.getProperty("sun.java.command")));
            run.setString(3, hostName());
            run.setLong(4, self.pid());
            run.setString(5, System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            run.setString(6, flow.defaultExecutor());
            run.setInt(7, flow.maxUnfinished());
            run.setInt(8, flow.cancelOnClose() ? 1 : 0);
            run.setLong(9, flow.epochNanos());
            run.setString(10, name);
            run.executeUpdate();
        }
        try (PreparedStatement executor = connection.prepareStatement(
                "INSERT INTO executors (label, cores, memory_bytes, gpus, run_directory) VALUES (?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Resources> entry : flow.executors().entrySet()) {
                executor.setString(1, entry.getKey());
                executor.setInt(2, entry.getValue().cores());
                executor.setLong(3, entry.getValue().memoryBytes());
                executor.setInt(4, entry.getValue().gpus());
                Path runDirectory = flow.commandRunDirectories().get(entry.getKey());
                executor.setString(5, runDirectory == null ? null : runDirectory.toString());
                executor.executeUpdate();
            }
        }
    }

    /** This machine's name as {@code run.host} records it, or {@code localhost} where it has none that resolves. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /** Adds a task and its dependencies; a later row for the same task replaces it. */
    public void task(TaskRow task) throws SQLException {
        insertTasks.add(task);
        dependencies(task);
        added(1 + task.dependencies().size());
    }

    private void dependencies(TaskRow task) throws SQLException {
        for (long dependency : task.dependencies()) {
            insertDependencies.add(new long[] {task.taskId(), dependency});
        }
    }

    private static Object taskColumn(TaskRow task, int column) {
        return switch (column) {
            case 0 -> task.taskId();
            case 1 -> task.name();
            case 2 -> task.executor();
            case 3 -> task.cores();
            case 4 -> task.gpus();
            case 5 -> task.memoryBytes();
            case 6 -> task.state();
            case 7 -> task.attempts();
            case 8 -> task.submittedNs();
            case 9 -> time(task.readyNs());
            case 10 -> time(task.endedNs());
            default -> throw new IndexOutOfBoundsException(column);
        };
    }

    /** Adds an attempt; a later row for the same attempt replaces it. */
    public void attempt(TryRow attempt) throws SQLException {
        insertTries.add(attempt);
        added(1);
    }

    private static Object tryColumn(TryRow attempt, int column) {
        return switch (column) {
            case 0 -> attempt.taskId();
            case 1 -> attempt.attempt();
            case 2 -> attempt.worker();
            case 3 -> attempt.startedNs();
            case 4 -> time(attempt.endedNs());
            case 5 -> attempt.outcome();
            default -> throw new IndexOutOfBoundsException(column);
        };
    }

    /** A time as stored: null for 0, which stands for "not yet" or "never". */
    private static Long time(long epochNanos) {
        return epochNanos == 0 ? null : epochNanos;
    }

    /**
     * Adds a try that is running and its task, unless they have rows already (the task's row is replaced
     * if it is {@code waiting}, or {@code running} on an earlier attempt): the rows of the try's end
     * replace these, but these never replace those, whichever is added first.
     */
    public void running(TaskRow task, TryRow attempt) throws SQLException {
        insertRunningTasks.add(task);
        insertRunningTries.add(attempt);
        dependencies(task);
        added(2 + task.dependencies().size());
    }

    /**
     * Adds a task that waits (for its inputs or a slot) and its dependencies, unless the task has a row
     * already: the rows of its tries and its end replace this one, but this one never replaces them,
     * whichever is added first.
     */
    public void waiting(TaskRow task) throws SQLException {
        insertWaitingTasks.add(task);
        dependencies(task);
        added(1 + task.dependencies().size());
    }

    /**
     * Records that attempt {@code attempt} of a task was retried: its row, if it is {@code waiting} or
     * {@code running} on that attempt or an earlier one, becomes {@code waiting} after {@code attempt}
     * attempts, until the running row of the next attempt (or its end) replaces it. Applied after the
     * running and waiting rows of the same flush, so a running row of that attempt never hides it, whichever
     * comes first.
     */
    public void waitingForNextTry(long taskId, int attempt) throws SQLException {
        waitForNextTry.setLong(1, taskId);
        waitForNextTry.setInt(2, attempt);
        waitForNextTry.addBatch();
        added(1);
    }

    /** Adds the error of an attempt; a later row for the same attempt replaces it. */
    public void failure(FailureRow failure) throws SQLException {
        insertFailure.setLong(1, failure.taskId());
        insertFailure.setInt(2, failure.attempt());
        insertFailure.setString(3, failure.outcome());
        insertFailure.setString(4, failure.type());
        insertFailure.setString(5, failure.message());
        if (failure.rootTaskId() == null) {
            insertFailure.setNull(6, Types.INTEGER);
        } else {
            insertFailure.setLong(6, failure.rootTaskId());
        }
        insertFailure.setString(7, failure.stackTrace());
        insertFailure.setString(8, failure.stderrTail());
        insertFailure.setString(9, failure.stdoutTail());
        insertFailure.addBatch();
        added(1);
    }

    /** Adds a resource sample. */
    public void sample(SampleRow sample) throws SQLException {
        insertSample.setString(1, sample.worker());
        insertSample.setLong(2, sample.atNs());
        setKnown(insertSample, 3, sample.cpuLoad());
        setKnown(insertSample, 4, sample.cpuTimeNs());
        setKnown(insertSample, 5, sample.memoryUsedBytes());
        setKnown(insertSample, 6, sample.memoryMaxBytes());
        setKnown(insertSample, 7, sample.busy());
        insertSample.addBatch();
        added(1);
    }

    /** Adds the counts of the run's tasks at {@code atNs}; the dashboard draws them over time. */
    public void progress(long atNs, Progress counts) throws SQLException {
        insertProgress.setLong(1, atNs);
        insertProgress.setLong(2, counts.submitted());
        insertProgress.setLong(3, counts.running());
        insertProgress.setLong(4, counts.finished());
        insertProgress.setLong(5, counts.failed());
        insertProgress.setLong(6, counts.cancelled());
        insertProgress.addBatch();
        added(1);
    }

    private void added(int rows) throws SQLException {
        pendingRows += rows;
        if (pendingRows >= MAX_PENDING_ROWS) {
            flush();
        }
    }

    /** Writes every row added so far in one transaction. */
    public void flush() throws SQLException {
        if (pendingRows == 0) {
            return;
        }
        insertTasks.flush();
        insertDependencies.flush();
        insertTries.flush();
        insertRunningTasks.flush();
        insertWaitingTasks.flush();
        insertRunningTries.flush();
        waitForNextTry.executeBatch();
        insertFailure.executeBatch();
        insertSample.executeBatch();
        insertProgress.executeBatch();
        connection.commit();
        pendingRows = 0;
        if (foldEachFlush) {
            foldEachFlush = foldLogIntoFile();
        }
    }

    /**
     * Flushes, records how the run ended, folds the log into the file (see the class comment) and closes it.
     *
     * @param outcome a word for the whole run: {@code succeeded}, {@code failed}, ...
     */
    public void finish(long endedNs, String outcome, long tasks, long finished, long failed, long cancelled)
            throws SQLException {
        recordEnd(endedNs, outcome, tasks, finished, failed, cancelled);
        close();
    }

    /**
     * Flushes, records how the run ended and folds the log into the file (see the class comment), keeping the
     * file open: rows added later are still written (and folded in at each flush), and a later {@link #finish}
     * records the end again.
     */
    public void recordEnd(long endedNs, String outcome, long tasks, long finished, long failed, long cancelled)
            throws SQLException {
        flush();
        try (PreparedStatement run = connection.prepareStatement("UPDATE run SET ended_ns = ?, outcome = ?, tasks = ?,"
                + " finished = ?, failed = ?, cancelled = ?")) {
            run.setLong(1, endedNs);
            run.setString(2, outcome);
            run.setLong(3, tasks);
            run.setLong(4, finished);
            run.setLong(5, failed);
            run.setLong(6, cancelled);
            run.executeUpdate();
        }
        connection.commit();
        foldEachFlush = foldLogIntoFile();
    }

    /**
     * Copies the pages of the log into the file and empties the log (a {@code TRUNCATE} checkpoint, which
     * waits for readers in the middle of a query), warning if it could not. A failure here loses nothing: the
     * rows are in the log.
     *
     * @return whether the file alone holds every row committed
     */
    private boolean foldLogIntoFile() {
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            if (result.next() && result.getInt(1) != 0) {
                warnLogStaysNeeded("a reader was in the middle of a query for " + READER_WAIT_MILLIS + " ms (the file has "
                        + result.getInt(3) + " of the log's " + result.getInt(2) + " frames)", null);
                return false;
            }
            return true;
        } catch (SQLException e) {
            warnLogStaysNeeded("folding the log into the file failed: " + e.getMessage(), e);
            return false;
        }
    }

    private void warnLogStaysNeeded(String why, SQLException cause) {
        String warning = "the run database " + file + " is readable only together with its log " + file + "-wal: " + why
                + "; keep " + file + "-wal beside it when you copy or move it (a copy of the file alone is incomplete"
                + " or damaged), or fold it in once no one reads the file: sqlite3 " + file
                + " 'PRAGMA wal_checkpoint(TRUNCATE)'";
        LOG.log(System.Logger.Level.WARNING, warning, cause);
        if (jvmShutsDown()) {
            // the JDK's logging closes its handlers in a shutdown hook of its own: the warning above may be lost
            System.err.println("paraflow: warning: " + warning);
        }
    }

    private static boolean jvmShutsDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
        } catch (IllegalStateException shuttingDown) {
            return true;
        }
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
    }

    /** Closes the file without recording an end; rows not flushed are lost. Idempotent. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }

    private static void setKnown(PreparedStatement statement, int index, long value) throws SQLException {
        if (value < 0) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, value);
        }
    }

    /** Binds {@code value}, or NULL where it is unknown (NaN). */
    private static void setKnown(PreparedStatement statement, int index, double value) throws SQLException {
        if (Double.isNaN(value)) {
            statement.setNull(index, Types.REAL);
        } else {
            statement.setDouble(index, value);
        }
    }
}
