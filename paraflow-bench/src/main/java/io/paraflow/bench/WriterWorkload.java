package io.paraflow.bench;

import io.paraflow.event.FlowInfo;
import io.paraflow.exec.Resources;
import io.paraflow.monitor.store.RunWriter;
import io.paraflow.monitor.store.TaskRow;
import io.paraflow.monitor.store.TryRow;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.paraflow.bench.Rounds.check;
import static io.paraflow.bench.Rounds.median;

/**
 * The monitoring database's writer alone, on the thread that calls it: the rows of ended no-op tasks (a
 * task row and a try row each, as the monitor writes them) through {@link RunWriter}, against the same rows
 * written the way RunWriter did before it bound shared columns once: multi-row INSERTs of 100 rows binding
 * every value, batched until the flush, on a connection with sqlite-jdbc's defaults. Both flush every
 * 10,000 tasks (RunWriter's own limit of 20,000 rows). Measured: the CPU time of the writing thread (SQLite
 * runs on it) per task, which the monitor's thread takes from the run's cores.
 */
final class WriterWorkload {

    static final FlowInfo FLOW = new FlowInfo(1, 1_800_000_000_000_000_000L,
            Map.of("threads", new Resources(2, 0, 0)), "threads", 1_000, true);
    private static final String NAME = "IndependentTasks.<clinit>/lambda-5e1f0a2c";
    private static final String[] WORKERS = {"paraflow-1-threads-0", "paraflow-1-threads-1"};
    private static final int TASKS_PER_FLUSH = 10_000;
    private static final int ROWS_PER_INSERT = 100;
    private static final int WARMUP_ROUNDS = 1;
    private static final int MEASURED_ROUNDS = 5;

    private WriterWorkload() {
    }

    /** Runs both writers in turns on {@code tasks} tasks per round and prints their CPU per task and rates. */
    static void run(Path dir, int tasks) throws Exception {
        System.out.printf(Locale.ROOT, "%n[M3] the monitoring database's writer alone: %,d ended no-op tasks (a task and a"
                + " try row each) per round, CPU time of the writing thread (median of %d rounds after %d warm-up, taken"
                + " in turns)%n", tasks, MEASURED_ROUNDS, WARMUP_ROUNDS);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] cpu = new double[2][MEASURED_ROUNDS];
        double[][] wall = new double[2][MEASURED_ROUNDS];
        for (int round = -WARMUP_ROUNDS; round < MEASURED_ROUNDS; round++) {
            for (int way = 0; way < 2; way++) {
                Path db = dir.resolve("writer-" + way + ".db");
                long cpuStart = threads.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                if (way == 0) {
                    bindingEveryValue(db, tasks);
                } else {
                    runWriter(db, tasks);
                }
                if (round >= 0) {
                    cpu[way][round] = threads.getCurrentThreadCpuTime() - cpuStart;
                    wall[way][round] = System.nanoTime() - start;
                }
                long recorded = MonitorWorkloads.count(db, "SELECT count(*) FROM tasks JOIN tries USING (task_id)"
                        + " WHERE state = 'finished' AND outcome = 'finished'");
                check(recorded == tasks, "the database holds " + recorded + " finished tasks with their tries, expected "
                        + tasks);
                deleteDatabase(db);
            }
        }
        String[] labels = {"binding every value (before)", "RunWriter"};
        double[] cpuPerTask = new double[2];
        for (int way = 0; way < 2; way++) {
            cpuPerTask[way] = median(cpu[way]) / 1e3 / tasks;
            System.out.printf(Locale.ROOT, "  %-30s %6.2f us of CPU per task, %,10.0f tasks/s%n", labels[way],
                    cpuPerTask[way], tasks * 1e9 / median(wall[way]));
        }
        System.out.printf(Locale.ROOT, "  => RunWriter takes %.2f x less CPU per task%n", cpuPerTask[0] / cpuPerTask[1]);
    }

    static TaskRow task(long id) {
        long submitted = FLOW.epochNanos() + id * 400;
        return new TaskRow(id, NAME, "threads", 1, 0, 0, "finished", 1, submitted, submitted + 50, submitted + 200,
                List.of());
    }

    static TryRow attempt(long id) {
        long submitted = FLOW.epochNanos() + id * 400;
        return new TryRow(id, 1, WORKERS[(int) (id & 1)], submitted + 100, submitted + 200, "finished");
    }

    /** Writes {@code tasks} tasks with their tries to a new database {@code db} through RunWriter. */
    static void runWriter(Path db, int tasks) throws Exception {
        try (RunWriter writer = RunWriter.create(db, "writer", FLOW)) {
            for (long id = 1; id <= tasks; id++) {
                writer.attempt(attempt(id));
                writer.task(task(id));
            }
            writer.finish(FLOW.epochNanos() + tasks * 400L + 1_000, "succeeded", tasks, tasks, 0, 0);
        }
    }

    /** The same rows, bound value by value: the baseline. The schema and the run's row come from RunWriter. */
    static void bindingEveryValue(Path db, int tasks) throws Exception {
        check(tasks % TASKS_PER_FLUSH == 0, "the baseline writes whole flushes of " + TASKS_PER_FLUSH + " tasks");
        RunWriter.create(db, "writer", FLOW).close();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA synchronous = NORMAL");
            }
            connection.setAutoCommit(false);
            String taskValues = "(?" + ", ?".repeat(10) + ")";
            String tryValues = "(?" + ", ?".repeat(5) + ")";
            try (PreparedStatement insertTasks = connection.prepareStatement("INSERT OR REPLACE INTO tasks (task_id,"
                    + " name, executor, cores, gpus, memory_bytes, state, attempts, submitted_ns, ready_ns, ended_ns) VALUES "
                    + String.join(", ", Collections.nCopies(ROWS_PER_INSERT, taskValues)));
                 PreparedStatement insertTries = connection.prepareStatement("INSERT OR REPLACE INTO tries (task_id,"
                         + " attempt, worker, started_ns, ended_ns, outcome) VALUES "
                         + String.join(", ", Collections.nCopies(ROWS_PER_INSERT, tryValues)))) {
                for (long id = 1; id <= tasks; id++) {
                    int row = (int) ((id - 1) % ROWS_PER_INSERT);
                    bindTry(insertTries, row * 6, attempt(id));
                    bindTask(insertTasks, row * 11, task(id));
                    if (row == ROWS_PER_INSERT - 1) {
                        insertTasks.addBatch();
                        insertTries.addBatch();
                    }
                    if (id % TASKS_PER_FLUSH == 0) {
                        insertTasks.executeBatch();
                        insertTries.executeBatch();
                        connection.commit();
                    }
                }
            }
        }
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

    private static void bindTry(PreparedStatement insert, int offset, TryRow attempt) throws SQLException {
        insert.setLong(offset + 1, attempt.taskId());
        insert.setInt(offset + 2, attempt.attempt());
        insert.setString(offset + 3, attempt.worker());
        insert.setLong(offset + 4, attempt.startedNs());
        setTime(insert, offset + 5, attempt.endedNs());
        insert.setString(offset + 6, attempt.outcome());
    }

    private static void setTime(PreparedStatement statement, int index, long epochNanos) throws SQLException {
        if (epochNanos == 0) {
            statement.setNull(index, Types.INTEGER);
        } else {
            statement.setLong(index, epochNanos);
        }
    }

    private static void deleteDatabase(Path db) throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
        }
    }
}
