package io.paraflow;

import io.paraflow.command.CommandBuilder;

/**
 * A running program's task graph and the executors that run it. Tasks are submitted through
 * {@link Submitter} methods, with default options, or through {@link #task(String)} with options.
 *
 * <pre>{@code
 * try (Flow flow = Flow.local()) {
 *     Task<Integer> a = flow.submit(() -> 6);
 *     Task<Integer> b = flow.submit(x -> x + 1, a);
 *     System.out.println(b.get());
 * }
 * }</pre>
 *
 * <p>Thread-safe: any thread, including a running task, may submit. A flow holds no global state; several
 * flows can live in one JVM.
 */
public interface Flow extends Submitter, AutoCloseable {

    /** A flow on local threads, one per available processor, with default settings. */
    static Flow local() {
        return builder().build();
    }

    /** A builder for a flow with chosen executors, bounds and listeners. */
    static FlowBuilder builder() {
        return new FlowBuilder();
    }

    /** This flow's id, unique in this JVM; events carry it. */
    long id();

    /** A task that is already complete with {@code value}; use it to pass plain values as arguments. */
    <T> Task<T> value(T value);

    /** A builder for tasks with options; {@code name} names them in events and errors. */
    TaskBuilder task(String name);

    /**
     * A builder for a command task named {@code name}: an external program run as a task, with files as
     * inputs and outputs. See {@link CommandBuilder}.
     */
    default CommandBuilder command(String name) {
        return CommandBuilder.of(this, name);
    }

    /** A new group whose failures do not affect its other tasks. */
    TaskGroup group(String name);

    /** A new group in which the first failure cancels every other unfinished task of the group. */
    TaskGroup groupCancelOnFailure(String name);

    /**
     * Barrier: waits until every task submitted so far (and every task those submit meanwhile) has ended,
     * successfully or not. Must not be called from inside a task of this flow.
     *
     * @throws InterruptedException if the waiting thread is interrupted
     * @throws IllegalStateException if called from inside a task of this flow
     */
    void awaitAll() throws InterruptedException;

    /** How many submitted tasks have not ended yet. */
    long unfinished();

    /**
     * Closes the flow: refuses new tasks from outside, waits until running and queued tasks end (or
     * cancels them, if built with {@link FlowBuilder#cancelOnClose(boolean)}), then stops the executors. When
     * it returns, no thread of the flow is left. Idempotent. If the closing thread is interrupted, the
     * remaining tasks are cancelled and the interrupt status is kept.
     *
     * @throws IllegalStateException if called from inside a task of this flow
     */
    @Override
    void close();
}
