package io.paraflow;

import io.paraflow.fault.RetryPolicy;

import java.time.Duration;

/**
 * Options for the tasks it submits, obtained from {@link Flow#task(String)} or {@link TaskGroup#task(String)}.
 * Immutable: every setter returns a new builder, so a configured builder can be kept and shared between
 * threads as a template ({@code TaskBuilder fit = flow.task("fit").cores(4);}). Setters validate their
 * argument at once and name the setting in the error.
 */
public interface TaskBuilder extends Submitter {

    /** Cores (slots) the task holds while it runs; default 1. */
    TaskBuilder cores(int cores);

    /** Memory the task needs, in bytes; the executor runs it only when that much is free. Default: not stated. */
    TaskBuilder memory(long bytes);

    /** GPUs the task needs; default 0. */
    TaskBuilder gpus(int gpus);

    /** Priority among tasks waiting for a slot of the same executor; higher runs first. Default 0. */
    TaskBuilder priority(int priority);

    /** Runs the task on the executor with this label, instead of the flow's default executor. */
    TaskBuilder on(String executorLabel);

    /**
     * Retries a failed attempt at once, up to {@code retries} times. Shorthand for
     * {@code retryPolicy(RetryPolicy.upTo(retries))}; setting both is an error.
     */
    TaskBuilder retries(int retries);

    /** Decides about each failed attempt; see {@link RetryPolicy}. Setting it and {@link #retries} is an error. */
    TaskBuilder retryPolicy(RetryPolicy policy);

    /**
     * Bounds each attempt: an attempt running longer is interrupted (a process is killed) and fails with
     * {@link TaskTimeoutException}, which the retry policy may retry. Must be positive.
     */
    TaskBuilder timeout(Duration timeout);

    /**
     * Failure policy "continue": if the task fails for any reason but cancellation (its function after
     * its retries, a timeout, a task it depends on, or the task a join task waits for), it completes with
     * {@code value} instead, so its dependents run. Listeners still see the failure (a FAILED event).
     * Default: the task fails and so do its dependents.
     */
    TaskBuilder fallback(Object value);

    /**
     * Memoizes the task: when its name, version label and argument values match those of a task that
     * finished before (in this run, or in an earlier run whose checkpoints the flow resumes; see
     * {@link FlowBuilder#checkpoints}), it completes with that result instead of running. Arguments are
     * compared by content fingerprints (see {@link io.paraflow.cache.Fingerprinter}); an argument that
     * comes from another memoized task counts as that task's name, version and arguments, so a change
     * upstream re-runs everything downstream. A task whose arguments cannot be fingerprinted runs as
     * usual, with a warning. Failures are not reused unless {@link #cacheFailures()} asks for it.
     * Equal tasks that are ready at the same time may both run.
     *
     * @param version the version label: change it when the task's code changes, to invalidate its
     *                earlier results
     */
    TaskBuilder cache(String version);

    /**
     * {@link #cache(String)} with a key that also covers {@code identity}: the values the function
     * captures, which are not arguments, so the cache cannot see them otherwise. A lambda
     * {@code x -> x * factor} memoized with {@code cache("v1", factor)} is reused only for the same
     * {@code factor}. {@code identity} must be fingerprintable (see {@link io.paraflow.cache.Fingerprinter});
     * if it is not, the task runs, with a warning.
     */
    TaskBuilder cache(String version, Object identity);

    /** {@link #cache(String)} with the empty version label. */
    TaskBuilder cache();

    /** Memoizes failures of the task's own function as well (a timeout is never reused); implies {@link #cache()}. */
    TaskBuilder cacheFailures();

    /** Makes the tasks members of {@code group}, which must belong to the same flow. */
    TaskBuilder group(TaskGroup group);
}
