package org.example.cluster;

/** A task class that a test removes from one worker's classpath. */
public final class OnlyOnDriver {
    private OnlyOnDriver() {
    }

    public static int twice(int value) {
        return 2 * value;
    }
}
