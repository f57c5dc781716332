package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.exec.Resources;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recorded run with a task of every outcome, for the tests of the database and of the exports: "ok"
 * finishes, "flaky" fails once and finishes on its retry, "broken" fails, "downstream" (depends on ok and
 * broken) fails as a dependent, "blocked" is cancelled while it runs and "after-blocked" with it.
 */
public final class MixedRun {

    private static final AtomicInteger FLAKY_CALLS = new AtomicInteger();

    private MixedRun() {
    }

    static int flaky() {
        if (FLAKY_CALLS.incrementAndGet() == 1) {
            throw new IllegalStateException("first attempt fails");
        }
        return 2;
    }

    static int broken() throws IOException {
        throw new IOException("data.csv: no such file");
    }

    /** Runs the flow on two threads, recording it in {@code db}; returns the task ids by name, in submission order. */
    public static Map<String, Long> record(Path db) throws Exception {
        Map<String, Long> ids = new LinkedHashMap<>();
        FLAKY_CALLS.set(0);
        CountDownLatch started = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().name("mixed").database(db).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build()) {
            Task<Integer> ok = flow.task("ok").submit(() -> 1);
            Task<Integer> flaky = flow.task("flaky").retries(2).submit(MixedRun::flaky);
            Task<Integer> broken = flow.task("broken").submit(MixedRun::broken);
            Task<Integer> downstream = flow.task("downstream").submit((a, b) -> a + b, ok, broken);
            Task<Integer> blocked = flow.task("blocked").submit(() -> {
                started.countDown();
                new CountDownLatch(1).await();
                return 0;
            });
            Task<Integer> afterBlocked = flow.task("after-blocked").submit(x -> x, blocked);
            assertThat(started.await(30, TimeUnit.SECONDS)).as("blocked task started").isTrue();
            blocked.cancel(true);
            flow.awaitAll();
            for (Task<?> task : List.of(ok, flaky, broken, downstream, blocked, afterBlocked)) {
                ids.put(task.name(), task.id());
            }
        }
        return ids;
    }

    /**
     * Runs, recording it in {@code db}, a command "convert" that fails (exit code 3) after writing "converted 2
     * rows" to stdout and "reading input.csv", "line 3: bad value" to stderr, and a command "cmd-timeout" that
     * times out after 1 s, having written "started-and-hung" to stderr and "out-before-hang" to stdout, and a
     * command "summarize" that writes "summed N" to stdout and "warned N" to stderr in attempt N, fails its
     * first attempt and succeeds in its second; the commands run in {@code runs}. Returns the task ids by name.
     */
    public static Map<String, Long> recordCommands(Path db, Path runs) throws Exception {
        CommandExecutor commands = CommandExecutor.create(CommandExecutor.LABEL, new Resources(2, Long.MAX_VALUE, 1), runs);
        try (Flow flow = Flow.builder().threads(1).executor(commands).listener(Monitoring.database(db)).build()) {
            Task<CommandResult> failing = flow.command("convert").gpus(1)
                    .shell("printf 'reading %s\\n' input.csv >&2; printf 'converted %d rows\\n' 2;"
                            + " printf 'line %d: bad value\\n' 3 >&2; exit 3").submit();
            // what they write is not in their command lines, which their messages quote
            Task<CommandResult> hung = flow.command("cmd-timeout").timeout(Duration.ofSeconds(1))
                    .shell("printf 'started-and-%s\\n' hung >&2; printf 'out-before-%s\\n' hang; sleep 30").submit();
            Task<CommandResult> retried = flow.command("summarize").retries(1)
                    .shell("printf 'summed %s\\n' $PARAFLOW_ATTEMPT; printf 'warned %s\\n' $PARAFLOW_ATTEMPT >&2;"
                            + " [ $PARAFLOW_ATTEMPT -ge 2 ]").submit();
            flow.awaitAll();
            return Map.of(failing.name(), failing.id(), hung.name(), hung.id(), retried.name(), retried.id());
        }
    }

    /**
     * Keeps the calling thread busy for {@code millis}, so that a resource sample sees its worker working;
     * returns how many rounds it made.
     */
    public static long spin(long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long rounds = 0;
        while (System.nanoTime() < end) {
            rounds++;
        }
        return rounds;
    }

    /**
     * Turns the recorded run {@code db} into a database of schema version 2, as Paraflow recorded them before
     * {@code samples.busy} and {@code executors.run_directory}: the same tables without those columns.
     */
    public static void toSchemaVersion2(Path db) throws SQLException {
        try (Connection connection = open(db); Statement statement = connection.createStatement()) {
            statement.executeUpdate("ALTER TABLE samples DROP COLUMN busy");
            statement.executeUpdate("ALTER TABLE executors DROP COLUMN run_directory");
            statement.executeUpdate("PRAGMA user_version = 2");
        }
    }

    /** The id of the first task {@link #addTriesOfOneWorkerAtOnce} adds; the others follow. */
    public static final long AT_ONCE_FIRST_ID = 1000;

    /**
     * Adds to the recorded run {@code db} the tries of workers that run several at once under one name, as
     * a cluster member does: tasks {@code AT_ONCE_FIRST_ID} to {@code + 3} ("sim", executor "cluster") ran on
     * "member-1" from 0 to 10, 2 to 5, 3 to 12 and 11 to 13 ms of the run, and {@code + 4} on "member-2" from
     * 1 to 4 ms.
     */
    public static void addTriesOfOneWorkerAtOnce(Path db) throws SQLException {
        long[][] member1 = {{0, 10}, {2, 5}, {3, 12}, {11, 13}};
        try (Connection connection = open(db);
             PreparedStatement task = connection.prepareStatement("INSERT INTO tasks VALUES (?, 'sim', 'cluster', 1, 0, 0,"
                     + " 'finished', 1, (SELECT started_ns FROM run), NULL, NULL)");
             PreparedStatement attempt = connection.prepareStatement("INSERT INTO tries VALUES (?, 1, ?,"
                     + " (SELECT started_ns FROM run) + ? * 1000000, (SELECT started_ns FROM run) + ? * 1000000, 'finished')")) {
            for (int i = 0; i <= member1.length; i++) {
                long id = AT_ONCE_FIRST_ID + i;
                task.setLong(1, id);
                task.executeUpdate();
                attempt.setLong(1, id);
                attempt.setString(2, i < member1.length ? "member-1" : "member-2");
                attempt.setLong(3, i < member1.length ? member1[i][0] : 1);
                attempt.setLong(4, i < member1.length ? member1[i][1] : 4);
                attempt.executeUpdate();
            }
        }
    }

    /**
     * Adds to the recorded run {@code db} 850 tasks of distinct names: 300 "sim-0" to "sim-299", 300 "post-0"
     * to "post-299" (each taking the result of the sim of its number) and 250 "job" followed by two letters
     * ("jobaa", "jobab", ...).
     */
    public static void addTasksOfDistinctNames(Path db) throws SQLException {
        try (Connection connection = open(db);
             PreparedStatement task = connection.prepareStatement("INSERT INTO tasks VALUES (?, ?, 'threads', 1, 0, 0,"
                     + " 'finished', 1, (SELECT started_ns FROM run), NULL, NULL)");
             PreparedStatement dependency = connection.prepareStatement("INSERT INTO dependencies VALUES (?, ?)")) {
            connection.setAutoCommit(false);
            for (int i = 0; i < 300; i++) {
                task.setLong(1, 2000 + i);
                task.setString(2, "sim-" + i);
                task.executeUpdate();
                task.setLong(1, 3000 + i);
                task.setString(2, "post-" + i);
                task.executeUpdate();
                dependency.setLong(1, 3000 + i);
                dependency.setLong(2, 2000 + i);
                dependency.executeUpdate();
            }
            for (int i = 0; i < 250; i++) {
                task.setLong(1, 4000 + i);
                task.setString(2, "job" + (char) ('a' + i / 26) + (char) ('a' + i % 26));
                task.executeUpdate();
            }
            connection.commit();
        }
    }

    /** The id of the first task {@link #addSweepUnderWay} adds; the others follow. */
    public static final long SWEEP_FIRST_ID = 5000;

    /**
     * Adds to the recorded run {@code db} tasks named "sweep" as a run under way has them: {@code finished}
     * finished, then {@code running} running (each with its running try) and {@code waiting} waiting,
     * from id {@link #SWEEP_FIRST_ID} on.
     */
    public static void addSweepUnderWay(Path db, int finished, int running, int waiting) throws SQLException {
        try (Connection connection = open(db);
             PreparedStatement task = connection.prepareStatement("INSERT INTO tasks VALUES (?, 'sweep', 'threads', 1, 0, 0,"
                     + " ?, ?, (SELECT started_ns FROM run), NULL, NULL)");
             PreparedStatement attempt = connection.prepareStatement("INSERT INTO tries VALUES (?, 1, 'paraflow-threads-1',"
                     + " (SELECT started_ns FROM run), NULL, 'running')")) {
            connection.setAutoCommit(false);
            for (int i = 0; i < finished + running + waiting; i++) {
                String state = i < finished ? "finished" : i < finished + running ? "running" : "waiting";
                task.setLong(1, SWEEP_FIRST_ID + i);
                task.setString(2, state);
                task.setInt(3, state.equals("waiting") ? 0 : 1);
                task.executeUpdate();
                if (state.equals("running")) {
                    attempt.setLong(1, SWEEP_FIRST_ID + i);
                    attempt.executeUpdate();
                }
            }
            connection.commit();
        }
    }

    /** A read-write JDBC connection to {@code db}. */
    public static Connection open(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    /**
     * Waits until {@code sql} returns {@code expected} (a run's rows are written within a sample and a
     * flush); fails with the rows it last saw if that takes more than 30 s.
     */
    public static void awaitRows(Connection connection, String sql, List<List<Object>> expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        List<List<Object>> seen = rows(connection, sql);
        while (!seen.equals(expected)) {
            assertThat(System.nanoTime()).as("hang guard: %s still returns %s, not %s", sql, seen, expected)
                    .isLessThan(deadline);
            Thread.sleep(10);
            seen = rows(connection, sql);
        }
    }

    /** The rows {@code sql} returns, each as the list of its column values. */
    public static List<List<Object>> rows(Connection connection, String sql) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(result.getObject(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /**
     * A copy of the database {@code db} alone, without the files SQLite keeps beside it ({@code -wal},
     * {@code -shm}), in a new directory beside it: what copying or moving the file takes.
     */
    public static Path copyAlone(Path db) throws IOException {
        Path copy = Files.createTempDirectory(db.toAbsolutePath().getParent(), "copy-").resolve(db.getFileName());
        return Files.copy(db, copy);
    }
}
