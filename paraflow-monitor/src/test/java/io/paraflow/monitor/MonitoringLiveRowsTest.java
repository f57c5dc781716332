package io.paraflow.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.exec.process.ProcessExecutor;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.paraflow.monitor.MixedRun.awaitRows;
import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a run goes on, its database shows the tasks that wait, every running try and every worker, as a
 * reader of the file sees it (the dashboard, or {@code sqlite3} after the program died).
 */
@ExtendWith(NoLeakedThreads.class)
class MonitoringLiveRowsTest {

    @TempDir
    Path dir;

    /**
     * Holds the calling task until {@code latch} opens, in sleeps rather than in the latch: a pool may lend
     * the slot of a task blocked in a synchronizer to another task, and these tests need the slot kept.
     */
    private static void hold(CountDownLatch latch) throws InterruptedException {
        while (latch.getCount() > 0) {
            Thread.sleep(5);
        }
    }

    @Test
    void tasksWaitingForInputsOrASlotHaveRowsWithTheirDependenciesUntilTheirEndsReplaceThem() throws Exception {
        Path db = dir.resolve("waiting.db");
        CountDownLatch release = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(20)).dashboard(0).build();
        long blockerId;
        long forASlotId;
        long forInputsId;
        try (Flow flow = Flow.builder().threads(1).listener(monitoring).build();
             Connection c = open(db)) {
            try {
                Task<Integer> blocker = flow.task("blocker").submit(() -> {
                    hold(release);
                    return 1;
                });
                Task<Integer> forASlot = flow.task("for-a-slot").submit(() -> 2);
                Task<Integer> forInputs = flow.task("for-inputs").submit((a, b) -> a + b, blocker, forASlot);
                blockerId = blocker.id();
                forASlotId = forASlot.id();
                forInputsId = forInputs.id();

                // another connection reads what was flushed, as it would after the program died
                awaitRows(c, "SELECT name, state, attempts, ready_ns IS NOT NULL, ended_ns IS NULL FROM tasks ORDER BY task_id",
                        List.of(List.of("blocker", "running", 1, 1, 1), List.of("for-a-slot", "waiting", 0, 1, 1),
                                List.of("for-inputs", "waiting", 0, 0, 1)));
                assertThat(rows(c, "SELECT task_id, depends_on FROM dependencies ORDER BY depends_on")).containsExactly(
                        List.of((int) forInputsId, (int) blockerId), List.of((int) forInputsId, (int) forASlotId));

                URI dashboard = monitoring.dashboardUri().orElseThrow();
                JsonNode waiting = json(dashboard.resolve("api/tasks?state=waiting"));
                assertThat(waiting.findValuesAsText("name")).containsExactly("for-inputs", "for-a-slot");
                JsonNode page = json(dashboard.resolve("api/task?id=" + forInputsId));
                assertThat(page.path("task").path("state").asText()).isEqualTo("waiting");
                assertThat(page.path("tries").size()).isZero();
                JsonNode dependencies = page.path("dependencies");
                assertThat(dependencies.findValuesAsText("name")).containsExactly("blocker", "for-a-slot");
                assertThat(dependencies.findValuesAsText("state")).containsExactly("running", "waiting");
                assertThat(dependencies.findValuesAsText("unfinished")).containsExactly("1", "1");
                JsonNode graph = json(dashboard.resolve("api/graph"));
                assertThat(graph.path("nodes").findValuesAsText("state")).containsExactly("running", "waiting", "waiting");
                assertThat(graph.path("edges").size()).isEqualTo(2);

                release.countDown();
                assertThat(forInputs.get()).isEqualTo(3);
            } finally {
                release.countDown();
            }
        }
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT task_id, state, attempts, ended_ns IS NOT NULL FROM tasks ORDER BY task_id"))
                    .containsExactly(List.of((int) blockerId, "finished", 1, 1), List.of((int) forASlotId, "finished", 1, 1),
                            List.of((int) forInputsId, "finished", 1, 1));
            assertThat(rows(c, "SELECT count(*) FROM dependencies")).containsExactly(List.of(2));
        }
    }

    private static JsonNode json(URI uri) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void noTaskIsLeftWaitingOnceItEnded() throws Exception {
        Path db = dir.resolve("tiny.db");
        int chains = 100;
        int length = 100;
        // sampled as often as the monitor looks, while chains of tiny tasks are submitted and end
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(1)).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build()) {
            for (int chain = 0; chain < chains; chain++) {
                Task<Integer> previous = flow.task("first").submit(() -> 0);
                for (int i = 1; i < length; i++) {
                    previous = flow.task("next").submit(x -> x + 1, previous);
                }
            }
        }
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT state, count(*), sum(ended_ns IS NOT NULL) FROM tasks GROUP BY state"))
                    .containsExactly(List.of("finished", chains * length, chains * length));
            assertThat(rows(c, "SELECT count(*) FROM dependencies")).containsExactly(List.of(chains * (length - 1)));
        }
    }

    @Test
    void everyAttemptOfARetriedTaskGetsARunningRowWhileItRuns() throws Exception {
        Path db = dir.resolve("retried.db");
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch failFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(20)).build();
        try (Flow flow = Flow.builder().threads(1).listener(monitoring).build();
             Connection c = open(db)) {
            try {
                Task<Integer> flaky = flow.task("flaky").retries(2).submit(() -> {
                    if (calls.incrementAndGet() == 1) {
                        hold(failFirst);
                        throw new IllegalStateException("the first try fails");
                    }
                    hold(release);
                    return 2;
                });
                String tries = "SELECT attempt, outcome FROM tries WHERE task_id = " + flaky.id() + " ORDER BY attempt";
                String task = "SELECT state, attempts FROM tasks WHERE task_id = " + flaky.id();
                awaitRows(c, tries, List.of(List.of(1, "running")));
                awaitRows(c, task, List.of(List.of("running", 1)));

                // the retry starts at once, before the next sample: the same task, a new try
                failFirst.countDown();
                awaitRows(c, tries, List.of(List.of(1, "retried"), List.of(2, "running")));
                awaitRows(c, task, List.of(List.of("running", 2)));

                release.countDown();
                assertThat(flaky.get()).isEqualTo(2);
                flow.close();
                assertThat(rows(c, tries)).containsExactly(List.of(1, "retried"), List.of(2, "finished"));
                assertThat(rows(c, task)).containsExactly(List.of("finished", 2));
            } finally {
                failFirst.countDown();
                release.countDown();
            }
        }
    }

    /**
     * Waits until the file {@code path} exists, up to a minute (a guard for a test that fails before it
     * creates it); returns whether it appeared. Runs in a worker process, which cannot see the test's latches.
     */
    static boolean awaitFile(String path) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!Files.exists(Path.of(path))) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Test
    void everyRunningTryHasARunningRowWhetherAThreadOrAWorkerProcessRunsIt() throws Exception {
        Path db = dir.resolve("executors.db");
        Path release = dir.resolve("release");
        Path warmUp = dir.resolve("warm-up");
        int workers = 3;
        CountDownLatch releaseThread = new CountDownLatch(1);
        ProcessExecutor processes = ProcessExecutor.builder().workers(workers).forwardStderr(false)
                .allow("io.paraflow.monitor.**").build();
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(20)).dashboard(0).build();
        try (Flow flow = Flow.builder().threads(2).executor(processes).listener(monitoring).build();
             Connection c = open(db)) {
            try {
                // every worker started and idle: they get the slow tries as they are submitted, so this thread
                // starts them all, and the threads reading the workers' answers end them
                WorkerWarmUp.startEveryWorker(flow, workers, Files.createDirectory(warmUp));
                for (int i = 0; i < 20; i++) {
                    flow.task("quick").submit(() -> 1).get();
                }
                Task<Integer> onAThread = flow.task("on-a-thread").submit(() -> {
                    hold(releaseThread);
                    return 1;
                });
                String path = release.toString();
                List<Task<Boolean>> slow = new ArrayList<>();
                for (int i = 0; i < workers; i++) {
                    slow.add(flow.task("in-a-process").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> awaitFile(path)));
                }

                awaitRows(c, "SELECT t.name, t.state, count(*), count(DISTINCT r.worker) FROM tries r JOIN tasks t"
                        + " USING (task_id) WHERE r.outcome = 'running' GROUP BY t.name, t.state ORDER BY t.name",
                        List.of(List.of("in-a-process", "running", workers, workers), List.of("on-a-thread", "running", 1, 1)));
                URI dashboard = monitoring.dashboardUri().orElseThrow();
                assertThat(json(dashboard.resolve("api/tasks?state=running")).findValuesAsText("name"))
                        .containsExactlyInAnyOrder("in-a-process", "in-a-process", "in-a-process", "on-a-thread");
                assertThat(json(dashboard.resolve("api/timeline")).findValuesAsText("outcome"))
                        .as("the timeline's tries").filteredOn("running"::equals).hasSize(workers + 1);

                Files.createFile(release);
                for (Task<Boolean> task : slow) {
                    assertThat(task.get()).isTrue();
                }
                releaseThread.countDown();
                assertThat(onAThread.get()).isEqualTo(1);
            } finally {
                if (!Files.exists(release)) {
                    Files.createFile(release);
                }
                if (Files.isDirectory(warmUp)) {
                    Files.writeString(warmUp.resolve(WorkerWarmUp.RELEASE), "");
                }
                releaseThread.countDown();
            }
        }
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT t.name, t.state, r.outcome, count(*) FROM tries r JOIN tasks t USING (task_id)"
                    + " GROUP BY t.name, t.state, r.outcome ORDER BY t.name")).containsExactly(
                    List.of("in-a-process", "finished", "finished", workers), List.of("on-a-thread", "finished", "finished", 1),
                    List.of("quick", "finished", "finished", 20), List.of("warm-up", "finished", "finished", workers));
        }
    }

    @Test
    void workersAreSampledWithALoadWhileTheirFirstTriesRunAndTheRunEndsWithASample() throws Exception {
        Path db = dir.resolve("workers.db");
        CountDownLatch release = new CountDownLatch(1);
        // the default interval: a worker is sampled when first seen, before the next one-second sample
        Monitoring monitoring = Monitoring.builder().database(db).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build();
             Connection c = open(db)) {
            try {
                for (int i = 0; i < 2; i++) {
                    flow.task("long").submit(() -> {
                        hold(release);
                        return 1;
                    });
                }
                awaitRows(c, "SELECT count(DISTINCT s.worker) FROM samples s JOIN tries r ON r.worker = s.worker"
                        + " WHERE s.cpu_load IS NOT NULL", List.of(List.of(2)));
                assertThat(rows(c, "SELECT count(*) FROM tries WHERE outcome = 'running'"))
                        .as("sampled before any try ended").containsExactly(List.of(2));
            } finally {
                release.countDown();
            }
        }
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT count(*) > 0, sum(cpu_load IS NULL) FROM samples WHERE worker LIKE 'jvm:%'"))
                    .as("the JVM's first sample too has a load").containsExactly(List.of(1, 0));
            assertThat(rows(c, "SELECT max(at_ns) > (SELECT max(ended_ns) FROM tries) FROM samples WHERE worker LIKE 'jvm:%'"))
                    .as("a last sample after the last try").containsExactly(List.of(1));
        }
    }
}
