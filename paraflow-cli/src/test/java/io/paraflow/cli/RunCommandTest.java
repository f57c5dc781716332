package io.paraflow.cli;

import io.paraflow.cluster.ClusterJvm;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.testing.Ports;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code paraflow run}: its usage errors, and a program compiled here (so that it is on no classpath but its
 * jar's) run locally and against a worker JVM this test starts and stops.
 */
class RunCommandTest {
    /**
     * Writes "PID-WHERE-THE-TASK-RAN PID-OF-THE-PROGRAM" to args[0], the task on executor args[1]; or exits; or
     * runs a task that waits until the file args[1] exists.
     */
    private static final String PROGRAM = """
            package runapp;

            import io.paraflow.Flow;
            import java.nio.file.Files;
            import java.nio.file.Path;

            public final class Where {
                public static void main(String[] args) throws Exception {
                    if (args[0].equals("--exit")) {
                        System.exit(Integer.parseInt(args[1]));
                    }
                    if (args[0].equals("--wait-for")) {
                        String release = args[1];
                        try (Flow flow = Flow.local()) {
                            flow.task("waiting").submit(() -> {
                                while (!Files.exists(Path.of(release))) {
                                    Thread.sleep(20);
                                }
                                return 0;
                            }).get();
                        }
                        return;
                    }
                    try (Flow flow = Flow.local()) {
                        long ran = flow.task("where").on(args[1]).submit(Where::pid).get();
                        Files.writeString(Path.of(args[0]), ran + " " + pid());
                    }
                }

                static long pid() {
                    return ProcessHandle.current().pid();
                }
            }
            """;

    @TempDir
    static Path programs;
    private static Path app;
    private static Path appWithoutMainClass;

    @TempDir
    Path directory;

    @BeforeAll
    static void buildProgram() throws IOException {
        Path sources = Files.createDirectories(programs.resolve("src/runapp"));
        Files.writeString(sources.resolve("Where.java"), PROGRAM);
        Path classes = Files.createDirectories(programs.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int compiled = javac.run(null, null, null, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                sources.resolve("Where.java").toString());
        assertThat(compiled).as("javac exit code").isZero();
        app = jar(programs.resolve("app.jar"), classes, "runapp.Where");
        appWithoutMainClass = jar(programs.resolve("plain.jar"), classes, null);
    }

    private static Path jar(Path file, Path classes, String mainClass) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (mainClass != null) {
            manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.putNextEntry(new JarEntry("runapp/Where.class"));
            jar.write(Files.readAllBytes(classes.resolve("runapp/Where.class")));
            jar.closeEntry();
        }
        return file;
    }

    private Path secretFile() throws IOException {
        return WorkerCommandTest.secretFile(directory);
    }

    @Test
    void aMissingJarIsAUsageErrorNamingIt() {
        Path missing = directory.resolve("missing.jar");
        CommandRun run = CommandRun.of("run", missing.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(missing.toString()).contains("does not exist");
    }

    @Test
    void aJarWithoutMainClassNeedsTheMainOption() {
        CommandRun run = CommandRun.of("run", appWithoutMainClass.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Main-Class").contains("--main CLASS");
    }

    @Test
    void aSecretOnTheCommandLineIsRefusedWithoutEchoingIt() {
        String secret = ClusterSecret.generate().encoded();
        CommandRun run = CommandRun.of("run", "--cluster", "127.0.0.1:5701", "--secret", secret, app.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("never accepted on the command line").contains("--secret-file")
                .doesNotContain(secret);
    }

    @Test
    void clusterSettingsWithoutClusterAreAUsageError() throws IOException {
        CommandRun run = CommandRun.of("run", "--secret-file", secretFile().toString(), app.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("need --cluster");
    }

    @Test
    void clusterWithoutASecretIsAUsageErrorSayingHowToGiveOne() {
        assumeTrue(System.getenv(ClusterSecret.ENVIRONMENT_VARIABLE) == null,
                ClusterSecret.ENVIRONMENT_VARIABLE + " is set where the tests run, so a secret is given");
        CommandRun run = CommandRun.of("run", "--cluster", "127.0.0.1:5701", app.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--secret-file FILE").contains(ClusterSecret.ENVIRONMENT_VARIABLE);
    }

    @Test
    void aSecretFileOthersCanReadIsRefusedBeforeTheProgramStarts() throws IOException {
        Path file = secretFile();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Path out = directory.resolve("where.txt");
        CommandRun run = CommandRun.of("run", "--cluster", "127.0.0.1:5701", "--secret-file", file.toString(),
                app.toString(), out.toString(), "cluster");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("chmod 600");
        assertThat(out).doesNotExist();
    }

    @Test
    void theProgramsArgumentsOptionsIncludedReachItAndItsExitCodeIsTheCommands() {
        CommandRun run = CommandRun.of("run", "--main", "runapp.Where", appWithoutMainClass.toString(), "--exit", "3");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(3);
    }

    @Test
    void withoutClusterTheProgramRunsOnLocalThreads() throws IOException {
        Path out = directory.resolve("where.txt");
        CommandRun run = CommandRun.of("run", app.toString(), out.toString(), "threads");
        assertThat(run.exitCode()).as(run.err()).isZero();
        long[] pids = pids(out);
        assertThat(pids[0]).isEqualTo(pids[1]).isNotEqualTo(ProcessHandle.current().pid());
    }

    @Test
    void withClusterTasksMarkedForTheClusterRunOnAWorker() throws Exception {
        Path secret = secretFile();
        int port = Ports.unused();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(ClusterJvm.OPTIONS);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "worker",
                "--port", Integer.toString(port), "--cores", "1", "--secret-file", secret.toString(),
                "--classpath", app.toString()));
        Process worker = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader workerOut = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
            String line = workerOut.readLine();
            assertThat(line).as("the worker's first line").contains("joined at");

            Path out = directory.resolve("where.txt");
            CommandRun run = CommandRun.of("run", "--cluster", "127.0.0.1:" + port, "--secret-file", secret.toString(),
                    "--allow", "runapp.**", app.toString(), out.toString(), "cluster");
            assertThat(run.exitCode()).as(run.err()).isZero();
            long[] pids = pids(out);
            assertThat(pids[0]).as("where the task ran").isEqualTo(worker.pid()).isNotEqualTo(pids[1]);
        } finally {
            worker.destroy();
            if (!worker.waitFor(20, TimeUnit.SECONDS)) {
                worker.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void byDefaultEveryFlowShowsItsProgressAndWithDatabaseItIsRecorded() throws Exception {
        Path out = directory.resolve("where.txt");
        Path db = directory.resolve("runs/where.db");
        Program run = Program.start(directory.resolve("paraflow.err"), "run", "--database", db.toString(), app.toString(),
                out.toString(), "threads");
        assertThat(run.waitFor()).as(run.err()).isZero();
        assertThat(run.err()).contains("tasks 1/1 done | 0 running");
        assertThat(out).exists();
        try (RunDatabase recorded = RunDatabase.open(db);
             Statement query = recorded.connection().createStatement();
             ResultSet tasks = query.executeQuery("SELECT name, state FROM tasks")) {
            assertThat(recorded.run().outcome()).isEqualTo("succeeded");
            assertThat(tasks.next()).isTrue();
            assertThat(tasks.getString(1) + ":" + tasks.getString(2)).isEqualTo("where:finished");
            assertThat(tasks.next()).isFalse();
        }
    }

    @Test
    void withJfrTheProgramIsRecordedWithAnEventPerTaskTry() throws Exception {
        Path out = directory.resolve("where.txt");
        Path recording = directory.resolve("records/where.jfr");
        Program run = Program.start(directory.resolve("paraflow.err"), "run", "--jfr", recording.toString(),
                "--no-progress", app.toString(), out.toString(), "threads");
        assertThat(run.waitFor()).as(run.err()).isZero();
        assertThat(out).exists();
        List<RecordedEvent> tries = RecordingFile.readAllEvents(recording).stream()
                .filter(event -> event.getEventType().getName().equals("io.paraflow.TaskTry")).toList();
        assertThat(tries).extracting(event -> event.getString("taskName") + ":" + event.getString("outcome"))
                .containsExactly("where:finished");
    }

    @Test
    void aJfrFileThatExistsOrHasACommaIsAUsageErrorBeforeTheProgramStarts() throws IOException {
        Path existing = Files.writeString(directory.resolve("old.jfr"), "keep me");
        CommandRun exists = CommandRun.of("run", "--jfr", existing.toString(), app.toString(), "--exit", "0");
        assertThat(exists.exitCode()).isEqualTo(2);
        assertThat(exists.err()).contains("--jfr: " + existing + " exists; give a new file");
        assertThat(existing).hasContent("keep me");
        Path comma = directory.resolve("a,b.jfr");
        CommandRun withComma = CommandRun.of("run", "--jfr", comma.toString(), app.toString(), "--exit", "0");
        assertThat(withComma.exitCode()).isEqualTo(2);
        assertThat(withComma.err()).contains("the path may not contain a comma");
        Path unmade = directory.resolve("not-yet/run.jfr");
        CommandRun missingJar = CommandRun.of("run", "--jfr", unmade.toString(), directory.resolve("missing.jar").toString());
        assertThat(missingJar.exitCode()).isEqualTo(2);
        assertThat(unmade.getParent()).as("no directory made for a run that did not start").doesNotExist();
        assertThat(comma).doesNotExist();
    }

    @Test
    void withDashboardEachFlowIsServedWhileItRunsAndNoProgressHidesTheLine() throws Exception {
        Path release = directory.resolve("release");
        Program run = Program.start(directory.resolve("paraflow.err"), "run", "--no-progress", "--dashboard",
                "--dashboard-bind", "127.0.0.1", app.toString(), "--wait-for", release.toString());
        try {
            Matcher serving = Pattern.compile("paraflow dashboard of flow \\d+: (http://127\\.0\\.0\\.1:\\d+/)").matcher("");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!serving.reset(run.err()).find()) {
                assertThat(System.nanoTime()).as("hang guard: no dashboard address; stderr: %s", run.err()).isLessThan(deadline);
                assertThat(run.process().isAlive()).as("the program ended early: %s", run.err()).isTrue();
                Thread.sleep(20);
            }
            HttpResponse<String> overview = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(serving.group(1) + "api/overview")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.body()).contains("\"run\":{");
        } finally {
            Files.writeString(release, "go");
        }
        assertThat(run.waitFor()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain("tasks ");
    }

    @Test
    void badMonitoringOptionsAreUsageErrors() throws IOException {
        Path existing = Files.writeString(directory.resolve("old.db"), "an earlier run");
        CommandRun run = CommandRun.of("run", "--database", existing.toString(), app.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--database " + existing + " already exists");
        assertThat(Files.readString(existing)).isEqualTo("an earlier run");

        run = CommandRun.of("run", "--dashboard-bind", "0.0.0.0", app.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--dashboard-bind sets the address of the dashboard: it needs --dashboard");

        run = CommandRun.of("run", "--dashboard=70000", app.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--dashboard port must be between 0 and 65535, got 70000");
    }

    @Test
    void dashboardWithoutAPortBeforeTheJarTakesTheJarAsTheProgram() {
        CommandRun run = CommandRun.of("run", "--no-progress", "--dashboard", app.toString(), "--exit", "4");
        assertThat(run.exitCode()).as(run.err()).isEqualTo(4);
    }

    /** {@code paraflow} in a JVM of its own, so that what the program it runs prints on stderr can be read. */
    private record Program(Process process, Path errFile) {
        static Program start(Path err, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
            return new Program(process, err);
        }

        String err() {
            try {
                return Files.readString(errFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        int waitFor() throws InterruptedException {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
                throw new AssertionError("paraflow run did not end within 60 s; stderr: " + err());
            }
            return process.exitValue();
        }
    }

    private static long[] pids(Path file) throws IOException {
        String[] words = Files.readString(file).split(" ");
        return new long[] {Long.parseLong(words[0]), Long.parseLong(words[1])};
    }

}
