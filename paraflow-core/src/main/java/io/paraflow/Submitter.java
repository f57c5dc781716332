package io.paraflow;

import io.paraflow.fn.Fn0;
import io.paraflow.fn.Fn1;
import io.paraflow.fn.Fn2;
import io.paraflow.fn.Fn3;
import io.paraflow.fn.Fn4;

import java.util.Collection;
import java.util.List;

/**
 * What can submit tasks: a {@link Flow} (with default options) and a {@link TaskBuilder} (with the
 * options it holds).
 *
 * <p>Common contract of every method: thread-safe, callable from any thread including from inside a
 * running task (a dynamic graph). Arguments are tasks of a flow; a plain value becomes one with
 * {@link Flow#value}. A task starts only after every task it takes as an argument has finished, and
 * receives their results. If an argument task fails, the new task fails with a
 * {@link DependencyFailedException} naming the task that failed first, unless that task has a fallback.
 * Outside a task, submitting blocks while the flow's bound on unfinished tasks is reached
 * (back-pressure); inside a task it never blocks. Every method throws {@link NullPointerException} on
 * a {@code null} function or argument, {@link FlowClosedException} if the flow is closed, and
 * {@link ResourceRequestException} if no executor can give what the options ask for.
 */
public interface Submitter {

    /**
     * Submits a task that runs {@code fn}.
     *
     * @return the task, already queued or waiting for its arguments
     */
    <R> Task<R> submit(Fn0<R> fn);

    /**
     * Submits a task that runs {@code fn} with the results of the given tasks, once they all finished.
     *
     * @return the task, already queued or waiting for its arguments
     */
    <A, R> Task<R> submit(Fn1<A, R> fn, Task<A> a);

    /**
     * Submits a task that runs {@code fn} with the results of the given tasks, once they all finished.
     *
     * @return the task, already queued or waiting for its arguments
     */
    <A, B, R> Task<R> submit(Fn2<A, B, R> fn, Task<A> a, Task<B> b);

    /**
     * Submits a task that runs {@code fn} with the results of the given tasks, once they all finished.
     *
     * @return the task, already queued or waiting for its arguments
     */
    <A, B, C, R> Task<R> submit(Fn3<A, B, C, R> fn, Task<A> a, Task<B> b, Task<C> c);

    /**
     * Submits a task that runs {@code fn} with the results of the given tasks, once they all finished.
     *
     * @return the task, already queued or waiting for its arguments
     */
    <A, B, C, D, R> Task<R> submit(Fn4<A, B, C, D, R> fn, Task<A> a, Task<B> b, Task<C> c, Task<D> d);

    /**
     * Submits a join task (Parsl's join app): {@code fn} returns a task, usually
     * one it submitted itself; the join task completes with that task's result.
     *
     * @return the join task
     */
    <R> Task<R> compose(Fn0<Task<R>> fn);

    /**
     * Submits a join task (Parsl's join app): {@code fn} receives the results of the given tasks and returns a task, usually
     * one it submitted itself; the join task completes with that task's result.
     *
     * @return the join task
     */
    <A, R> Task<R> compose(Fn1<A, Task<R>> fn, Task<A> a);

    /**
     * Submits a join task (Parsl's join app): {@code fn} receives the results of the given tasks and returns a task, usually
     * one it submitted itself; the join task completes with that task's result.
     *
     * @return the join task
     */
    <A, B, R> Task<R> compose(Fn2<A, B, Task<R>> fn, Task<A> a, Task<B> b);

    /**
     * Submits a join task (Parsl's join app): {@code fn} receives the results of the given tasks and returns a task, usually
     * one it submitted itself; the join task completes with that task's result.
     *
     * @return the join task
     */
    <A, B, C, R> Task<R> compose(Fn3<A, B, C, Task<R>> fn, Task<A> a, Task<B> b, Task<C> c);

    /**
     * Submits a join task (Parsl's join app): {@code fn} receives the results of the given tasks and returns a task, usually
     * one it submitted itself; the join task completes with that task's result.
     *
     * @return the join task
     */
    <A, B, C, D, R> Task<R> compose(Fn4<A, B, C, D, Task<R>> fn, Task<A> a, Task<B> b, Task<C> c, Task<D> d);

    /**
     * Submits one task per input: {@code fn} applied to each element, in parallel.
     *
     * @return the tasks, in the order of the inputs
     */
    <A, R> List<Task<R>> map(Fn1<A, R> fn, Collection<? extends A> inputs);

    /**
     * Submits a task that completes with the results of all {@code tasks}, in their order, once every
     * one of them finished. It fails as soon as one of them fails.
     */
    <T> Task<List<T>> all(Collection<? extends Task<? extends T>> tasks);

    /**
     * Reduces the results of {@code tasks} with {@code combine} as a balanced tree of tasks
     * (depth log2 n), combining neighbours in order, so {@code combine} need only be associative.
     *
     * @throws IllegalArgumentException if {@code tasks} is empty
     */
    <T> Task<T> reduce(Fn2<T, T, T> combine, List<? extends Task<T>> tasks);
}
