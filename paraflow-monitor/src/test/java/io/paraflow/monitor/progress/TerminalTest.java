package io.paraflow.monitor.progress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Standard error is a terminal only if it leads to a terminal device; its width is the terminal's. */
class TerminalTest {

    @ParameterizedTest
    @CsvSource({
        "/dev/pts/3, true",
        "/dev/tty1, true",
        "/dev/tty, true",
        "/dev/console, true",
        "/dev/null, false",
        "pipe:[81234], false",
        "/tmp/run.log, false",
        "socket:[4242], false",
    })
    void onlyTerminalDevicesAreTerminals(String target, boolean terminal) {
        assertThat(Terminal.isTerminalDevice(target)).isEqualTo(terminal);
    }

    @ParameterizedTest
    @CsvSource(value = {"132, 132", "1, 1", "0, null", "-5, null", "abc, null", "12x, null", "'', null", "9999999, null"},
            nullValues = "null")
    void columnsFromTheEnvironmentMustBeAPositiveNumber(String text, Integer columns) {
        assertThat(Terminal.positive(text)).isEqualTo(columns);
    }

    /** Prints what {@link Terminal#standardErrorColumns()} finds, for the test below. */
    public static final class PrintColumns {
        public static void main(String[] args) {
            System.out.println("columns=" + Terminal.standardErrorColumns());
        }
    }

    @Test
    void onATerminalTheWidthIsTheTerminalsAsSttyTellsIt(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException, InterruptedException {
        Path script = Path.of("/usr/bin/script");
        assumeTrue(Files.isExecutable(script), "needs util-linux's script(1) to give the child JVM a terminal");
        Path log = dir.resolve("out.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // a terminal 57 columns wide, and no COLUMNS to take the width from
        String command = "stty cols 57 rows 20; exec '" + java + "' -cp '" + System.getProperty("java.class.path") + "' '"
                + PrintColumns.class.getName() + "'";
        ProcessBuilder builder = new ProcessBuilder(script.toString(), "-qec", command, "/dev/null")
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        builder.environment().remove("COLUMNS");
        Process child = builder.start();
        child.getOutputStream().close();
        try {
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ended").isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(Files.readString(log, StandardCharsets.UTF_8)).contains("columns=57");
    }
}
