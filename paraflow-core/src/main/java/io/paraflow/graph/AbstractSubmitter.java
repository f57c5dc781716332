package io.paraflow.graph;

import io.paraflow.Submitter;
import io.paraflow.Task;
import io.paraflow.fn.Fn0;
import io.paraflow.fn.Fn1;
import io.paraflow.fn.Fn2;
import io.paraflow.fn.Fn3;
import io.paraflow.fn.Fn4;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Every {@link Submitter} method, funnelled into {@link FlowRuntime#submit} with this submitter's options. */
abstract class AbstractSubmitter implements Submitter {

    abstract FlowRuntime runtime();

    abstract TaskOptions options();

    private <R> Task<R> tasks(Object fn, int shape, Task<?>... args) {
        return runtime().submit(options(), fn, shape, args);
    }

    @Override
    public <R> Task<R> submit(Fn0<R> fn) {
        return runtime().submit(options(), fn, 0, null, 0);
    }

    @Override
    public <A, R> Task<R> submit(Fn1<A, R> fn, Task<A> a) {
        return runtime().submit(options(), fn, 0, runtime().argument(options(), fn, 0, a, 0), 1);
    }

    @Override
    public <A, B, R> Task<R> submit(Fn2<A, B, R> fn, Task<A> a, Task<B> b) {
        return tasks(fn, 0, a, b);
    }

    @Override
    public <A, B, C, R> Task<R> submit(Fn3<A, B, C, R> fn, Task<A> a, Task<B> b, Task<C> c) {
        return tasks(fn, 0, a, b, c);
    }

    @Override
    public <A, B, C, D, R> Task<R> submit(Fn4<A, B, C, D, R> fn, Task<A> a, Task<B> b, Task<C> c, Task<D> d) {
        return tasks(fn, 0, a, b, c, d);
    }

    @Override
    public <R> Task<R> compose(Fn0<Task<R>> fn) {
        return runtime().submit(options(), fn, TaskNode.COMPOSE, null, 0);
    }

    @Override
    public <A, R> Task<R> compose(Fn1<A, Task<R>> fn, Task<A> a) {
        return runtime().submit(options(), fn, TaskNode.COMPOSE, runtime().argument(options(), fn, TaskNode.COMPOSE, a, 0),
                1);
    }

    @Override
    public <A, B, R> Task<R> compose(Fn2<A, B, Task<R>> fn, Task<A> a, Task<B> b) {
        return tasks(fn, TaskNode.COMPOSE, a, b);
    }

    @Override
    public <A, B, C, R> Task<R> compose(Fn3<A, B, C, Task<R>> fn, Task<A> a, Task<B> b, Task<C> c) {
        return tasks(fn, TaskNode.COMPOSE, a, b, c);
    }

    @Override
    public <A, B, C, D, R> Task<R> compose(Fn4<A, B, C, D, Task<R>> fn, Task<A> a, Task<B> b, Task<C> c, Task<D> d) {
        return tasks(fn, TaskNode.COMPOSE, a, b, c, d);
    }

    @Override
    public <A, R> List<Task<R>> map(Fn1<A, R> fn, Collection<? extends A> inputs) {
        List<Task<R>> tasks = new ArrayList<>(inputs.size());
        for (A input : inputs) {
            tasks.add(runtime().submit(options(), fn, TaskNode.RAW_INPUTS, input, 0));
        }
        return tasks;
    }

    @Override
    public <T> Task<List<T>> all(Collection<? extends Task<? extends T>> tasks) {
        return runtime().submit(runtime().collectOptions(options()), TaskNode.COLLECT_RESULTS, TaskNode.ALL,
                tasks.toArray(new Task<?>[0]));
    }

    @Override
    public <T> Task<T> reduce(Fn2<T, T, T> combine, List<? extends Task<T>> tasks) {
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("reduce needs at least one task");
        }
        List<Task<T>> level = new ArrayList<>(tasks);
        while (level.size() > 1) {
            List<Task<T>> next = new ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i < level.size(); i += 2) {
                next.add(i + 1 < level.size() ? submit(combine, level.get(i), level.get(i + 1)) : level.get(i));
            }
            level = next;
        }
        return level.get(0);
    }
}
