package io.paraflow.cli;

import io.paraflow.Flow;
import io.paraflow.monitor.Monitoring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code paraflow monitor RUN.db}: serves a recorded run until stopped; refuses what is not a run database. */
class MonitorCommandTest {

    @TempDir
    Path dir;

    private static final Pattern SERVING = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/) ");

    @Test
    void servesTheDashboardOfARecordedRunUntilStopped() throws Exception {
        Path db = dir.resolve("run.db");
        try (Flow flow = Flow.builder().threads(2).listener(Monitoring.builder().name("recorded").database(db).build()).build()) {
            flow.submit(() -> 42).get();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread command = new Thread(() -> exitCode.set(Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("monitor", db.toString(), "--port", "0")), "monitor-command");
        command.start();
        try {
            Matcher serving = SERVING.matcher("");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!serving.reset(out.toString()).find()) {
                assertThat(System.nanoTime()).as("hang guard: no address printed; stderr: %s", err).isLessThan(deadline);
                assertThat(command.isAlive()).as("the command ended early: %s", err).isTrue();
                Thread.sleep(20);
            }
            HttpResponse<String> overview = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(serving.group(1) + "api/overview")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.body()).contains("\"name\":\"recorded\"").contains("\"finished\":1");
        } finally {
            command.interrupt();
            command.join(30_000);
        }
        assertThat(command.isAlive()).isFalse();
        assertThat(exitCode.get()).isZero();
    }

    @Test
    void aFileThatIsNotARunDatabaseIsAFailureThatNamesIt() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a database");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute("monitor", notes.toString());
        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString()).startsWith("paraflow monitor: " + notes + " is not a Paraflow run database");

        Path missing = dir.resolve("missing.db");
        err.getBuffer().setLength(0);
        exitCode = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute("monitor", missing.toString());
        assertThat(exitCode).isEqualTo(1);
        assertThat(err.toString()).startsWith("paraflow monitor: no run database at " + missing);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadPortIsAUsageError() {
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
                .execute("monitor", "run.db", "--port", "70000");
        assertThat(exitCode).isEqualTo(2);
        assertThat(err.toString()).contains("--port must be between 0 and 65535, got 70000");
    }
}
