package io.paraflow.cluster.internal;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A warning written at most once per interval, so that a flood of bad messages cannot fill the disk with
 * log lines: what it holds back is counted, and the next warning written says how many.
 *
 * <p>Thread-safe; a held-back warning costs neither its text nor a call to the log.
 */
final class ThrottledLog {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Consumer<String> sink;
    private boolean written;
    private long nextAllowed;
    private long heldBack;

    /** Writes to {@code logger} at WARNING level, at most once per {@code interval}. */
    ThrottledLog(System.Logger logger, Duration interval) {
        this(interval, System::nanoTime, message -> logger.log(System.Logger.Level.WARNING, message));
    }

    ThrottledLog(Duration interval, LongSupplier nanoClock, Consumer<String> sink) {
        this.intervalNanos = interval.toNanos();
        this.nanoClock = nanoClock;
        this.sink = sink;
    }

    void warn(Supplier<String> message) {
        long held;
        synchronized (this) {
            long now = nanoClock.getAsLong();
            if (written && now - nextAllowed < 0) {
                heldBack++;
                return;
            }
            written = true;
            nextAllowed = now + intervalNanos;
            held = heldBack;
            heldBack = 0;
        }
        sink.accept(held == 0 ? message.get() : message.get() + " (" + held + " more warning(s) of this kind held back"
                + " since the last one)");
    }
}
