package io.paraflow.monitor.store;

import io.paraflow.event.FlowInfo;
import io.paraflow.exec.Resources;
import io.paraflow.monitor.progress.Progress;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Collections;
import java.util.Map;

/**
 * Writes one run's database. Rows are added to prepared-statement batches and written in one transaction
 * per {@link #flush()}; the file is in WAL mode, so readers (the dashboard, {@code sqlite3}) see every
 * flushed row while the run goes on.
 *
 * <p>Not thread-safe: one thread (the monitor's) owns a writer from {@link #create} to {@link #finish}.
 * Every method throws {@link SQLException} when SQLite does; the writer is then unusable except for
 * {@link #close()}.
 */
public final class RunWriter implements AutoCloseable {

    /** Rows added before the writer flushes by itself, bounding the memory of pending batches. */
    private static final int MAX_PENDING_ROWS = 20_000;
    /**
     * Task and try rows per INSERT statement: SQLite takes a statement of many rows in about the time of a
     * few single-row ones (1.5x the tasks per second at 100 rows, measured in the commit that added it).
     */
    static final int ROWS_PER_INSERT = 100;
    private static final String TASK_COLUMNS = " INTO tasks (task_id, name, executor, cores, gpus, memory_bytes,"
            + " state, attempts, submitted_ns, ready_ns, ended_ns) VALUES ";
    private static final int TASK_COLUMN_COUNT = 11;
    private static final String TRY_COLUMNS = " INTO tries (task_id, attempt, worker, started_ns,"
            + " ended_ns, outcome) VALUES ";
    private static final String REPLACE = "INSERT OR REPLACE";
    /** Rows of running tries never replace the rows of their ends, whichever comes first. */
    private static final String KEEP = "INSERT OR IGNORE";
    /**
     * A task's states only move forward, whichever row is written first: {@code waiting} replaces nothing,
     * {@code running} replaces {@code waiting} and the running row of an earlier attempt, an end replaces
     * anything.
     */
    private static final String RUNNING_REPLACES_WAITING = " ON CONFLICT (task_id) DO UPDATE SET state = excluded.state,"
            + " attempts = excluded.attempts, ready_ns = excluded.ready_ns WHERE tasks.state = 'waiting'"
            + " OR tasks.state = 'running' AND tasks.attempts < excluded.attempts";

    private final Path file;
    private final Connection connection;
    private final PreparedStatement insertTask;
    private final PreparedStatement insertTasks;
    private final TaskRow[] pendingTasks = new TaskRow[ROWS_PER_INSERT];
    private int pendingTaskCount;
    private final PreparedStatement insertTries;
    private final TryRow[] pendingTries = new TryRow[ROWS_PER_INSERT];
    private int pendingTryCount;
    private final PreparedStatement insertDependency;
    private final PreparedStatement insertTry;
    private final PreparedStatement insertRunningTask;
    private final PreparedStatement insertRunningTry;
    private final PreparedStatement insertWaitingTask;
    private final PreparedStatement insertFailure;
    private final PreparedStatement insertSample;
    private final PreparedStatement insertProgress;
    private int pendingRows;

    private RunWriter(Path file, Connection connection) throws SQLException {
        this.file = file;
        this.connection = connection;
        this.insertTask = connection.prepareStatement(REPLACE + TASK_COLUMNS + values(TASK_COLUMN_COUNT, 1));
        this.insertTasks = connection.prepareStatement(REPLACE + TASK_COLUMNS + values(TASK_COLUMN_COUNT, ROWS_PER_INSERT));
        this.insertRunningTask = connection.prepareStatement("INSERT" + TASK_COLUMNS + values(TASK_COLUMN_COUNT, 1)
                + RUNNING_REPLACES_WAITING);
        this.insertWaitingTask = connection.prepareStatement(KEEP + TASK_COLUMNS + values(TASK_COLUMN_COUNT, 1));
        this.insertRunningTry = connection.prepareStatement(KEEP + TRY_COLUMNS + values(6, 1));
        this.insertDependency = connection.prepareStatement(
                "INSERT OR IGNORE INTO dependencies (task_id, depends_on) VALUES (?, ?)");
        this.insertTry = connection.prepareStatement(REPLACE + TRY_COLUMNS + values(6, 1));
        this.insertTries = connection.prepareStatement(REPLACE + TRY_COLUMNS + values(6, ROWS_PER_INSERT));
        this.insertFailure = connection.prepareStatement("INSERT OR REPLACE INTO failures (task_id, attempt, outcome,"
                + " type, message, root_task_id, stack_trace, stderr_tail, stdout_tail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
        this.insertSample = connection.prepareStatement("INSERT INTO samples (worker, at_ns, cpu_load, cpu_time_ns,"
                + " memory_used_bytes, memory_max_bytes) VALUES (?, ?, ?, ?, ?, ?)");
        this.insertProgress = connection.prepareStatement("INSERT OR REPLACE INTO progress (at_ns, submitted, running,"
                + " finished, failed, cancelled) VALUES (?, ?, ?, ?, ?, ?)");
    }

    /**
     * Creates the database file of a new run (and missing parent directories) and records the run's start
     * and configuration.
     *
     * @param name the run's name, or null
     * @throws IllegalArgumentException if {@code file} already exists: each run gets its own file
     * @throws IOException              if the parent directories cannot be created
     * @throws SQLException             if SQLite cannot create the database
     */
    public static RunWriter create(Path file, String name, FlowInfo flow) throws IOException, SQLException {
        if (Files.exists(file)) {
            throw new IllegalArgumentException("monitoring database " + file + " already exists; give each run"
                    + " its own file, or delete the old one");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
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
                "INSERT INTO executors (label, cores, memory_bytes, gpus) VALUES (?, ?, ?, ?)")) {
            for (Map.Entry<String, Resources> entry : flow.executors().entrySet()) {
                executor.setString(1, entry.getKey());
                executor.setInt(2, entry.getValue().cores());
                executor.setLong(3, entry.getValue().memoryBytes());
                executor.setInt(4, entry.getValue().gpus());
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

    private static String values(int columns, int rows) {
        String row = "(?" + ", ?".repeat(columns - 1) + ")";
        return String.join(", ", Collections.nCopies(rows, row));
    }

    /** Adds a task and its dependencies; a later row for the same task replaces it. */
    public void task(TaskRow task) throws SQLException {
        pendingTasks[pendingTaskCount++] = task;
        if (pendingTaskCount == ROWS_PER_INSERT) {
            for (int i = 0; i < ROWS_PER_INSERT; i++) {
                bindTask(insertTasks, i * TASK_COLUMN_COUNT, pendingTasks[i]);
            }
            insertTasks.addBatch();
            pendingTaskCount = 0;
        }
        for (long dependency : task.dependencies()) {
            insertDependency.setLong(1, task.taskId());
            insertDependency.setLong(2, dependency);
            insertDependency.addBatch();
        }
        added(1 + task.dependencies().size());
    }

    private static void bindTask(PreparedStatement insert, int offset, TaskRow task) throws SQLException {
        insert.setLong(offset + 1, task.taskId());
        insert.setString(offset + 2, task.name());
        insert.setString(offset + 3, task.executor());
        insert.setInt(offset + 4, task.cores());
        insert.setInt(offset + 5, task.gpus());
        insert.setLong(offset + 6, task.memoryBytes());
        insert.setString(offset + 7, task.state());
        insert.setInt(offset + 8, task.attempts());
        insert.setLong(offset + 9, task.submittedNs());
        setTime(insert, offset + 10, task.readyNs());
        setTime(insert, offset + 11, task.endedNs());
    }

    /** Adds an attempt; a later row for the same attempt replaces it. */
    public void attempt(TryRow attempt) throws SQLException {
        pendingTries[pendingTryCount++] = attempt;
        if (pendingTryCount == ROWS_PER_INSERT) {
            for (int i = 0; i < ROWS_PER_INSERT; i++) {
                bindTry(insertTries, i * 6, pendingTries[i]);
            }
            insertTries.addBatch();
            pendingTryCount = 0;
        }
        added(1);
    }

    private static void bindTry(PreparedStatement insert, int offset, TryRow attempt) throws SQLException {
        insert.setLong(offset + 1, attempt.taskId());
        insert.setInt(offset + 2, attempt.attempt());
        insert.setString(offset + 3, attempt.worker());
        insert.setLong(offset + 4, attempt.startedNs());
        setTime(insert, offset + 5, attempt.endedNs());
        insert.setString(offset + 6, attempt.outcome());
    }

    /**
     * Adds a try that is running and its task, unless they have rows already (the task's row is replaced
     * if it is {@code waiting}, or {@code running} on an earlier attempt): the rows of the try's end
     * replace these, but these never replace those, whichever is added first.
     */
    public void running(TaskRow task, TryRow attempt) throws SQLException {
        bindTask(insertRunningTask, 0, task);
        insertRunningTask.addBatch();
        bindTry(insertRunningTry, 0, attempt);
        insertRunningTry.addBatch();
        addDependencies(task);
        added(2 + task.dependencies().size());
    }

    private void addDependencies(TaskRow task) throws SQLException {
        for (long dependency : task.dependencies()) {
            insertDependency.setLong(1, task.taskId());
            insertDependency.setLong(2, dependency);
            insertDependency.addBatch();
        }
    }

    /**
     * Adds a task that waits (for its inputs or a slot) and its dependencies, unless the task has a row
     * already: the rows of its tries and its end replace this one, but this one never replaces them,
     * whichever is added first.
     */
    public void waiting(TaskRow task) throws SQLException {
        bindTask(insertWaitingTask, 0, task);
        insertWaitingTask.addBatch();
        addDependencies(task);
        added(1 + task.dependencies().size());
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
        if (Double.isNaN(sample.cpuLoad())) {
            insertSample.setNull(3, Types.REAL);
        } else {
            insertSample.setDouble(3, sample.cpuLoad());
        }
        setKnown(insertSample, 4, sample.cpuTimeNs());
        setKnown(insertSample, 5, sample.memoryUsedBytes());
        setKnown(insertSample, 6, sample.memoryMaxBytes());
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
        // full statements first: the rows still pending came after them, and a later row replaces an earlier one
        insertTasks.executeBatch();
        for (int i = 0; i < pendingTaskCount; i++) {
            bindTask(insertTask, 0, pendingTasks[i]);
            insertTask.addBatch();
        }
        pendingTaskCount = 0;
        insertTask.executeBatch();
        insertDependency.executeBatch();
        insertTries.executeBatch();
        for (int i = 0; i < pendingTryCount; i++) {
            bindTry(insertTry, 0, pendingTries[i]);
            insertTry.addBatch();
        }
        pendingTryCount = 0;
        insertTry.executeBatch();
        insertRunningTask.executeBatch();
        insertRunningTry.executeBatch();
        insertWaitingTask.executeBatch();
        insertFailure.executeBatch();
        insertSample.executeBatch();
        insertProgress.executeBatch();
        connection.commit();
        pendingRows = 0;
    }

    /**
     * Flushes, records how the run ended, and closes the file.
     *
     * @param outcome a word for the whole run: {@code succeeded}, {@code failed}, ...
     */
    public void finish(long endedNs, String outcome, long tasks, long finished, long failed, long cancelled)
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
        close();
    }

    /** Closes the file without recording an end; rows not flushed are lost. Idempotent. */
    @Override
    public void close() throws SQLException {
        connection.close();
    }

    private static void setTime(PreparedStatement statement, int index, long epochNanos) throws SQLException {
        if (epochNanos == 0) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, epochNanos);
        }
    }

    private static void setKnown(PreparedStatement statement, int index, long value) throws SQLException {
        if (value < 0) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, value);
        }
    }
}
