package io.paraflow.fn;

import java.io.Serializable;

/**
 * A task body with two arguments.
 *
 * @param <A> the first argument type
 * @param <B> the second argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Fn2<A, B, R> extends Serializable {
    /**
     * Computes the result. Called once per attempt, after both arguments' tasks finished.
     *
     * @throws Exception any failure; it fails the attempt and is offered to the task's retry policy
     */
    R apply(A a, B b) throws Exception;
}
