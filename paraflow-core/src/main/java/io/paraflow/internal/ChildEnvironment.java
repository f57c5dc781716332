package io.paraflow.internal;

import java.util.Map;

/**
 * What the processes Paraflow starts (commands, worker processes) inherit from its environment: everything
 * but the cluster secret, which a program run as a task has no business reading.
 */
public final class ChildEnvironment {
    /** The environment variable that holds the cluster secret ({@code paraflow secret}). */
    public static final String SECRET_VARIABLE = "PARAFLOW_SECRET";

    private ChildEnvironment() {
    }

    /** Removes the secret from {@code environment}, the inherited environment of a process about to start. */
    public static void withoutSecret(Map<String, String> environment) {
        environment.remove(SECRET_VARIABLE);
    }
}
