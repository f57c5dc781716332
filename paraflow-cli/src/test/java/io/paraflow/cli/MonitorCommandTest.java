package io.paraflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.Flow;
import io.paraflow.monitor.Monitoring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
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
        assertThat(overviewServed(db)).contains("\"name\":\"recorded\"").contains("\"finished\":1");
    }

    @Test
    void aRunDatabaseOfSchemaVersion2IsServedAndExported() throws Exception {
        Path db = dir.resolve("version-2.db");
        try (Flow flow = Flow.builder().threads(2).listener(Monitoring.builder().name("older").database(db).build()).build()) {
            flow.submit(() -> 42).get();
        }
        // what Paraflow recorded before samples.busy
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.executeUpdate("ALTER TABLE samples DROP COLUMN busy");
            s.executeUpdate("PRAGMA user_version = 2");
        }
        // served, not refused; its workers' busy slots are unknown
        assertThat(overviewServed(db)).contains("\"name\":\"older\"").contains("\"finished\":1")
                .contains("\"busy\":null");
        Path trace = dir.resolve("older.trace.json");
        CommandRun run = CommandRun.of("monitor", db.toString(), "--trace", trace.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(trace).isNotEmptyFile();
    }

    /** Runs {@code paraflow monitor db} until it serves, and returns its {@code api/overview}; then stops it. */
    private static String overviewServed(Path db) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread command = new Thread(() -> exitCode.set(Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("monitor", db.toString(), "--port", "0")), "monitor-command");
        command.start();
        String body;
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
            assertThat(overview.statusCode()).as(overview.body()).isEqualTo(200);
            body = overview.body();
        } finally {
            command.interrupt();
            command.join(30_000);
        }
        assertThat(command.isAlive()).isFalse();
        assertThat(exitCode.get()).isZero();
        return body;
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
    void aRunDatabaseOfANewerSchemaIsAFailureThatSaysSo() throws Exception {
        Path newer = dir.resolve("newer.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + newer); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE run (name TEXT)");
            s.executeUpdate("PRAGMA user_version = 99");
        }
        CommandRun run = CommandRun.of("monitor", newer.toString(), "--port", "0");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("paraflow monitor: " + newer + " is not a Paraflow run database of schema version")
                .contains("(it has version 99: it was recorded by a newer version of Paraflow; read it with that version)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aPortInUseOrAnAddressOfAnotherMachineIsAFailureThatSaysWhatToChange() throws Exception {
        Path db = dir.resolve("run.db");
        Flow.builder().listener(Monitoring.database(db)).build().close();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandRun run = CommandRun.of("monitor", db.toString(), "--port", Integer.toString(taken.getLocalPort()));
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("paraflow monitor: cannot serve the dashboard on 127.0.0.1:" + taken.getLocalPort()
                    + ": ").contains("; choose another port, or 0 for any free one");
        }
        // TEST-NET-1 (RFC 5737): an address of no machine
        CommandRun elsewhere = CommandRun.of("monitor", db.toString(), "--bind", "192.0.2.1", "--port", "0");
        assertThat(elsewhere.exitCode()).isEqualTo(1);
        assertThat(elsewhere.err()).startsWith("paraflow monitor: cannot serve the dashboard on 192.0.2.1:0: ")
                .contains("; it is not an address of this machine: give one of its addresses, 127.0.0.1 or 0.0.0.0");
        assertThat(elsewhere.out()).isEmpty();
    }

    @Test
    void traceAndDotWriteTheirFilesAndExitWithoutServing() throws Exception {
        Path db = dir.resolve("run.db");
        try (Flow flow = Flow.builder().threads(2).listener(Monitoring.builder().name("exported").database(db).build()).build()) {
            flow.task("square").submit(x -> x * x, flow.task("seed").submit(() -> 7)).get();
        }
        Path trace = dir.resolve("run.trace.json");
        Path dot = dir.resolve("run.dot");
        CommandRun run = CommandRun.of("monitor", db.toString(), "--trace", trace.toString(), "--dot", dot.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("Wrote the Chrome trace of " + db + " to " + trace)
                .contains("Wrote the task graph of " + db + " to " + dot).doesNotContain("Serving");

        JsonNode events = new ObjectMapper().readTree(trace.toFile()).path("traceEvents");
        assertThat(events).filteredOn(e -> e.path("ph").asText().equals("X")).extracting(e -> e.path("name").asText())
                .containsExactlyInAnyOrder("seed", "square");
        assertThat(Files.readString(dot)).startsWith("digraph run {").containsPattern("t\\d+ -> t\\d+;")
                .contains("seed").contains("square");

        Path grouped = dir.resolve("grouped.dot");
        assertThat(CommandRun.of("monitor", db.toString(), "--dot", grouped.toString(), "--dot-max", "1").exitCode()).isZero();
        assertThat(Files.readString(grouped)).contains("\"seed\" -> \"square\" [label=\"1\"];");
    }

    @Test
    void anExportThatCannotBeWrittenIsAFailureThatNamesTheFileAndLeavesNothingHalfWritten() throws Exception {
        Path db = dir.resolve("run.db");
        Flow.builder().listener(Monitoring.database(db)).build().close();
        Path nowhere = dir.resolve("missing").resolve("run.trace.json");
        CommandRun run = CommandRun.of("monitor", db.toString(), "--trace", nowhere.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("paraflow monitor: cannot write the Chrome trace of " + db + " to " + nowhere
                + " (java.nio.file.NoSuchFileException: " + nowhere + ")");

        // a damaged database: its run opens, its tries are gone, which the export finds once it has begun the file
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.executeUpdate("DROP VIEW failed_tasks");
            s.executeUpdate("DROP TABLE tries");
        }
        Path trace = dir.resolve("run.trace.json");
        run = CommandRun.of("monitor", db.toString(), "--trace", trace.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("paraflow monitor: cannot write the Chrome trace of " + db + " to " + trace)
                .contains("no such table: tries");
        assertThat(trace).doesNotExist();
    }

    @Test
    void anExportNeverOverwritesAFile() throws Exception {
        Path db = dir.resolve("run.db");
        Flow.builder().listener(Monitoring.database(db)).build().close();
        Path existing = Files.writeString(dir.resolve("notes.json"), "my notes");
        for (String option : new String[] {"--trace", "--dot"}) {
            CommandRun run = CommandRun.of("monitor", db.toString(), option, existing.toString());
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).contains(existing + " already exists; give a new file");
        }
        CommandRun onItself = CommandRun.of("monitor", db.toString(), "--trace", db.toString());
        assertThat(onItself.exitCode()).isEqualTo(2);
        assertThat(Files.readString(existing)).isEqualTo("my notes");
        assertThat(CommandRun.of("monitor", db.toString(), "--dot", dir.resolve("g.dot").toString(), "--dot-max", "-1")
                .err()).contains("--dot-max must not be negative, got -1");
        CommandRun maxAlone = CommandRun.of("monitor", db.toString(), "--dot-max", "10");
        assertThat(maxAlone.exitCode()).isEqualTo(2);
        assertThat(maxAlone.err()).contains("--dot-max goes with --dot FILE");
        CommandRun portAndExport = CommandRun.of("monitor", db.toString(), "--trace", dir.resolve("t.json").toString(),
                "--port", "0");
        assertThat(portAndExport.exitCode()).isEqualTo(2);
        assertThat(portAndExport.err()).contains("with --trace or --dot the run is exported and nothing is served");
        assertThat(dir.resolve("t.json")).doesNotExist();
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
