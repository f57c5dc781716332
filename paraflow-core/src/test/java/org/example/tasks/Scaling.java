package org.example.tasks;

import io.paraflow.fn.Fn1;

/** Task code outside Paraflow's packages, as users write it: its classes are not on the default allow-list. */
public final class Scaling {
    private Scaling() {
    }

    /** A serializable lambda whose capturing class is this one. */
    public static Fn1<Integer, Integer> by(int factor) {
        return x -> x * factor;
    }
}
