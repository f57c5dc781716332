package io.paraflow.monitor.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * Shows a run's progress as one line: tasks ended of submitted, running, failed, cancelled, the rate of
 * the last seconds, the elapsed time and an estimate of the time left. On a terminal the line is redrawn
 * in place ({@code \r}); elsewhere (a log, a pipe) a line is printed at most once per interval, so that logs
 * stay short. A line drawn in place is kept shorter than the terminal is wide, by leaving out in turn the
 * running count, the elapsed time, the rate and the time left, then by cutting what is left: a line that
 * wraps cannot be redrawn in place ({@code \r} goes back to the start of its last row only).
 *
 * <p>Not thread-safe: one thread (the monitor's) calls {@link #show} and {@link #finish}.
 */
public final class ProgressLine {

    /** The rate is measured over this window, so that it follows changes in speed without jitter. */
    private static final long RATE_WINDOW_NANOS = Duration.ofSeconds(5).toNanos();
    /** A terminal line is redrawn at most this often. */
    private static final long REDRAW_NANOS = Duration.ofMillis(200).toNanos();

    private final PrintWriter out;
    private final String label;
    private final boolean inPlace;
    private final int columns;
    private final long intervalNanos;
    private final long startNanos;
    private final ArrayDeque<long[]> window = new ArrayDeque<>();
    /** In a log, the first line comes one interval after the start: a short run prints only its end. */
    private long lastShownNanos;
    private int lastLength;
    private String lastLine = "";

    /**
     * A progress line on {@code out}.
     *
     * @param label    printed before the counts (the run's name), or null
     * @param inPlace  redraw one line with {@code \r} (for a terminal), or print separate lines
     * @param columns  the terminal's width, which a line drawn in place is kept shorter than (see above); 0
     *                 for no limit; ignored when not {@code inPlace}
     * @param interval how often a separate line is printed when not {@code inPlace}
     * @param startNanos the run's start on the {@link System#nanoTime()} clock
     * @throws IllegalArgumentException if {@code interval} is not positive or {@code columns} is negative
     */
    public ProgressLine(PrintWriter out, String label, boolean inPlace, int columns, Duration interval, long startNanos) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("progress interval must be positive, got " + interval);
        }
        if (columns < 0) {
            throw new IllegalArgumentException("columns must be 0 (no limit) or more, got " + columns);
        }
        this.columns = columns;
        this.out = out;
        this.label = label;
        this.inPlace = inPlace;
        this.intervalNanos = interval.toNanos();
        this.startNanos = startNanos;
        this.lastShownNanos = startNanos;
    }

    /** Shows {@code progress} if it is time to (call it often; it decides). */
    public void show(Progress progress, long nowNanos) {
        record(progress, nowNanos);
        if (!due(nowNanos)) {
            return;
        }
        String line = describe(progress, nowNanos);
        if (inPlace && line.equals(lastLine)) {
            return;
        }
        print(line);
        lastShownNanos = nowNanos;
    }

    private boolean due(long nowNanos) {
        long since = nowNanos - lastShownNanos;
        return inPlace ? lastLength == 0 || since >= REDRAW_NANOS : since >= intervalNanos;
    }

    /**
     * Shows the final counts, with the run's average rate (the rate of the last seconds says little of a
     * run, and nothing once it has ended) and no estimate, and ends the line.
     */
    public void finish(Progress progress, long nowNanos) {
        long elapsed = nowNanos - startNanos;
        print(describe(progress, nowNanos, elapsed > 0 ? progress.ended() * 1e9 / elapsed : 0, false));
        if (inPlace) {
            out.println();
        }
        out.flush();
    }

    private void print(String line) {
        if (inPlace) {
            // spaces wipe what a longer previous line left on the terminal
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
        } else {
            out.println(line);
        }
        // a log shows each line when it is printed, not when the buffer fills or the run ends
        out.flush();
        lastLength = line.length();
        lastLine = line;
    }

    private void record(Progress progress, long nowNanos) {
        window.addLast(new long[] {nowNanos, progress.ended()});
        while (window.size() > 2 && nowNanos - window.peekFirst()[0] > RATE_WINDOW_NANOS) {
            window.removeFirst();
        }
    }

    /** Tasks ended per second over the last seconds; 0 until there are two measurements. */
    double rate() {
        long[] first = window.peekFirst();
        long[] last = window.peekLast();
        if (first == null || last[0] == first[0]) {
            return 0;
        }
        return (last[1] - first[1]) * 1e9 / (last[0] - first[0]);
    }

    /** The line for {@code progress} at {@code nowNanos}, made to fit the columns if drawn in place. */
    String describe(Progress progress, long nowNanos) {
        return describe(progress, nowNanos, rate(), true);
    }

    private String describe(Progress progress, long nowNanos, double rate, boolean estimate) {
        StringBuilder done = new StringBuilder(64);
        if (label != null) {
            done.append(label).append(": ");
        }
        done.append(String.format(Locale.ROOT, "tasks %,d/%,d done", progress.ended(), progress.submitted()));
        if (progress.failed() > 0) {
            done.append(String.format(Locale.ROOT, ", %,d failed", progress.failed()));
        }
        if (progress.cancelled() > 0) {
            done.append(String.format(Locale.ROOT, ", %,d cancelled", progress.cancelled()));
        }
        long left = progress.submitted() - progress.ended();
        // in the order they are shown; each one's place in the order of leaving out is its rank
        String[] parts = {
            String.format(Locale.ROOT, "%,d running", progress.running()),
            String.format(Locale.ROOT, rate >= 10 ? "%,.0f/s" : "%.1f/s", rate),
            clock(nowNanos - startNanos) + " elapsed",
            estimate && left > 0 && rate > 0 ? "ETA " + clock((long) (left / rate * 1e9)) : null,
        };
        int[] leftOutFirst = {0, 2, 1, 3};
        String line = join(done, parts);
        for (int i = 0; inPlace && columns > 0 && line.length() >= columns && i < leftOutFirst.length; i++) {
            parts[leftOutFirst[i]] = null;
            line = join(done, parts);
        }
        return inPlace && columns > 0 && line.length() >= columns ? line.substring(0, columns - 1) : line;
    }

    private static String join(CharSequence first, String[] parts) {
        StringBuilder line = new StringBuilder(first);
        for (String part : parts) {
            if (part != null) {
                line.append(" | ").append(part);
            }
        }
        return line.toString();
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(long nanos) {
        long seconds = Math.max(0, nanos) / 1_000_000_000L;
        long hours = seconds / 3600;
        long minutes = seconds / 60 % 60;
        long secs = seconds % 60;
        return hours > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", hours, minutes, secs)
                : String.format(Locale.ROOT, "%d:%02d", minutes, secs);
    }
}
