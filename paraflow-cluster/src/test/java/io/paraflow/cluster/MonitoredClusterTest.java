package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.exec.WorkerLoad;
import io.paraflow.monitor.Monitoring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A monitored flow on two worker JVMs: the run's database has samples of each cluster worker's CPU and memory,
 * under the name its tries carry, so that the dashboard shows the workers' utilisation beside their tries, and a
 * running row for each try while it runs, though the executor hears every start and end on one thread. A
 * command sent to the cluster fails without running (commands run only on a command executor, in the driver),
 * and the cluster's executor row has no run directory.
 */
@Timeout(120)
class MonitoredClusterTest {

    @TempDir
    Path dir;

    @Test
    void eachClusterWorkerIsSampledUnderTheNameOfItsTries() throws Exception {
        Path db = dir.resolve("cluster.db");
        Path release = dir.resolve("release");
        String releasePath = release.toString();
        List<WorkerJvm> workers = new ArrayList<>();
        Flow flow = null;
        try {
            workers.addAll(WorkerJvm.startCluster(2, 5));
            ClusterExecutor executor = WorkerJvm.driverOf(workers).build();
            flow = Flow.builder().threads(1).executor(executor)
                    .listener(Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(100)).build()).build();
            // each takes every core of a worker: one per worker, running while the workers report
            List<Task<String>> naps = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                naps.add(flow.task("nap").on("cluster").cores(2).submit(() -> napUntil(releasePath)));
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                awaitCount(c, "SELECT count(DISTINCT worker) FROM tries WHERE outcome = 'running'", 2);
            }
            // the monitor may close before it samples the last one: one more than the samples asked for below
            awaitReports(executor, 3);
            Files.createFile(release);
            Set<String> jvms = new HashSet<>();
            for (Task<String> nap : naps) {
                jvms.add(nap.get());
            }
            assertThat(jvms).as("worker JVMs the naps ran in").hasSize(2);
            List<String> names = executor.workers();
            flow.close();
            flow = null;

            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                Set<String> triedOn = strings(c, "SELECT DISTINCT worker FROM tries");
                assertThat(triedOn).containsExactlyInAnyOrderElementsOf(names);
                for (String worker : triedOn) {
                    assertThat(count(c, "SELECT count(*) FROM samples WHERE worker = '" + worker + "' AND cpu_time_ns > 0"
                            + " AND memory_used_bytes > 0 AND memory_max_bytes >= memory_used_bytes"))
                            .as("samples of worker %s", worker).isGreaterThanOrEqualTo(2);
                }
                assertThat(strings(c, "SELECT DISTINCT worker FROM samples WHERE worker NOT LIKE 'jvm:%'"))
                        .as("workers sampled besides this JVM").isEqualTo(triedOn);
            }
        } finally {
            if (!Files.exists(release)) {
                Files.createFile(release);
            }
            WorkerJvm.stopAll(flow, workers);
        }
    }

    @Test
    void aCommandIsNotRunOnTheClusterWhoseExecutorHasNoRunDirectory() throws Exception {
        Path db = dir.resolve("commands.db");
        List<WorkerJvm> workers = new ArrayList<>();
        Flow flow = null;
        try {
            workers.addAll(WorkerJvm.startCluster(1, 5));
            flow = Flow.builder().threads(1).executor(WorkerJvm.driverOf(workers).build())
                    .listener(Monitoring.database(db)).build();
            Task<CommandResult> misplaced = flow.command("misplaced").on("cluster").args("true").submit();
            assertThatThrownBy(misplaced::get).hasStackTraceContaining("must run on a CommandExecutor");
            flow.close();
            flow = null;

            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                assertThat(strings(c, "SELECT label FROM executors WHERE run_directory IS NULL"))
                        .containsExactlyInAnyOrder("threads", "cluster");
                assertThat(strings(c, "SELECT label FROM executors WHERE run_directory IS NOT NULL"))
                        .containsExactly(CommandExecutor.LABEL);
            }
        } finally {
            WorkerJvm.stopAll(flow, workers);
        }
    }

    /**
     * Runs on a worker until the file {@code path} exists (at most a minute, should the test fail before it
     * creates it), then returns the worker JVM's name.
     */
    static String napUntil(String path) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!Files.exists(Path.of(path)) && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        return ClusterExecutorTest.jvm();
    }

    /** Waits until {@code sql}, a count, returns {@code expected}, reading the database as the dashboard does. */
    private static void awaitCount(Connection c, String sql, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long seen;
        while ((seen = count(c, sql)) != expected) {
            assertThat(System.nanoTime() - deadline).as("hang guard: %s returns %d, not %d", sql, seen, expected)
                    .isNegative();
            Thread.sleep(20);
        }
    }

    /** Waits until the executor heard {@code reports} new load reports from each of its workers. */
    private static void awaitReports(ClusterExecutor executor, int reports) throws InterruptedException {
        Map<String, Set<Long>> heard = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (WorkerLoad load : executor.workerLoads()) {
                heard.computeIfAbsent(load.worker(), w -> new HashSet<>()).add(load.epochNanos());
            }
            if (heard.size() == executor.workers().size()
                    && heard.values().stream().allMatch(times -> times.size() >= reports)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("not " + reports + " load reports of each worker within 30 s: " + heard);
    }

    private static Set<String> strings(Connection c, String sql) throws SQLException {
        Set<String> values = new HashSet<>();
        try (Statement statement = c.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement statement = c.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
