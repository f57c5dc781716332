package io.paraflow.fault;

import java.time.Duration;
import java.util.Objects;

/** What a {@link RetryPolicy} decided about a failed attempt: retry now, retry after a delay, or give up. */
public final class RetryDecision {
    private static final RetryDecision NOW = new RetryDecision(true, Duration.ZERO);
    private static final RetryDecision GIVE_UP = new RetryDecision(false, Duration.ZERO);

    private final boolean retry;
    private final Duration delay;

    private RetryDecision(boolean retry, Duration delay) {
        this.retry = retry;
        this.delay = delay;
    }

    /** Run the task again as soon as a slot is free. */
    public static RetryDecision retryNow() {
        return NOW;
    }

    /** Run the task again after {@code delay}; the task holds no slot while it waits. */
    public static RetryDecision retryAfter(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("retry delay must not be negative: " + delay);
        }
        return delay.isZero() ? NOW : new RetryDecision(true, delay);
    }

    /** Stop trying: the task fails with the error of this attempt. */
    public static RetryDecision giveUp() {
        return GIVE_UP;
    }

    /** Whether the task runs again. */
    public boolean retry() {
        return retry;
    }

    /** How long to wait before the next attempt; zero for an immediate retry or when giving up. */
    public Duration delay() {
        return delay;
    }

    @Override
    public String toString() {
        return !retry ? "giveUp" : delay.isZero() ? "retryNow" : "retryAfter(" + delay + ")";
    }
}
