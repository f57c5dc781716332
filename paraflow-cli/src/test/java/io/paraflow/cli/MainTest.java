package io.paraflow.cli;

import io.paraflow.examples.SweepWorkflow;
import io.paraflow.monitor.store.RunDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    private static long number(String text, String regex) {
        Matcher matcher = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertThat(matcher.find()).as("'%s' in:%n%s", regex, text).isTrue();
        return Long.parseLong(matcher.group(1).replace(",", ""));
    }

    @Test
    void demoPrintsTheSummaryTasksTimesAndSpeedUp() {
        CommandRun demo = CommandRun.of("demo", "--size", "1", "--threads", "2");

        assertThat(demo.exitCode()).as(demo.err()).isZero();
        String out = demo.out();
        int simulations = SweepWorkflow.scenarios(1).size();
        assertThat(number(out, "^\\s+(\\d+) simulations = ")).isEqualTo(simulations);
        assertThat(number(out, "major outbreaks\\s+\\d+ of (\\d+) simulations")).isEqualTo(simulations);
        assertThat(out).containsPattern("mean attack rate\\s+\\d+\\.\\d %")
                .containsPattern("largest peak\\s+[\\d,]+ infected at once on day \\d+ \\(R0 \\d\\.\\d\\d")
                .containsPattern("longest epidemic\\s+\\d+ days");
        // simulate, analyse, and a binary tree of n - 1 combine tasks
        long tasks = 3L * simulations - 1;
        // stderr holds only the progress lines of the two timed runs, each ending with every task done
        assertThat(demo.err().lines()).isNotEmpty()
                .allMatch(line -> line.matches("(parallel|one thread): tasks [\\d,]+/[\\d,]+ done \\| .* elapsed.*"));
        assertThat(demo.err()).contains("parallel: tasks " + tasks + "/" + tasks + " done |")
                .contains("one thread: tasks " + tasks + "/" + tasks + " done |");
        assertThat(number(out, "^Tasks per run: (\\d+) \\(")).isEqualTo(tasks);
        assertThat(out).contains(simulations + " simulate, " + simulations + " analyse, " + (simulations - 1) + " combine");
        assertThat(number(out, "^\\s+parallel\\s+(\\d+)\\s")).isEqualTo(2);
        assertThat(number(out, "^\\s+parallel\\s+\\d+\\s+(\\d+)\\s")).isEqualTo(tasks);
        assertThat(number(out, "^\\s+one thread\\s+\\d+\\s+(\\d+)\\s")).isEqualTo(tasks);
        assertThat(out).containsPattern("(?m)^\\s+parallel\\s+2\\s+\\d+\\s+\\d+\\.\\d\\d s$")
                .containsPattern("(?m)^\\s+one thread\\s+1\\s+\\d+\\s+\\d+\\.\\d\\d s$")
                .containsPattern("(?m)^\\s+speed-up\\s+\\d+\\.\\d\\dx\\s+\\(the same result on both runs\\)$");
    }

    @Test
    void versionNamesTheBuildAndTheJvm() {
        CommandRun version = CommandRun.of("--version");

        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).containsPattern("^paraflow \\d+\\.\\d+\\.\\d+")
                .contains("Java " + Runtime.version());
    }

    @Test
    void helpListsTheSubcommands() {
        CommandRun help = CommandRun.of("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: paraflow").containsPattern("(?m)^\\s+demo\\s");
    }

    @Test
    void demoWithTheDashboardRecordsTheParallelRunInADatabaseThatMonitorServes(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("demo.db");
        CommandRun demo = CommandRun.of("demo", "--size", "1", "--threads", "2", "--no-progress", "--dashboard",
                "--dashboard-bind", "127.0.0.1", "--database", db.toString());

        assertThat(demo.exitCode()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("The parallel run is recorded in " + db + "; see it with: paraflow monitor " + db);
        long tasks = number(demo.out(), "^Tasks per run: (\\d+)");
        try (RunDatabase run = RunDatabase.open(db);
             Statement statement = run.connection().createStatement();
             ResultSet result = statement.executeQuery("SELECT name, outcome, tasks, finished FROM run")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getString(1)).isEqualTo("parallel");
            assertThat(result.getString(2)).isEqualTo("succeeded");
            assertThat(result.getLong(3)).isEqualTo(tasks);
            assertThat(result.getLong(4)).isEqualTo(tasks);
        }
    }

    @Test
    void demoWithADashboardPortInUseFailsSayingWhatToChange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CommandRun demo = CommandRun.of("demo", "--size", "1", "--threads", "2", "--no-progress", "--dashboard",
                    Integer.toString(taken.getLocalPort()));
            assertThat(demo.exitCode()).isEqualTo(1);
            assertThat(demo.err()).startsWith("paraflow demo: cannot serve the dashboard on 127.0.0.1:" + taken.getLocalPort()
                    + ": ").contains("; choose another port, or 0 for any free one");
        }
    }

    @Test
    void demoWithoutProgressPrintsNothingOnStderr() {
        CommandRun demo = CommandRun.of("demo", "--size", "1", "--threads", "2", "--no-progress");
        assertThat(demo.exitCode()).as(demo.err()).isZero();
        assertThat(demo.err()).isEmpty();
        assertThat(demo.out()).contains("speed-up");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "''                           | Missing subcommand: choose one of demo, checkpoints, monitor",
            "dmeo                         | Unmatched argument at index 0: 'dmeo'",
            "demo --threads 0             | --threads must be at least 1, got 0",
            "demo --size 0                | --size must be between 1 and",
            "demo --size many             | Invalid value for option '--size': 'many' is not an int",
            "demo --colour                | Unknown option: '--colour'",
            "demo --dashboard 70000       | --dashboard port must be between 0 and 65535, got 70000",
            "demo --dashboard-bind 0.0.0.0 | --dashboard-bind sets the address of the dashboard: it needs --dashboard",
            "demo --database .            | --database . is a directory; give the name of a new file, such as ./run.db",
    })
    void badArgumentsAreUsageErrors(String arguments, String message) {
        CommandRun bad = CommandRun.of(arguments.isEmpty() ? new String[0] : arguments.split(" "));

        assertThat(bad.exitCode()).isEqualTo(CommandLine.ExitCode.USAGE).isEqualTo(2);
        assertThat(bad.err()).contains(message).contains("Usage: paraflow");
        assertThat(bad.out()).isEmpty();
    }

    @Command(name = "fail")
    static final class FailingCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("the workflow broke", new ArithmeticException("division by zero"));
        }
    }

    @Test
    void aFailureWhileRunningIsReportedOnStderrWithExitCodeOne() {
        CommandRun failed = CommandRun.of(commandLine -> commandLine.addSubcommand(new FailingCommand()), "fail");

        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.err()).startsWith("paraflow fail: the workflow broke")
                .contains("caused by: java.lang.ArithmeticException: division by zero")
                .doesNotContain("\tat ");
        assertThat(failed.out()).isEmpty();
    }
}
