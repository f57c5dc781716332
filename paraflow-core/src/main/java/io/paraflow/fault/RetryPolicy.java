package io.paraflow.fault;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Decides whether a failed attempt of a task is tried again. It sees the error of the attempt (the
 * function's own exception, or a {@link io.paraflow.TaskTimeoutException}) and the number of the
 * attempt that failed, counted from 1, so it can weigh each kind of failure differently. Cancellation
 * and failed dependencies are never offered to it.
 *
 * <p>Called on the thread where the attempt ended; it must be fast and must not block. An exception it
 * throws counts as {@link RetryDecision#giveUp()} and is attached to the task's failure as suppressed.
 */
@FunctionalInterface
public interface RetryPolicy extends Serializable {

    /**
     * Decides about a failed attempt.
     *
     * @param error   what the attempt threw
     * @param attempt the number of the attempt that failed, starting at 1
     */
    RetryDecision decide(Throwable error, int attempt);

    /** Never retries: the default. */
    static RetryPolicy never() {
        return (error, attempt) -> RetryDecision.giveUp();
    }

    /** Retries any failure at once, up to {@code retries} times (so at most {@code retries + 1} attempts). */
    static RetryPolicy upTo(int retries) {
        requireRetries(retries);
        return (error, attempt) -> attempt <= retries ? RetryDecision.retryNow() : RetryDecision.giveUp();
    }

    /**
     * Retries failures of the given types (or their subtypes) at once, up to {@code retries} times; any
     * other failure gives up at once.
     */
    @SafeVarargs
    static RetryPolicy upTo(int retries, Class<? extends Throwable>... retryOn) {
        requireRetries(retries);
        List<Class<? extends Throwable>> types = List.of(retryOn);
        return (error, attempt) -> attempt <= retries && types.stream().anyMatch(t -> t.isInstance(error))
                ? RetryDecision.retryNow() : RetryDecision.giveUp();
    }

    /**
     * Retries any failure up to {@code retries} times, waiting {@code initialDelay} before the first retry
     * and doubling the wait each time, never longer than {@code maxDelay}.
     */
    static RetryPolicy exponentialBackoff(int retries, Duration initialDelay, Duration maxDelay) {
        requireRetries(retries);
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= initialDelay <= maxDelay, got initialDelay="
                    + initialDelay + " maxDelay=" + maxDelay);
        }
        return (error, attempt) -> {
            if (attempt > retries) {
                return RetryDecision.giveUp();
            }
            Duration delay = initialDelay.multipliedBy(1L << Math.min(attempt - 1, 30));
            return RetryDecision.retryAfter(delay.compareTo(maxDelay) > 0 ? maxDelay : delay);
        };
    }

    private static void requireRetries(int retries) {
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, got " + retries);
        }
    }
}
