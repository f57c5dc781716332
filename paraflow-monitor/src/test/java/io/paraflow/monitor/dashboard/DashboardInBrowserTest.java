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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import static io.paraflow.monitor.dashboard.HeadlessChromium.CHROMIUM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard in a real headless browser (Debian's chromium), driven through the DevTools protocol: the
 * page of a running flow shows its counts, follows them as the run goes on, and opens a failed task's page
 * with its error and stack trace, and a running task's page, which follows the task until it ends without
 * being redrawn while it is unchanged; a dashboard whose database is no longer written says so; a large graph does not push the rest of the page away. Leaves a
 * screenshot in {@code target/test-output/dashboard.png}.
 */
@ExtendWith(NoLeakedThreads.class)
class DashboardInBrowserTest {

    @TempDir
    Path dir;

    static int broken() throws IOException {
        throw new IOException("data.csv: no such file");
    }

    private static String count(String state, int value) {
        return "document.getElementById('count-" + state + "').textContent === '" + value + "'";
    }

    @Test
    void theDashboardOfARunningFlowFollowsItsCountsAndShowsAFailedTasksPage() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        CountDownLatch release = new CountDownLatch(1);
        Monitoring monitoring = Monitoring.builder().name("live").database(dir.resolve("live.db")).dashboard(0)
                .sampleEvery(Duration.ofMillis(50)).build();
        try (Flow flow = Flow.builder().threads(2).listener(monitoring).build();
             HeadlessChromium browser = new HeadlessChromium(dir);
             // released before the flow closes, which waits for the waiting task, whether the test passed or not
             AutoCloseable releaseWaiting = release::countDown) {
            flow.map(x -> x + 1, List.of(1, 2, 3, 4, 5));
            Task<Integer> broken = flow.task("broken").submit(DashboardInBrowserTest::broken);
            Task<Integer> waiting = flow.task("waiting").submit(() -> {
                release.await();
                return 0;
            });
            URI uri = monitoring.dashboardUri().orElseThrow();
            browser.open(uri);
            // the page shows what the database holds, which the monitor flushes every 250 ms
            browser.await(count("submitted", 7) + " && " + count("running", 1) + " && " + count("finished", 5)
                    + " && " + count("failed", 1), "the counts of the run");
            browser.await("document.getElementById('failures').innerText.includes('java.io.IOException: data.csv: no such file')",
                    "the failed task's error");
            String running = "waiting #" + waiting.id() + " attempt 1: running";
            String failed = "broken #" + broken.id() + " attempt 1: failed";
            browser.await("[...document.querySelectorAll('#timeline title')].some(t => t.textContent.startsWith('" + running
                    + "')) && [...document.querySelectorAll('#timeline title')].some(t => t.textContent.startsWith('" + failed
                    + "'))", "the running and the failed try on the timeline");
            browser.await("document.querySelector('#graph rect.outcome-failed')", "the failed task in the graph");
            assertThat(browser.text("run-name")).isEqualTo("live");

            // the failed task's page: its try, its error and stack trace
            browser.evaluate("document.querySelector('#failures tbody tr').click()");
            browser.await("!document.getElementById('task-page').hidden && document.querySelector('#task-detail pre')",
                    "the failed task's page");
            assertThat(browser.text("task-title")).isEqualTo("broken #" + broken.id() + ": failed");
            assertThat(browser.text("task-detail"))
                    .containsPattern("attempt 1 on paraflow-threads-\\S+: failed, from [0-9.]+ s to [0-9.]+ s of the run")
                    .contains("attempt 1 (failed): java.io.IOException: data.csv: no such file");
            assertThat(browser.evaluate("document.querySelector('#task-detail pre').textContent").asText())
                    .startsWith("java.io.IOException: data.csv: no such file")
                    .contains("at io.paraflow.monitor.dashboard.DashboardInBrowserTest.broken(");

            // the running task's page, which follows the task until it ends
            String waitingRow = "[...document.querySelectorAll('#tasks tbody tr')].find(r => r.cells[0].textContent === 'waiting #"
                    + waiting.id() + "')";
            browser.await(waitingRow, "the running task in the table");
            browser.evaluate(waitingRow + ".click()");
            browser.await("document.getElementById('task-title').textContent === 'waiting #" + waiting.id() + ": running'"
                    + " && document.getElementById('task-detail').innerText.includes('(still running)')", "the running task's page");

            Path screenshots = Path.of(System.getProperty("paraflow.testOutput", dir.toString()));
            Files.createDirectories(screenshots);
            Path png = screenshots.resolve("dashboard.png");
            Files.deleteIfExists(png);
            browser.screenshot(png);
            assertThat(Files.size(png)).isGreaterThan(1_000);

            // the run goes on: the page, not reloaded, follows it; the running task's page, unchanged, is not redrawn
            browser.evaluate("{ window.taskPageRedrawn = false; const redrawn = new MutationObserver(() =>"
                    + " window.taskPageRedrawn = true); for (const id of ['task-title', 'task-detail'])"
                    + " redrawn.observe(document.getElementById(id), {childList: true, subtree: true, characterData: true}); }");
            flow.map(x -> x * 2, List.of(1, 2, 3));
            browser.await(count("submitted", 10) + " && " + count("running", 1) + " && " + count("finished", 8),
                    "the counts after three more finished");
            assertThat(browser.evaluate("window.taskPageRedrawn").asBoolean()).as("the unchanged task page redrawn").isFalse();
            release.countDown();
            browser.await(count("submitted", 10) + " && " + count("running", 0) + " && " + count("finished", 9),
                    "the counts after the waiting task finished");
            browser.await("document.getElementById('task-title').textContent === 'waiting #" + waiting.id() + ": finished'",
                    "the waiting task's page, refreshed once it finished");
            assertThat(browser.text("task-detail")).containsPattern("attempt 1 on \\S+: finished, from [0-9.]+ s to [0-9.]+ s")
                    .doesNotContain("still running");
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
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            browser.await("document.querySelectorAll('#workers tbody tr').length >= 2", "the workers");
            assertThat(browser.text("throughput")).matches("[0-9.]+ \\(average\\)");
            String workers = browser.evaluate("document.querySelector('#workers tbody').innerHTML").asText();
            // busy with tasks, CPU, CPU time, memory; this JVM runs no tasks itself, so its busy slots are unknown
            assertThat(workers).containsPattern("<td>processes-\\d+ \\(pid \\d+\\)</td><td>\\d+\\.\\d\\d</td>(<td>[^<]*</td>){2}"
                            + "<td>\\d+ MiB</td>")
                    .containsPattern("<td>jvm:[^<]+</td><td></td>(<td>[^<]*</td>){2}<td>\\d+ of \\d+ MiB</td>")
                    .doesNotContain(" of 0 MiB");
        }
    }

    @Test
    void aDashboardWhoseDatabaseIsNoLongerWrittenSaysSoAndWhy() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("stopped.db");
        MixedRun.record(db);
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            browser.await("document.getElementById('run-state').textContent.startsWith('ended: failed')", "the run's state");
            assertThat(browser.evaluate("document.getElementById('run-state').className").asText()).isEmpty();
            dashboard.recordingStopped("java.sql.SQLException: disk full");
            browser.await("document.getElementById('run-state').textContent.includes(\"the monitor stopped writing the"
                    + " run's database (java.sql.SQLException: disk full): what this page shows stops there\")",
                    "the note on the run's state");
            assertThat(browser.evaluate("document.getElementById('run-state').className").asText()).isEqualTo("error");
        }
    }

    @Test
    void aFailureWhoseMessageQuotesLastLinesItDidNotRecordIsListedWhole() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("quoting.db");
        String message = "rerun of a command that failed\n--- last lines of stderr (old.stderr):\nline 9: bad value";
        try (Flow flow = Flow.builder().threads(1).listener(Monitoring.database(db)).build()) {
            flow.task("quoting").submit(() -> {
                throw new IllegalStateException(message);
            });
            flow.awaitAll();
        }
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            browser.await("document.querySelectorAll('#failures tbody tr').length === 1", "the failed task");
            assertThat(browser.evaluate("document.querySelector('#failures tbody tr').cells[3].textContent").asText())
                    .isEqualTo("java.lang.IllegalStateException: " + message);
        }
    }

    @Test
    void theTaskPagesOfCommandsShowTheLastLinesOfEachTryOnceUnderTheirFiles() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("commands.db");
        Path runs = dir.resolve("runs");
        Map<String, Long> ids = MixedRun.recordCommands(db, runs);
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            browser.await("document.querySelectorAll('#failures tbody tr').length === 2", "the two failed commands");
            assertThat(browser.text("failures")).contains("exited with code 3").doesNotContain("last lines")
                    .doesNotContain("line 3");

            String convert = "convert #" + ids.get("convert");
            browser.evaluate("showTask(" + ids.get("convert") + ")");
            browser.await("document.getElementById('task-title').textContent === '" + convert + ": failed'", "the failed command's page");
            String page = browser.text("task-detail");
            assertThat(page).containsOnlyOnce("line 3: bad value").containsOnlyOnce("converted 2 rows")
                    .contains("attempt 1 (failed): io.paraflow.command.CommandFailedException: command 'convert' (#"
                            + ids.get("convert") + ") exited with code 3")
                    .contains("last lines of stderr (" + runs.resolve("convert-" + ids.get("convert") + ".stderr") + "):")
                    .contains("last lines of stdout (" + runs.resolve("convert-" + ids.get("convert") + ".stdout") + "):");
            assertThat(browser.evaluate("document.querySelector('#task-detail pre').textContent").asText())
                    .startsWith("io.paraflow.command.CommandFailedException: command 'convert'")
                    .contains("\n\tat io.paraflow.command.CommandCall.run(").doesNotContain("last lines");
            assertThat(browser.evaluate("document.querySelector('#task-detail pre.stderr-tail').textContent").asText())
                    .isEqualTo("reading input.csv\nline 3: bad value");

            String timedOut = "cmd-timeout #" + ids.get("cmd-timeout");
            browser.evaluate("showTask(" + ids.get("cmd-timeout") + ")");
            browser.await("document.getElementById('task-title').textContent === '" + timedOut + ": failed'",
                    "the timed-out command's page");
            assertThat(browser.text("task-detail")).containsOnlyOnce("started-and-hung").containsOnlyOnce("out-before-hang")
                    .contains("attempt 1 (failed): io.paraflow.TaskTimeoutException: task 'cmd-timeout' (#"
                            + ids.get("cmd-timeout") + ") timed out after 1 s")
                    .contains("last lines of stderr (" + runs.resolve("cmd-timeout-" + ids.get("cmd-timeout") + ".stderr") + "):");
            assertThat(browser.evaluate("document.querySelector('#task-detail pre.stdout-tail').textContent").asText())
                    .isEqualTo("out-before-hang");

            long summarize = ids.get("summarize");
            browser.evaluate("showTask(" + summarize + ")");
            browser.await("document.getElementById('task-title').textContent === 'summarize #" + summarize + ": finished'",
                    "the page of the command that succeeded on its second try");
            assertThat(browser.text("task-detail")).containsOnlyOnce("summed 1").containsOnlyOnce("warned 1")
                    .containsOnlyOnce("summed 2").containsOnlyOnce("warned 2")
                    .contains("attempt 2: last lines of stdout (" + runs.resolve("summarize-" + summarize + "-attempt2.stdout") + "):")
                    .contains("attempt 2: last lines of stderr (" + runs.resolve("summarize-" + summarize + "-attempt2.stderr") + "):");
        }
    }

    @Test
    void theTimelineGivesTheTriesAWorkerRanAtOnceRowsOfTheirOwn() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("members.db");
        MixedRun.record(db);
        MixedRun.addTriesOfOneWorkerAtOnce(db);
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            browser.await("document.querySelectorAll('#timeline rect').length === 10", "the ten tries on the timeline");
            assertThat(browser.evaluate("[...document.querySelectorAll('#timeline text')].map(t => t.textContent).join(',')")
                    .asText().split(",")).containsSubsequence("member-1", "member-1 #2", "member-1 #3", "member-2");
            // the row of each try of member-1, by its start: 0-10 and 11-13 share the first, 2-5 and 3-12 have their own
            String rows = browser.evaluate("[...document.querySelectorAll('#timeline rect')]"
                    + ".filter(r => r.textContent.startsWith('sim #'))"
                    + ".map(r => [Number(r.textContent.slice(5, 9)), Number(r.getAttribute('y'))])"
                    + ".sort((a, b) => a[0] - b[0]).map(([id, y]) => id + ':' + y).join(' ')").asText();
            String[] byTask = rows.split(" ");
            assertThat(byTask).hasSize(5);
            String y0 = byTask[0].split(":")[1];
            assertThat(byTask[3]).endsWith(":" + y0);
            assertThat(List.of(byTask[0], byTask[1], byTask[2], byTask[4])).extracting(row -> row.split(":")[1])
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void aGraphOfThousandsOfTasksScrollsInABoxAndTheSectionsBelowItStayInReach() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("wide.db");
        try (Flow flow = Flow.builder().threads(2).listener(Monitoring.database(db)).build()) {
            // 1,000 tasks feeding 1,000 others: two columns of 1,000 nodes, drawn one by one
            List<Task<Integer>> sims = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                int k = i;
                sims.add(flow.task("sim").submit(() -> k));
            }
            for (Task<Integer> sim : sims) {
                flow.task("post").submit(x -> x + 1, sim);
            }
            flow.awaitAll();
        }
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            browser.await("document.querySelectorAll('#graph rect').length === 2000", "the graph of 2,000 tasks");
            double graphHeight = browser.evaluate("document.getElementById('graph').getBoundingClientRect().height").asDouble();
            double boxHeight = browser.evaluate("document.getElementById('graph-box').getBoundingClientRect().height").asDouble();
            double failuresTop = browser.evaluate("document.getElementById('failures').getBoundingClientRect().top + scrollY")
                    .asDouble();
            assertThat(graphHeight).as("the graph at its own size").isGreaterThan(20_000);
            assertThat(boxHeight).as("the box it scrolls in").isLessThanOrEqualTo(500);
            assertThat(failuresTop).as("where the failed tasks are on the page").isLessThan(2_000);
        }
    }

    @Test
    void aCycleBetweenGroupsOfAnIterativeRunIsDrawnInColumnsOfFirstSubmission() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("iterations.db");
        try (Flow flow = Flow.builder().threads(2).listener(Monitoring.database(db)).build()) {
            // iter-0 -> merge-0 -> iter-1 -> ...: grouped by name without its index, iter* and merge* feed each other
            Task<Integer> last = flow.task("iter-0").submit(() -> 0);
            for (int i = 0; i < 1_050; i++) {
                last = flow.task("merge-" + i).submit(x -> x + 1, last);
                last = flow.task("iter-" + (i + 1)).submit(x -> x + 1, last);
            }
            flow.awaitAll();
        }
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            browser.await("document.querySelectorAll('#graph rect').length === 2", "the two groups");
            assertThat(browser.evaluate("document.getElementById('graph').getAttribute('viewBox')").asText())
                    .as("a drawable size").matches("0 0 \\d+ \\d+");
            assertThat(browser.evaluate("[...document.querySelectorAll('#graph rect')].map(r => r.getAttribute('x')).join(',')")
                    .asText()).as("iter* in the first column, merge* in the second").isEqualTo("10,170");
        }
    }

    @Test
    void aGroupUnderWayLooksUnfinishedAndATaskWaitingForItsRetrySaysSo() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM + " (apt-get install chromium; .ci/run installs it)");
        Path db = dir.resolve("under-way.db");
        MixedRun.record(db);
        // over 2,000 tasks, so the page groups them: sweep is half done
        MixedRun.addSweepUnderWay(db, 1_000, 1, 1_000);
        try (java.sql.Connection connection = MixedRun.open(db); java.sql.Statement statement = connection.createStatement()) {
            // its first try failed, and it waits for the next one (a retry delay)
            statement.executeUpdate("INSERT INTO tasks VALUES (900, 'retrying', 'threads', 1, 0, 0, 'waiting', 1,"
                    + " (SELECT started_ns FROM run), (SELECT started_ns FROM run), NULL)");
            statement.executeUpdate("INSERT INTO tries VALUES (900, 1, 'paraflow-threads-1', (SELECT started_ns FROM run),"
                    + " (SELECT started_ns FROM run) + 1000000, 'retried')");
        }
        try (Dashboard dashboard = Dashboard.start(db, 0); HeadlessChromium browser = new HeadlessChromium(dir)) {
            browser.open(dashboard.uri());
            String sweep = "[...document.querySelectorAll('#graph rect')].filter(r => r.textContent.startsWith('sweep:'))";
            browser.await(sweep + ".length === 2", "the sweep group and its bar");
            assertThat(browser.evaluate(sweep + ".map(r => r.getAttribute('class') + ' ' + r.getAttribute('width')"
                    + " + ' ' + r.textContent).join('|')").asText())
                    .isEqualTo("outcome-running 140 sweep: 2001 task(s): 1000 finished, 1 running, 1000 waiting"
                            + "|ended-share 70.0 sweep: 2001 task(s): 1000 finished, 1 running, 1000 waiting");

            browser.evaluate("showTask(900)");
            browser.await("document.getElementById('task-title').textContent === 'retrying #900: waiting'",
                    "the page of the task waiting for its retry");
            assertThat(browser.text("task-detail")).contains("waiting for its next try (attempt 2), after 1 that failed")
                    .doesNotContain("a slot");
        }
    }
}
