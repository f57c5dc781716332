package io.paraflow.monitor.progress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Standard error is a terminal only if it leads to a terminal device. */
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
}
