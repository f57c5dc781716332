package io.paraflow.fn;

import java.io.Serializable;

/**
 * A task body with one argument, the result of the task (or the value) it was submitted with.
 *
 * @param <A> the argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Fn1<A, R> extends Serializable {
    /**
     * Computes the result from the argument. Called once per attempt, after the argument's task finished.
     *
     * @throws Exception any failure; it fails the attempt and is offered to the task's retry policy
     */
    R apply(A a) throws Exception;
}
