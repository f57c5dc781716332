package io.paraflow.monitor.dashboard;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.exec.process.ProcessExecutor;
import io.paraflow.monitor.MixedRun;
import io.paraflow.monitor.Monitoring;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The live dashboard of a running flow in a real headless browser (Debian's chromium): the page shows the
 * counts and a failed task's error. Leaves a screenshot in {@code target/test-output/dashboard.png}.
 */
@ExtendWith(NoLeakedThreads.class)
class DashboardInBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long GUARD_SECONDS = 60;

    @TempDir
    Path dir;

    static int broken() throws IOException {
        throw new IOException("data.csv: no such file");
    }

    @Test
    void theDashboardOfARunningFlowShowsItsCountsAndTheErrorOfAFailedTask() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        CountDownLatch release = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().name("live").database(dir.resolve("live.db")).dashboard(0)
                .sampleEvery(Duration.ofMillis(50)).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build()) {
            flow.map(x -> x + 1, List.of(1, 2, 3, 4, 5));
            Task<Integer> broken = flow.task("broken").submit(DashboardInBrowserTest::broken);
            Task<Integer> waiting = flow.task("waiting").submit(() -> {
                release.await();
                return 0;
            });
            URI uri = monitoring.dashboardUri().orElseThrow();
            // the page shows what the database holds, which the monitor flushes every 250 ms
            awaitBody(uri.resolve("api/overview"), body -> body.contains("\"finished\":5,\"failed\":1"));
            awaitBody(uri.resolve("api/failures"), body -> body.contains("\"broken\""));
            awaitBody(uri.resolve("api/tasks?state=running"), body -> body.contains("\"waiting\""));

            String dom = chromium(uri, "--dump-dom", "--virtual-time-budget=5000");
            assertThat(dom).contains("<span id=\"count-submitted\">7</span>")
                    .contains("<span id=\"count-running\">1</span>")
                    .contains("<span id=\"count-finished\">5</span>")
                    .contains("<span id=\"count-failed\">1</span>")
                    .contains("broken #" + broken.id())
                    .contains("java.io.IOException: data.csv: no such file")
                    .contains("live")
                    .contains("class=\"outcome-failed\"")     // the failed task's try on the timeline and its node in the graph
                    .contains("broken #" + broken.id() + " attempt 1: failed")
                    .contains("waiting #" + waiting.id() + " attempt 1: running");

            Path screenshots = Path.of(System.getProperty("paraflow.testOutput", dir.toString()));
            Files.createDirectories(screenshots);
            Path png = screenshots.resolve("dashboard.png");
            Files.deleteIfExists(png);
            chromium(uri, "--screenshot=" + png, "--window-size=1280,1100", "--virtual-time-budget=5000");
            assertThat(png).exists();
            assertThat(Files.size(png)).isGreaterThan(1_000);
            release.countDown();
        } finally {
            release.countDown();
        }
    }

    @Test
    void theDashboardOfAFinishedRunShowsItsAverageThroughputAndTheMemoryOfAWorkerProcess() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("finished.db");
        ProcessExecutor processes = ProcessExecutor.builder().workers(1).forwardStderr(false)
                .allow("io.paraflow.monitor.**").build();
        Monitoring monitoring = Monitoring.builder().name("finished").database(db).sampleEvery(Duration.ofMillis(20)).build();
        try (Flow flow = Flow.builder().threads(1).executor(processes).listener(monitoring).build()) {
            // the first task's end names the worker to the monitor; the second keeps it busy while it samples
            flow.task("first").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> MixedRun.spin(1)).get();
            flow.task("busy").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> MixedRun.spin(300)).get();
        }
        try (Dashboard dashboard = Dashboard.start(db, 0)) {
            String dom = chromium(dashboard.uri(), "--dump-dom", "--virtual-time-budget=3000");
            assertThat(dom).containsPattern("<span id=\"throughput\">[0-9.]+ \\(average\\)</span>")
                    .containsPattern("<td>processes-\\d+ \\(pid \\d+\\)</td>(<td>[^<]*</td>){2}<td>\\d+ MiB</td>")
                    .containsPattern("<td>jvm:[^<]+</td>(<td>[^<]*</td>){2}<td>\\d+ of \\d+ MiB</td>")
                    .doesNotContain(" of 0 MiB");
        }
    }

    private static void awaitBody(URI uri, Predicate<String> ready) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        String body = "";
        while (System.nanoTime() < deadline) {
            body = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (ready.test(body)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("hang guard: " + uri + " did not become ready; last answer: " + body);
    }

    /** Runs headless chromium on {@code uri} with a fresh profile and returns what it printed on stdout. */
    private String chromium(URI uri, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--user-data-dir=" + Files.createTempDirectory(dir, "profile")));
        command.addAll(List.of(options));
        command.add(uri.toString());
        Path log = Files.createTempFile(dir, "chromium", ".log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("hang guard: chromium did not end; its log:\n" + Files.readString(log));
            }
            assertThat(process.exitValue()).as("chromium's exit code; its log:%n%s", Files.readString(log)).isZero();
            return new String(out, StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }
}
