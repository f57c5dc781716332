package io.paraflow.monitor.internal;

/** Thread helpers of the monitor. Internal: not part of the API. */
public final class Threads {

    private Threads() {
    }

    /**
     * Waits until {@code thread} (if not null) has terminated, even if the calling thread is interrupted
     * meanwhile: closing must not leave a thread behind. The interrupt status is kept.
     */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread != null && thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
