package io.paraflow.cluster;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Greets a worker again until it answers: a greeting lost on the way (the worker could not answer in time,
 * a message dropped) would otherwise keep that worker without tasks for as long as the run lasts. Sends again
 * after 2, 4, 8... s, at most every {@value #MAX_DELAY_SECONDS} s, as long as the greeting is unanswered and the
 * worker a member; after the {@value #WARN_AFTER}th try it warns once that the worker does not answer (it holds
 * another secret, or cannot reach the driver).
 *
 * <p>Thread-safe. One daemon thread, {@code paraflow-cluster-greeter}, ended by {@link #close}.
 */
final class GreetingRetries implements AutoCloseable {
    private static final long FIRST_DELAY_SECONDS = 2;
    private static final long MAX_DELAY_SECONDS = 30;
    private static final int WARN_AFTER = 3;
    private static final System.Logger LOG = System.getLogger(GreetingRetries.class.getName());

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
        Thread thread = new Thread(task, "paraflow-cluster-greeter");
        thread.setDaemon(true);
        return thread;
    });

    GreetingRetries() {
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Calls {@code send} again later, as often as needed, while {@code unanswered} says the greeting it sends
     * was not answered; {@code worker} names it in the warning.
     */
    void retry(String worker, BooleanSupplier unanswered, Runnable send) {
        schedule(worker, unanswered, send, 1, FIRST_DELAY_SECONDS);
    }

    private void schedule(String worker, BooleanSupplier unanswered, Runnable send, int tries, long delaySeconds) {
        try {
            timer.schedule(() -> {
                if (!unanswered.getAsBoolean()) {
                    return;
                }
                if (tries == WARN_AFTER) {
                    LOG.log(System.Logger.Level.WARNING, "worker " + worker + " has not answered the driver's"
                            + " greeting after " + tries + " tries: it holds another cluster secret, or cannot reach the"
                            + " driver (check the driver's bind address); it gets no task until it answers");
                }
                send.run();
                schedule(worker, unanswered, send, tries + 1, Math.min(MAX_DELAY_SECONDS, delaySeconds * 2));
            }, delaySeconds, TimeUnit.SECONDS);
        } catch (RejectedExecutionException closed) {
            // the executor is closing: nobody is to be greeted any more
        }
    }

    /** Stops greeting and returns once the thread has ended. */
    @Override
    public void close() {
        timer.shutdownNow();
        boolean interrupted = false;
        while (!timer.isTerminated()) {
            try {
                timer.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
