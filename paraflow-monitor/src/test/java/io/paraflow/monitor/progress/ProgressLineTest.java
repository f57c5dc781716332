package io.paraflow.monitor.progress;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The progress line's content, and how it is drawn on a terminal and in a log. Times are simulated. */
class ProgressLineTest {

    private static final long S = 1_000_000_000L;

    private final StringWriter text = new StringWriter();
    private final PrintWriter out = new PrintWriter(text);

    private String printed() {
        return text.toString();
    }

    @Test
    void theLineShowsCountsRateElapsedAndTimeLeft() {
        ProgressLine line = new ProgressLine(out, null, false, 0, Duration.ofSeconds(10), 0);
        line.show(new Progress(5_000, 0, 0, 0, 0), 0);
        line.show(new Progress(5_000, 8, 1_230, 3, 1), 2 * S);
        // 1,234 ended in 2 s: 617/s; 3,766 left: 6.1 s
        assertThat(line.describe(new Progress(5_000, 8, 1_230, 3, 1), 2 * S))
                .isEqualTo("tasks 1,234/5,000 done, 3 failed, 1 cancelled | 8 running | 617/s | 0:02 elapsed | ETA 0:06");
    }

    @Test
    void noFailuresNoRateAndNothingLeftShowNothingForThem() {
        ProgressLine line = new ProgressLine(out, null, false, 0, Duration.ofSeconds(10), 0);
        assertThat(line.describe(new Progress(3, 0, 3, 0, 0), 3_725 * S))
                .isEqualTo("tasks 3/3 done | 0 running | 0.0/s | 1:02:05 elapsed");
    }

    @Test
    void theRateFollowsTheLastSecondsNotTheWholeRun() {
        ProgressLine line = new ProgressLine(out, null, false, 0, Duration.ofSeconds(10), 0);
        line.show(new Progress(100_000, 0, 0, 0, 0), 0);
        line.show(new Progress(100_000, 0, 90_000, 0, 0), 10 * S);   // fast start: 9,000/s
        for (int s = 11; s <= 20; s++) {
            line.show(new Progress(100_000, 0, 90_000 + (s - 10) * 100L, 0, 0), s * S); // then 100/s
        }
        assertThat(line.rate()).isEqualTo(100.0);
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndEndedOnce() {
        ProgressLine line = new ProgressLine(out, null, true, 0, Duration.ofSeconds(10), 0);
        line.show(new Progress(10, 10, 0, 0, 0), 0);
        line.show(new Progress(10, 10, 0, 0, 0), S / 100);        // too soon: not drawn
        line.show(new Progress(10, 0, 10, 0, 0), S);
        line.finish(new Progress(10, 0, 10, 0, 0), S);
        String printed = printed();
        assertThat(printed).startsWith("\rtasks 0/10 done | 10 running");
        assertThat(printed.chars().filter(c -> c == '\r')).hasSize(3);
        assertThat(printed.chars().filter(c -> c == '\n')).hasSize(1);
        assertThat(printed).endsWith(System.lineSeparator()).contains("\rtasks 10/10 done | 0 running");
    }

    @Test
    void theLastLineHasTheRunsAverageRateAndNoEstimate() {
        ProgressLine line = new ProgressLine(out, null, false, 0, Duration.ofSeconds(10), 0);
        line.show(new Progress(2_000, 0, 0, 0, 0), 0);
        line.show(new Progress(2_000, 0, 1_400, 0, 0), 10 * S);
        // nothing ended in the last 4 s (a close that waited for something): the last seconds' rate is 0
        line.show(new Progress(2_000, 0, 1_400, 0, 0), 14 * S);
        assertThat(line.rate()).isZero();
        line.finish(new Progress(2_000, 0, 1_400, 0, 0), 14 * S);
        List<String> lines = printed().lines().toList();
        assertThat(lines.get(lines.size() - 1)).isEqualTo("tasks 1,400/2,000 done | 0 running | 100/s | 0:14 elapsed");
    }

    @Test
    void inALogALineIsPrintedOncePerIntervalAfterTheStartAndAtTheEnd() {
        ProgressLine line = new ProgressLine(out, null, false, 0, Duration.ofSeconds(10), 0);
        for (int s = 0; s <= 25; s++) {
            line.show(new Progress(100, 1, s, 0, 0), s * S);
        }
        line.finish(new Progress(100, 0, 100, 0, 0), 26 * S);
        assertThat(printed().lines()).allMatch(l -> l.startsWith("tasks ")).noneMatch(l -> l.contains("\r"));
        assertThat(printed().lines().map(l -> l.substring(0, l.indexOf(" done"))))
                .containsExactly("tasks 10/100", "tasks 20/100", "tasks 100/100");
    }

    @Test
    void aLabelNamesTheRun() {
        ProgressLine line = new ProgressLine(out, "parallel", false, 0, Duration.ofSeconds(10), 0);
        assertThat(line.describe(new Progress(3, 1, 2, 0, 0), 0)).startsWith("parallel: tasks 2/3 done | 1 running");
    }

    @Test
    void inPlaceTheLineFitsTheTerminalLeavingOutRunningThenElapsedThenRateThenTimeLeft() {
        Progress progress = new Progress(5_000, 8, 1_230, 3, 1);
        String full = "sweep: tasks 1,234/5,000 done, 3 failed, 1 cancelled | 8 running | 617/s | 0:02 elapsed | ETA 0:06";
        assertThat(fitted(full.length() + 1, progress)).isEqualTo(full);
        assertThat(fitted(full.length(), progress))
                .isEqualTo("sweep: tasks 1,234/5,000 done, 3 failed, 1 cancelled | 617/s | 0:02 elapsed | ETA 0:06");
        assertThat(fitted(80, progress)).isEqualTo("sweep: tasks 1,234/5,000 done, 3 failed, 1 cancelled | 617/s | ETA 0:06");
        assertThat(fitted(70, progress)).isEqualTo("sweep: tasks 1,234/5,000 done, 3 failed, 1 cancelled | ETA 0:06");
        assertThat(fitted(60, progress)).isEqualTo("sweep: tasks 1,234/5,000 done, 3 failed, 1 cancelled");
        assertThat(fitted(20, progress)).isEqualTo("sweep: tasks 1,234/");
    }

    @Test
    void inALogOrWithoutALimitTheLineIsWhole() {
        Progress progress = new Progress(5_000, 8, 1_230, 3, 1);
        ProgressLine log = new ProgressLine(out, "sweep", false, 20, Duration.ofSeconds(10), 0);
        ProgressLine unlimited = new ProgressLine(out, "sweep", true, 0, Duration.ofSeconds(10), 0);
        String whole = "sweep: tasks 1,234/5,000 done, 3 failed, 1 cancelled | 8 running | 0.0/s | 0:02 elapsed";
        assertThat(log.describe(progress, 2 * S)).isEqualTo(whole);
        assertThat(unlimited.describe(progress, 2 * S)).isEqualTo(whole);
    }

    /** The in-place line of a 2 s old run at 617 tasks/s, on a terminal of {@code columns}. */
    private String fitted(int columns, Progress progress) {
        ProgressLine line = new ProgressLine(out, "sweep", true, columns, Duration.ofSeconds(10), 0);
        line.show(new Progress(5_000, 0, 0, 0, 0), 0);
        line.show(progress, 2 * S);
        return line.describe(progress, 2 * S);
    }

    @Test
    void aNegativeWidthIsRefused() {
        assertThatThrownBy(() -> new ProgressLine(out, null, true, -1, Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("columns");
    }

    @Test
    void aNonPositiveIntervalIsRefused() {
        assertThatThrownBy(() -> new ProgressLine(out, null, false, 0, Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interval");
    }
}
