package io.paraflow.cache;

import java.time.Duration;
import java.util.Objects;

/**
 * When the checkpoint store writes finished tasks to its file. A record that was written survives a
 * crash of the program (even SIGKILL); with {@link #everyTask()} it also survives a crash of the machine.
 * Records not yet written when the program dies are lost, and their tasks run again on resume.
 *
 * <p>Immutable and thread-safe.
 */
public final class FlushPolicy {

    private final Kind kind;
    private final Duration interval;

    private FlushPolicy(Kind kind, Duration interval) {
        this.kind = kind;
        this.interval = interval;
    }

    /** Writes and forces each record to the disk as its task finishes: safest, slowest. */
    public static FlushPolicy everyTask() {
        return new FlushPolicy(Kind.EVERY_TASK, Duration.ZERO);
    }

    /**
     * Writes the records gathered in memory at least every {@code interval} (and at close), then forces
     * them to the disk: at most that much work is lost in a crash. The default, with one second.
     */
    public static FlushPolicy periodic(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("flush interval must be positive, got " + interval);
        }
        return new FlushPolicy(Kind.PERIODIC, interval);
    }

    /** Writes only when the flow closes: fastest; a crash loses the whole run's checkpoints. */
    public static FlushPolicy atClose() {
        return new FlushPolicy(Kind.AT_CLOSE, Duration.ZERO);
    }

    /** What triggers a write. */
    public enum Kind {
        /** Each finished task. */
        EVERY_TASK,
        /** A timer. */
        PERIODIC,
        /** Closing the flow. */
        AT_CLOSE
    }

    /** What triggers a write. */
    public Kind kind() {
        return kind;
    }

    /** The interval of {@link Kind#PERIODIC}; zero otherwise. */
    public Duration interval() {
        return interval;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FlushPolicy p && p.kind == kind && p.interval.equals(interval);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + interval.hashCode();
    }

    @Override
    public String toString() {
        return kind == Kind.PERIODIC ? "periodic(" + interval + ")" : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
