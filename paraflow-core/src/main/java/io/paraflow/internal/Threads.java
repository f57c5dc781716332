package io.paraflow.internal;

/** Thread helpers shared by the modules. Not API. */
public final class Threads {

    private Threads() {
    }

    /**
     * Waits until {@code thread} (if not null) has terminated, even if the calling thread is or gets
     * interrupted: closing must not leave a thread behind. The caller's interrupt status is kept (set
     * again on return), so several calls in a row each wait.
     */
    public static void joinUninterruptibly(Thread thread) {
        boolean interrupted = Thread.interrupted();
        try {
            while (thread != null && thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
