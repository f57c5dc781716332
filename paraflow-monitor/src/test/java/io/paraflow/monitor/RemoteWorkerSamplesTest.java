package io.paraflow.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.Flow;
import io.paraflow.exec.WorkerLoad;
import io.paraflow.monitor.dashboard.Dashboard;
import io.paraflow.testing.NoLeakedThreads;
import io.paraflow.testing.ReportingExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workers outside this JVM, which the monitor cannot measure, are sampled from the figures their executor last
 * heard ({@link io.paraflow.exec.TaskExecutor#workerLoads}): each report becomes one row of {@code samples}, and
 * the dashboard lists the worker with its CPU and memory as it lists this JVM.
 */
@ExtendWith(NoLeakedThreads.class)
class RemoteWorkerSamplesTest {

    @TempDir
    Path dir;

    /** Reports {@code loads} through {@code latest} and waits until the monitor asked for them {@code times} times. */
    private static void report(AtomicReference<List<WorkerLoad>> latest, ReportingExecutor executor,
                               List<WorkerLoad> loads, int times) throws InterruptedException {
        latest.set(loads);
        int from = executor.asked();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (executor.asked() - from < times && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(executor.asked() - from).as("times the monitor asked for the loads").isGreaterThanOrEqualTo(times);
    }

    @Test
    void eachReportOfARemoteWorkerIsWrittenOnceAndTheDashboardShowsTheWorker() throws Exception {
        Path db = dir.resolve("remote.db");
        AtomicReference<List<WorkerLoad>> latest = new AtomicReference<>(List.of());
        ReportingExecutor remote = new ReportingExecutor("remote", latest::get);
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(10)).build();
        long start = System.currentTimeMillis() * 1_000_000;
        WorkerLoad first = new WorkerLoad("10.0.0.7:5701", start + 1_000, Double.NaN, 200_000_000, 64 << 20, 256 << 20);
        WorkerLoad second = new WorkerLoad("10.0.0.7:5701", start + 2_000, 1.5, 1_700_000_000, 80 << 20, 256 << 20);
        WorkerLoad other = new WorkerLoad("10.0.0.8:5701", start + 1_500, 0.25, 50_000_000, -1, -1);
        try (Flow flow = Flow.builder().threads(1).executor(remote).listener(monitoring).build()) {
            // each asked for several times: written once all the same
            report(latest, remote, List.of(first, other), 3);
            report(latest, remote, List.of(second, other), 3);
            report(latest, remote, List.of(), 3);
            assertThat(flow.submit(() -> 1).join()).isEqualTo(1);
        }

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT worker, at_ns - " + start + ", cpu_load, cpu_time_ns, memory_used_bytes,"
                    + " memory_max_bytes FROM samples WHERE worker LIKE '10.0.0.%' ORDER BY at_ns")).containsExactly(
                    Arrays.asList("10.0.0.7:5701", 1_000, null, 200_000_000, 64 << 20, 256 << 20),
                    Arrays.asList("10.0.0.8:5701", 1_500, 0.25, 50_000_000, null, null),
                    Arrays.asList("10.0.0.7:5701", 2_000, 1.5, 1_700_000_000, 80 << 20, 256 << 20));
        }
        try (Dashboard dashboard = Dashboard.start(db, 0)) {
            JsonNode workers = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    dashboard.uri().resolve("api/overview")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .path("workers");
            assertThat(workers).filteredOn(w -> w.path("worker").asText().equals("10.0.0.7:5701")).singleElement()
                    .satisfies(w -> {
                        assertThat(w.path("cpuLoad").asDouble()).isEqualTo(1.5);
                        assertThat(w.path("cpuMs").asLong()).isEqualTo(1_700);
                        assertThat(w.path("memoryUsed").asLong()).isEqualTo(80 << 20);
                        assertThat(w.path("memoryMax").asLong()).isEqualTo(256 << 20);
                    });
        }
    }
}
