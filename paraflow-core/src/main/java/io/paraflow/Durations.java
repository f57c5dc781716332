package io.paraflow;

import java.time.Duration;

/** Durations as people read them in messages: {@code 250 ms}, {@code 1.5 s}, {@code 2 min 30 s}. */
final class Durations {
    private Durations() {
    }

    static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return trim(nanos / 1_000.0) + " µs";
        }
        if (nanos < 1_000_000_000) {
            return trim(nanos / 1_000_000.0) + " ms";
        }
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return trim(nanos / 1_000_000_000.0) + " s";
        }
        return seconds / 60 + " min" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + " s");
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.format("%.1f", value);
    }
}
