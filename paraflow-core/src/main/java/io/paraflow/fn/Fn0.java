package io.paraflow.fn;

import java.io.Serializable;

/**
 * A task body without arguments. Serializable so that a task can later run in another JVM; a lambda
 * assigned to this type is serializable when everything it captures is.
 *
 * @param <R> the result type
 */
@FunctionalInterface
public interface Fn0<R> extends Serializable {
    /**
     * Computes the result. Called once per attempt, on a worker of the task's executor.
     *
     * @return the result, may be {@code null}
     * @throws Exception any failure; it fails the attempt and is offered to the task's retry policy
     */
    R call() throws Exception;
}
