package io.paraflow.pattern;

import io.paraflow.pattern.internal.Run;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A pattern running in the background, from {@link Pattern#start}. Thread-safe.
 *
 * @param <R> the sink's result
 */
public final class Running<R> {

    private final Run run;
    private final Supplier<R> result;

    Running(Run run, Supplier<R> result) {
        this.run = run;
        this.result = result;
    }

    /**
     * Stops the pattern: every node's thread is interrupted and ends; {@link #await} then throws a
     * {@link java.util.concurrent.CancellationException}. No effect if the pattern already ended or failed.
     */
    public void cancel() {
        run.cancel();
    }

    /** Whether every node's thread has ended. */
    public boolean isDone() {
        return run.isDone();
    }

    /**
     * Waits until every node's thread has ended and returns the sink's result.
     *
     * @throws PatternException if a node failed
     * @throws java.util.concurrent.CancellationException if the pattern was cancelled
     * @throws InterruptedException if the calling thread was interrupted (the pattern keeps running)
     */
    public R await() throws InterruptedException {
        run.await(-1);
        return outcome();
    }

    /**
     * As {@link #await()}, waiting at most {@code timeout}.
     *
     * @throws TimeoutException if the pattern is still running after {@code timeout} (it keeps running)
     */
    public R await(Duration timeout) throws InterruptedException, TimeoutException {
        if (!run.await(timeout.toNanos())) {
            throw new TimeoutException("pattern still running after " + timeout);
        }
        return outcome();
    }

    void awaitUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                run.await(-1);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private R outcome() {
        RuntimeException failure = run.failure();
        if (failure != null) {
            throw failure;
        }
        return result.get();
    }
}
