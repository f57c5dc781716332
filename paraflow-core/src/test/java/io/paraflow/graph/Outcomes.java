package io.paraflow.graph;

import io.paraflow.Task;

import java.util.concurrent.ExecutionException;

/** Reading how a finished task ended, for the graph tests. */
final class Outcomes {
    private Outcomes() {
    }

    /** The task's failure (the cause {@code get()} reports, or its cancellation), or null if it succeeded. */
    static Throwable failureOf(Task<?> task) {
        try {
            task.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }
}
