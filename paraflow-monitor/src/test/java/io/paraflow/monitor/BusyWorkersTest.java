package io.paraflow.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandResult;
import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.exec.WorkerLoad;
import io.paraflow.internal.Threads;
import io.paraflow.monitor.dashboard.Dashboard;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each worker's samples say how busy it was running tries ({@code samples.busy}), whether the tries used the CPU
 * or waited: a thread that sleeps in its task or waits for a command is busy though its CPU is idle, and a worker
 * without tasks is not busy. Bounds are wide: the samples of a busy machine come late, not wrong.
 */
@ExtendWith(NoLeakedThreads.class)
class BusyWorkersTest {

    private static final Duration SAMPLE_EVERY = Duration.ofMillis(20);
    /** How long the tasks below wait; samples this close to a try's start or end are left out of the checks. */
    private static final long WAIT_MILLIS = 800;
    private static final long MARGIN_NS = 100_000_000;

    /**
     * The samples of each worker taken while one of its tries ran, from at least {@link #MARGIN_NS} after its
     * start to {@link #MARGIN_NS} before its end, and whose previous sample was too: worker, busy, cpu_load.
     */
    private static final String SAMPLES_WITHIN_TRIES = "SELECT s.worker, s.busy, s.cpu_load FROM (SELECT worker, at_ns,"
            + " busy, cpu_load, lag(at_ns) OVER (PARTITION BY worker ORDER BY at_ns) AS previous_ns FROM samples) s"
            + " JOIN tries r ON r.worker = s.worker WHERE s.previous_ns >= r.started_ns + " + MARGIN_NS
            + " AND s.at_ns <= r.ended_ns - " + MARGIN_NS + " ORDER BY s.worker, s.at_ns";

    @TempDir
    Path dir;

    @Test
    void threadsWhoseTasksSleepAreBusyThoughTheirCpuIsIdleAndTheDashboardSaysSo() throws Exception {
        Path db = dir.resolve("sleeping.db");
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(SAMPLE_EVERY).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build()) {
            for (int i = 0; i < 2; i++) {
                flow.task("nap").submit(() -> {
                    Thread.sleep(WAIT_MILLIS);
                    return 1;
                });
            }
            flow.awaitAll();
        }

        List<String> workers = new ArrayList<>();
        try (Connection c = open(db)) {
            List<List<Object>> within = rows(c, SAMPLES_WITHIN_TRIES);
            for (List<Object> row : within) {
                if (!workers.contains((String) row.get(0))) {
                    workers.add((String) row.get(0));
                }
            }
            assertThat(workers).as("workers sampled while they slept: %s", within).hasSize(2);
            assertThat(within).allSatisfy(row -> {
                assertThat(((Number) row.get(1)).doubleValue()).as("busy, %s", row).isBetween(0.9, 1.1);
                assertThat(((Number) row.get(2)).doubleValue()).as("CPU, %s", row).isLessThan(0.5);
            });
            assertThat(rows(c, "SELECT count(*) > 0, sum(busy IS NOT NULL) FROM samples WHERE worker LIKE 'jvm:%'"))
                    .as("this JVM runs no tries of its own: its busy slots are unknown").containsExactly(List.of(1, 0));
        }

        try (Dashboard dashboard = Dashboard.start(db, 0)) {
            JsonNode overview = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    dashboard.uri().resolve("api/overview")).build(), HttpResponse.BodyHandlers.ofString()).body());
            try (Connection c = open(db)) {
                for (String worker : workers) {
                    List<List<Object>> latest = rows(c, "SELECT busy FROM samples WHERE worker = '" + worker
                            + "' ORDER BY at_ns DESC LIMIT 1");
                    assertThat(overview.path("workers")).filteredOn(w -> w.path("worker").asText().equals(worker))
                            .singleElement().satisfies(w -> assertThat(w.path("busy").asDouble())
                                    .isEqualTo(((Number) latest.get(0).get(0)).doubleValue()));
                }
            }
            assertThat(overview.path("workers")).filteredOn(w -> w.path("worker").asText().startsWith("jvm:"))
                    .singleElement().satisfies(w -> assertThat(w.path("busy").isNull()).isTrue());
        }
    }

    @Test
    void aThreadThatWaitsForACommandIsBusy() throws Exception {
        Path db = dir.resolve("command.db");
        CommandExecutor commands = CommandExecutor.create(CommandExecutor.LABEL, new Resources(1, Long.MAX_VALUE, 0),
                dir.resolve("runs"));
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(SAMPLE_EVERY).build();
        try (Flow flow = Flow.builder().threads(1).executor(commands).listener(monitoring).build()) {
            Task<CommandResult> sleep = flow.command("sleep").shell("sleep " + WAIT_MILLIS / 1000.0).submit();
            assertThat(sleep.get().exitCode()).isZero();
        }

        try (Connection c = open(db)) {
            List<List<Object>> within = rows(c, SAMPLES_WITHIN_TRIES);
            assertThat(within).as("samples of the command's worker while it waited").isNotEmpty()
                    .allSatisfy(row -> {
                        assertThat(((Number) row.get(1)).doubleValue()).as("busy, %s", row).isBetween(0.9, 1.1);
                        assertThat(((Number) row.get(2)).doubleValue()).as("CPU, %s", row).isLessThan(0.5);
                    });
        }
    }

    /**
     * Runs each task on a thread of its own, as if on {@link #WORKER} elsewhere: the tries carry that name, and
     * each time the monitor asks, the worker reports its figures anew (as a cluster worker does every second).
     */
    private static final class ElsewhereExecutor implements TaskExecutor {
        static final String WORKER = "10.0.0.9:5701";
        private final List<Thread> threads = new ArrayList<>();

        @Override
        public String label() {
            return "elsewhere";
        }

        @Override
        public Resources capacity() {
            return new Resources(1, 0, 0);
        }

        @Override
        public synchronized void execute(ReadyTask task) {
            Thread thread = new Thread(() -> {
                task.started(task.attempt(), WORKER);
                try {
                    task.succeeded(task.attempt(), task.invocation().invoke(), WORKER);
                } catch (Exception e) {
                    task.failed(task.attempt(), e, WORKER);
                }
            }, "elsewhere-" + task.id());
            threads.add(thread);
            thread.start();
        }

        @Override
        public List<WorkerLoad> workerLoads() {
            return List.of(new WorkerLoad(WORKER, System.currentTimeMillis() * 1_000_000, 0.01, 1_000_000, -1, -1));
        }

        @Override
        public void interruptAll() {
        }

        @Override
        public synchronized void close() {
            threads.forEach(Threads::joinUninterruptibly);
        }
    }

    @Test
    void aWorkerElsewhereIsBusyWithTheTriesTheDriverHeardOf() throws Exception {
        Path db = dir.resolve("elsewhere.db");
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(SAMPLE_EVERY).build();
        try (Flow flow = Flow.builder().threads(1).executor(new ElsewhereExecutor()).listener(monitoring).build()) {
            assertThat(flow.task("nap").on("elsewhere").submit(() -> {
                Thread.sleep(WAIT_MILLIS);
                return 1;
            }).get()).isEqualTo(1);
        }

        try (Connection c = open(db)) {
            List<List<Object>> within = rows(c, SAMPLES_WITHIN_TRIES);
            assertThat(within).as("samples of the worker elsewhere while its try ran").isNotEmpty()
                    .allSatisfy(row -> {
                        assertThat(row.get(0)).isEqualTo(ElsewhereExecutor.WORKER);
                        assertThat(((Number) row.get(1)).doubleValue()).as("busy, %s", row).isBetween(0.9, 1.1);
                    });
        }
    }

    @Test
    void aWorkerWithoutTasksIsNotBusy() throws Exception {
        Path db = dir.resolve("idle.db");
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(SAMPLE_EVERY).build();
        try (Flow flow = Flow.builder().threads(1).listener(monitoring).build()) {
            assertThat(flow.task("quick").submit(() -> 1).join()).isEqualTo(1);
            // the worker waits for work through several samples
            Thread.sleep(WAIT_MILLIS / 2);
        }

        try (Connection c = open(db)) {
            // samples of the worker whose previous sample came after its only try ended
            List<List<Object>> idle = rows(c, "SELECT s.busy FROM (SELECT worker, at_ns, busy, lag(at_ns) OVER"
                    + " (PARTITION BY worker ORDER BY at_ns) AS previous_ns FROM samples) s JOIN tries r ON r.worker = s.worker"
                    + " WHERE s.previous_ns > r.ended_ns");
            assertThat(idle).as("samples of the idle worker").hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(row -> assertThat(((Number) row.get(0)).doubleValue()).isLessThan(0.01));
        }
    }
}
