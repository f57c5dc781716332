package io.paraflow.fn;

import java.io.Serializable;

/**
 * A task body with four arguments.
 *
 * @param <A> the first argument type
 * @param <B> the second argument type
 * @param <C> the third argument type
 * @param <D> the fourth argument type
 * @param <R> the result type
 */
@FunctionalInterface
public interface Fn4<A, B, C, D, R> extends Serializable {
    /**
     * Computes the result. Called once per attempt, after all arguments' tasks finished.
     *
     * @throws Exception any failure; it fails the attempt and is offered to the task's retry policy
     */
    R apply(A a, B b, C c, D d) throws Exception;
}
