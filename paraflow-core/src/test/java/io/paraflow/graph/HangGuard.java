package io.paraflow.graph;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Runs a piece of test work on a helper thread and fails if it stops making progress: a hang guard,
 * never a speed check. The work is declared hung only when {@code progress} (a counter the work bumps,
 * such as a logical clock of task starts and ends) has not moved for {@code idle} while the work is
 * unfinished: the tasks under test take microseconds, so seconds without a single step mean nothing
 * will ever happen again. {@code cap} bounds the whole run as a last resort.
 */
final class HangGuard {

    /** Thrown when the work hung; the message carries the caller's diagnostics. */
    static final class HungException extends AssertionError {
        private static final long serialVersionUID = 1L;

        HungException(String message) {
            super(message);
        }
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private HangGuard() {
    }

    static void run(String name, Work work, LongSupplier progress, Duration idle, Duration cap,
                    Supplier<String> diagnostics) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try {
                work.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "hang-guarded-" + name);
        worker.setDaemon(true);
        worker.start();
        long start = System.nanoTime();
        long lastProgress = progress.getAsLong();
        long lastChange = start;
        try {
            while (worker.isAlive()) {
                worker.join(50);
                long now = System.nanoTime();
                long p = progress.getAsLong();
                if (p != lastProgress) {
                    lastProgress = p;
                    lastChange = now;
                }
                if (worker.isAlive() && (now - lastChange > idle.toNanos() || now - start > cap.toNanos())) {
                    worker.interrupt();
                    throw new HungException(name + " hung: no progress for "
                            + Duration.ofNanos(now - lastChange).toSeconds() + " s (after "
                            + Duration.ofNanos(now - start).toSeconds() + " s in all)\n" + diagnostics.get());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while guarding " + name, e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new AssertionError(name + " failed", t);
        }
    }
}
