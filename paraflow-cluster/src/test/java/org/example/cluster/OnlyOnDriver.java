package org.example.cluster;

import io.paraflow.fn.Fn1;

/** A task class that a test removes from one worker's classpath, or gives it apart as application classes. */
public final class OnlyOnDriver {
    /** A task function defined here, so that deserializing it needs this class. */
    public static final Fn1<Integer, Integer> TWICE = OnlyOnDriver::twice;

    private OnlyOnDriver() {
    }

    static int twice(int value) {
        return 2 * value;
    }
}
