package io.paraflow.monitor;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.RemoteTaskException;
import io.paraflow.Task;
import io.paraflow.TaskTimeoutException;
import io.paraflow.command.CommandExecutor;
import io.paraflow.command.CommandFailedException;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static io.paraflow.monitor.MixedRun.awaitRows;
import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The database of a run holds the run, its tasks, every try, failures with their traces, and samples. */
@ExtendWith(NoLeakedThreads.class)
class MonitoringDatabaseTest {

    /** An address of no machine (TEST-NET-1, RFC 5737), so none of this one's. */
    static final String NOT_OURS = "192.0.2.1";

    @TempDir
    Path dir;

    @Test
    void aRunWithSuccessesRetriesFailuresAndCancellationsIsRecordedCompletely() throws Exception {
        Path db = dir.resolve("runs/mixed.db");
        Map<String, Long> ids = MixedRun.record(db);

        try (Connection c = open(db)) {
            List<List<Object>> run = rows(c, "SELECT name, outcome, tasks, finished, failed, cancelled, ended_ns >= started_ns,"
                    + " default_executor, pid FROM run");
            assertThat(run).containsExactly(List.of("mixed", "failed", 6, 2, 2, 2, 1, "threads", (int) ProcessHandle.current().pid()));
            // every flow has a command executor with a core slot per processor
            assertThat(rows(c, "SELECT label, cores FROM executors")).containsExactly(List.of("threads", 2),
                    List.of("commands", Runtime.getRuntime().availableProcessors()));

            assertThat(rows(c, "SELECT name, state, attempts FROM tasks ORDER BY task_id")).containsExactly(
                    List.of("ok", "finished", 1), List.of("flaky", "finished", 2), List.of("broken", "failed", 1),
                    List.of("downstream", "failed", 1), List.of("blocked", "cancelled", 1),
                    List.of("after-blocked", "cancelled", 1));
            assertThat(rows(c, "SELECT count(*) FROM tasks WHERE submitted_ns <= ready_ns AND ready_ns <= ended_ns"))
                    .as("ready tasks have ordered times").containsExactly(List.of(4));

            assertThat(rows(c, "SELECT t.name, d.depends_on FROM dependencies d JOIN tasks t USING (task_id) ORDER BY 1, 2"))
                    .containsExactly(List.of("after-blocked", ids.get("blocked").intValue()),
                            List.of("downstream", ids.get("ok").intValue()),
                            List.of("downstream", ids.get("broken").intValue()));

            assertThat(rows(c, "SELECT t.name, r.attempt, r.outcome, r.worker LIKE 'paraflow-%', r.started_ns <= r.ended_ns"
                    + " FROM tries r JOIN tasks t USING (task_id) ORDER BY r.task_id, r.attempt")).containsExactly(
                    List.of("ok", 1, "finished", 1, 1),
                    List.of("flaky", 1, "retried", 1, 1), List.of("flaky", 2, "finished", 1, 1),
                    List.of("broken", 1, "failed", 1, 1),
                    List.of("blocked", 1, "cancelled", 1, 1));

            List<List<Object>> failures = rows(c, "SELECT t.name, f.attempt, f.outcome, f.type, f.message, f.root_task_id,"
                    + " f.stack_trace IS NOT NULL FROM failures f JOIN tasks t USING (task_id) ORDER BY f.task_id, f.attempt");
            assertThat(failures).hasSize(5);
            assertThat(failures.get(0)).containsExactly("flaky", 1, "retried", "java.lang.IllegalStateException",
                    "first attempt fails", null, 1);
            assertThat(failures.get(1)).containsExactly("broken", 1, "failed", "java.io.IOException",
                    "data.csv: no such file", null, 1);
            assertThat(failures.get(2).subList(0, 4)).containsExactly("downstream", 1, "failed",
                    DependencyFailedException.class.getName());
            assertThat((String) failures.get(2).get(4)).contains("'broken' (#" + ids.get("broken") + ")");
            assertThat(failures.get(2).subList(5, 7)).containsExactly(ids.get("broken").intValue(), 0);
            assertThat(failures.get(3).subList(0, 4)).containsExactly("blocked", 1, "cancelled",
                    "io.paraflow.TaskCancelledException");
            assertThat(failures.get(4).subList(0, 3)).containsExactly("after-blocked", 1, "cancelled");

            List<List<Object>> why = rows(c, "SELECT name, type, worker LIKE 'paraflow-%', stack_trace FROM failed_tasks ORDER BY task_id");
            assertThat(why).hasSize(2);
            assertThat(why.get(0).subList(0, 3)).containsExactly("broken", "java.io.IOException", 1);
            assertThat((String) why.get(0).get(3)).startsWith("java.io.IOException: data.csv: no such file")
                    .contains("MixedRun.broken");
            assertThat(why.get(1).subList(0, 3)).containsExactly("downstream", DependencyFailedException.class.getName(), null);

            assertThat(rows(c, "SELECT submitted, running, finished, failed, cancelled FROM progress"
                    + " WHERE at_ns = (SELECT ended_ns FROM run)")).containsExactly(List.of(6, 0, 2, 2, 2));
            assertThat(rows(c, "SELECT count(*) > 0 FROM samples WHERE worker LIKE 'jvm:%' AND memory_used_bytes > 0"
                    + " AND cpu_time_ns >= 0")).containsExactly(List.of(1));
        }
    }

    @Test
    void aRunningTryIsInTheDatabaseWithinASampleAndItsEndReplacesIt() throws Exception {
        Path db = dir.resolve("running.db");
        CountDownLatch release = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(20)).build();
        try (Flow flow = Flow.builder().threads(1).listener(monitoring).build();
             Connection c = open(db)) {
            Task<Integer> slow = flow.task("slow").submit(() -> {
                release.await();
                return 1;
            });
            String running = "SELECT t.state, r.outcome, r.ended_ns IS NULL FROM tasks t JOIN tries r USING (task_id)"
                    + " WHERE task_id = " + slow.id();
            awaitRows(c, running, List.of(List.of("running", "running", 1)));
            release.countDown();
            slow.get();
            flow.close();
            assertThat(rows(c, running)).containsExactly(List.of("finished", "finished", 0));
        } finally {
            release.countDown();
        }
    }

    @Test
    void failedAndTimedOutCommandsHaveTheTailsOfTheirStderrAndStdoutInFailuresAndFailedTasks() throws Exception {
        Path db = dir.resolve("command.db");
        MixedRun.recordCommands(db, dir.resolve("runs"));

        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT name, type, stack_trace IS NULL, stderr_tail, stdout_tail FROM failed_tasks"
                    + " ORDER BY task_id")).containsExactly(
                    List.of("convert", CommandFailedException.class.getName(), 0, "reading input.csv\nline 3: bad value",
                            "converted 2 rows"),
                    List.of("cmd-timeout", TaskTimeoutException.class.getName(), 1, "started-and-hung", "out-before-hang"));
            assertThat(rows(c, "SELECT f.attempt, f.outcome, f.stdout_tail FROM failures f JOIN tasks t USING (task_id)"
                    + " ORDER BY task_id")).containsExactly(List.of(1, "failed", "converted 2 rows"),
                    List.of(1, "failed", "out-before-hang"), List.of(1, "retried", "summed 1"));
            assertThat(rows(c, "SELECT name, cores, gpus, state FROM tasks ORDER BY task_id")).containsExactly(
                    List.of("convert", 1, 1, "failed"), List.of("cmd-timeout", 1, 0, "failed"),
                    List.of("summarize", 1, 0, "finished"));
            assertThat(rows(c, "SELECT label, run_directory FROM executors ORDER BY label")).containsExactly(
                    Arrays.asList(CommandExecutor.LABEL, dir.resolve("runs").toAbsolutePath().toString()),
                    Arrays.asList("threads", null));
        }
    }

    static int procFailure() {
        throw new IllegalStateException("proc failure 3");
    }

    @Test
    void anErrorInAWorkerProcessIsRecordedWithTheTypeTheFunctionThrew() throws Exception {
        Path db = dir.resolve("process-failure.db");
        ProcessExecutor processes = ProcessExecutor.builder().workers(1).forwardStderr(false)
                .allow("io.paraflow.monitor.**").build();
        try (Flow flow = Flow.builder().threads(1).executor(processes).listener(Monitoring.database(db)).build()) {
            Task<Integer> failing = flow.task("proc").on(ProcessExecutor.DEFAULT_LABEL)
                    .submit(MonitoringDatabaseTest::procFailure);
            assertThatThrownBy(failing::get).hasRootCauseInstanceOf(RemoteTaskException.class);
        }

        try (Connection c = open(db)) {
            List<List<Object>> why = rows(c, "SELECT name, type, message, stack_trace FROM failed_tasks");
            assertThat(why).hasSize(1);
            assertThat(why.get(0).subList(0, 3)).containsExactly("proc", "java.lang.IllegalStateException", "proc failure 3");
            assertThat((String) why.get(0).get(3)).startsWith("java.lang.IllegalStateException: proc failure 3")
                    .contains("MonitoringDatabaseTest.procFailure");
        }
    }

    @Test
    void workerProcessesAreSampledForCpuAndMemory() throws Exception {
        Path db = dir.resolve("processes.db");
        ProcessExecutor processes = ProcessExecutor.builder().workers(1).forwardStderr(false)
                .allow("io.paraflow.monitor.**").build();
        Monitoring monitoring = Monitoring.builder().database(db).sampleEvery(Duration.ofMillis(20)).build();
        try (Flow flow = Flow.builder().threads(1).executor(processes).listener(monitoring).build()) {
            // the first task's end names the worker to the monitor; the second keeps it busy while it samples
            flow.task("first").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> MixedRun.spin(1)).get();
            flow.task("busy").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> MixedRun.spin(600)).get();
        }

        try (Connection c = open(db)) {
            List<List<Object>> worker = rows(c, "SELECT DISTINCT worker FROM tries");
            assertThat(worker).hasSize(1);
            String name = (String) worker.get(0).get(0);
            assertThat(name).matches(ProcessExecutor.DEFAULT_LABEL + "-\\d+ \\(pid \\d+\\)");
            assertThat(rows(c, "SELECT count(*) > 0 FROM samples WHERE worker = '" + name + "' AND cpu_time_ns > 0"
                    + " AND memory_used_bytes > 0 AND cpu_load > 0")).containsExactly(List.of(1));
            assertThat(rows(c, "SELECT max(busy) > 0.5 FROM samples WHERE worker = '" + name + "'"))
                    .as("the worker process busy with its task").containsExactly(List.of(1));
        }
    }

    /** A user exception as odd as they come: asking for its message throws (its toString works). */
    static final class Unprintable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
            throw new IllegalStateException("no message for you");
        }

        @Override
        public String toString() {
            return "Unprintable";
        }
    }

    @Test
    void anExceptionWhoseMessageThrowsIsRecordedWithANoteAndTheRecordingGoesOn() throws Exception {
        Path db = dir.resolve("odd.db");
        try (Flow flow = Flow.builder().threads(1).listener(Monitoring.database(db)).build()) {
            flow.task("odd").submit(() -> {
                throw new Unprintable();
            });
            flow.awaitAll();
            flow.task("after").submit(() -> 1).get();
        }
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT name, type, message FROM failed_tasks")).containsExactly(List.of("odd",
                    Unprintable.class.getName(), "(its getMessage() threw java.lang.IllegalStateException)"));
            assertThat(rows(c, "SELECT name, state FROM tasks ORDER BY task_id"))
                    .containsExactly(List.of("odd", "failed"), List.of("after", "finished"));
        }
    }

    @Test
    void theSchemaVersionIsStoredForReaders() throws Exception {
        Path db = dir.resolve("empty.db");
        Flow.builder().listener(Monitoring.database(db)).build().close();
        try (Connection c = open(db)) {
            assertThat(rows(c, "PRAGMA user_version")).containsExactly(List.of(3));
            assertThat(rows(c, "SELECT outcome, tasks FROM run")).containsExactly(List.of("succeeded", 0));
            assertThat(rows(c, "PRAGMA journal_mode")).containsExactly(List.of("wal"));
        }
    }

    @Test
    void anExistingDatabaseIsNeverOverwritten() throws Exception {
        Path db = dir.resolve("old.db");
        Files.writeString(db, "results of an earlier run");
        assertThatThrownBy(() -> Flow.builder().listener(Monitoring.database(db)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(db.toString()).hasMessageContaining("already exists");
        assertThat(Files.readString(db)).isEqualTo("results of an earlier run");
    }

    @Test
    void aDatabaseThatCannotBeCreatedFailsTheBuildNamingTheFileAndWhy() throws Exception {
        Path notADirectory = dir.resolve("plain-file");
        Files.writeString(notADirectory, "x");
        Path db = notADirectory.resolve("run.db");
        assertThatThrownBy(() -> Flow.builder().listener(Monitoring.database(db)).build())
                .isInstanceOf(MonitoringException.class)
                .hasMessage("cannot create the monitoring database " + db + ": " + notADirectory + " is not a directory");
        Path below = notADirectory.resolve("runs").resolve("run.db");
        assertThatThrownBy(() -> Flow.builder().listener(Monitoring.database(below)).build())
                .isInstanceOf(MonitoringException.class)
                .hasMessageStartingWith("cannot create the monitoring database " + below + ": cannot create its directory "
                        + below.getParent() + " (java.nio.file.");
        assertThat(Files.readString(notADirectory)).isEqualTo("x");
    }

    @Test
    void aDatabaseInADirectoryWhereNoFileCanBeCreatedFailsTheBuildWithSqlitesError() {
        // not a directory made read-only: root, as tests may run, writes there anyway
        Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc.resolve("self")), "needs Linux's /proc, where no file can be created");
        Path db = proc.resolve("paraflow-run.db");
        assertThatThrownBy(() -> Flow.builder().listener(Monitoring.database(db)).build())
                .isInstanceOf(MonitoringException.class)
                .hasMessageStartingWith("cannot create the monitoring database " + db + ": [SQLITE_CANTOPEN]");
        assertThat(db).doesNotExist();
    }

    @Test
    void aDirectoryIsRefusedAsTheDatabaseAndMissingDirectoriesAreCreated() throws Exception {
        assertThatThrownBy(() -> Flow.builder().listener(Monitoring.database(dir)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("monitoring database " + dir + " is a directory; give the name of a new file, such as "
                        + dir.resolve("run.db"));
        Path nested = dir.resolve("runs").resolve("2026").resolve("run.db");
        try (Flow flow = Flow.builder().listener(Monitoring.database(nested)).build()) {
            flow.submit(() -> 1).get();
        }
        try (Connection c = open(nested)) {
            assertThat(rows(c, "SELECT outcome, finished FROM run")).containsExactly(List.of("succeeded", 1));
        }
    }

    @Test
    void aDashboardPortInUseOrAnAddressOfAnotherMachineFailsTheBuildAndLeavesNoDatabaseBehind() throws Exception {
        Path first = dir.resolve("first.db");
        Monitoring serving = Monitoring.builder().database(first).dashboard(0).build();
        try (Flow flow = Flow.builder().listener(serving).build()) {
            int taken = serving.dashboardUri().orElseThrow().getPort();
            Path second = dir.resolve("second.db");
            assertThatThrownBy(() -> Flow.builder().listener(Monitoring.builder().database(second).dashboard(taken).build()).build())
                    .isInstanceOf(MonitoringException.class)
                    .hasMessageStartingWith("cannot serve the dashboard on 127.0.0.1:" + taken)
                    .hasMessageEndingWith("; choose another port, or 0 for any free one");
            assertThat(second).doesNotExist();
            Path third = dir.resolve("third.db");
            assertThatThrownBy(() -> Flow.builder().listener(Monitoring.builder().database(third).dashboard(NOT_OURS, 0)
                    .build()).build()).isInstanceOf(MonitoringException.class)
                    .hasMessageStartingWith("cannot serve the dashboard on " + NOT_OURS + ":0: ")
                    .hasMessageEndingWith("; it is not an address of this machine: give one of its addresses, 127.0.0.1 or"
                            + " 0.0.0.0");
            assertThat(third).doesNotExist();
            assertThat(flow.submit(() -> 1).get()).isEqualTo(1);
        }
    }

    @Test
    void aDashboardAloneReadsATemporaryDatabaseDeletedWhenTheFlowCloses() throws Exception {
        Monitoring monitoring = Monitoring.dashboard(0);
        Path temporary;
        try (Flow flow = Flow.builder().threads(1).listener(monitoring).build()) {
            flow.task("shown").submit(() -> 1).get();
            temporary = monitoring.temporaryDatabase().orElseThrow();
            assertThat(temporary).exists();
            assertThat(monitoring.databaseFile()).isEmpty();
            HttpResponse<String> overview = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    monitoring.dashboardUri().orElseThrow().resolve("api/overview")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(overview.statusCode()).isEqualTo(200);
            assertThat(overview.body()).contains("\"submitted\":");
        }
        assertThat(temporary).doesNotExist();
        assertThat(temporary.getParent()).doesNotExist();
    }

    @Test
    void theDashboardBindsToTheAddressItIsGiven() throws Exception {
        Monitoring monitoring = Monitoring.builder().dashboard("127.0.0.2", 0).build();
        try (Flow flow = Flow.builder().threads(1).listener(monitoring).build()) {
            URI served = monitoring.dashboardUri().orElseThrow();
            assertThat(served.getHost()).isEqualTo("127.0.0.2");
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(served.resolve("api/overview")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
        assertThat(Monitoring.builder().dashboard(0).build().toString()).contains("dashboard=127.0.0.1:0");
        assertThatThrownBy(() -> Monitoring.builder().dashboard(" ", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dashboard bind address ' '");
        assertThatThrownBy(() -> Monitoring.builder().dashboard("127.0.0.1", 65_536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 65536");
    }

    @Test
    void oneMonitoringWatchesOneFlow() {
        Monitoring monitoring = Monitoring.database(dir.resolve("once.db"));
        try (Flow first = Flow.builder().listener(monitoring).build()) {
            assertThatThrownBy(() -> Flow.builder().listener(monitoring).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already watches flow " + first.id());
        }
    }

    @Test
    void aMonitoringThatRecordsNothingIsRefused() {
        assertThatThrownBy(() -> Monitoring.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("database(file)").hasMessageContaining("progress(true)")
                .hasMessageContaining("dashboard(port)");
        assertThatThrownBy(() -> Monitoring.builder().sampleEvery(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sampleEvery");
    }
}
