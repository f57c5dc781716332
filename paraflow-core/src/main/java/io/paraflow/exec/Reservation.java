package io.paraflow.exec;

/**
 * The threads held for one multi-core task: the task waits until its k - 1 holders occupy their
 * threads, and the holders wait until the task ends. A monitor suffices: this runs once per
 * multi-core task, never on the path of ordinary tasks.
 */
final class Reservation {
    private int holdersMissing;
    private boolean released;

    Reservation(int holders) {
        this.holdersMissing = holders;
    }

    synchronized void hold() {
        holdersMissing--;
        notifyAll();
        boolean interrupted = false;
        while (!released) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the holders occupy their threads (a plain wait: this thread's slot is part of the reservation). */
    synchronized void awaitHolders() {
        boolean interrupted = false;
        while (holdersMissing > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    synchronized void release() {
        released = true;
        notifyAll();
    }
}
