package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.Task;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
}
