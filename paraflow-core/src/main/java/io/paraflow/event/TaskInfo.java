package io.paraflow.event;

import io.paraflow.exec.Resources;

/**
 * What a listener may read about the task of a step: a view of the runtime's own task record, so that
 * delivering a step allocates nothing. It is the task itself; keep only what you read from it if you keep
 * anything, since holding the view holds the task (and, until it ends, its inputs).
 *
 * <p>The times of the steps so far and the worker of the current attempt are kept in the task, so that a
 * listener can record a task's whole life at its end (and a retried try at its {@code RETRIED}) without
 * keeping anything between its steps. During a step they describe the task up to that step.
 *
 * <p>Thread-safe: every method may be called on any thread, during the step or later. Outside a step, the
 * times, the worker and the attempt may be changing as the task goes on (read each once, and expect a
 * try that has just ended or a new one).
 */
public interface TaskInfo {

    /** The id of the task's flow, unique in this JVM. */
    long flowId();

    /** The task's id, unique within its flow. */
    long id();

    /** The task's name: the one it was given, or one derived from its function. */
    String name();

    /** The label of the executor the task runs on. */
    String executorLabel();

    /** The resources the task asked for. */
    Resources resources();

    /**
     * The ids of the tasks this task takes as arguments, in argument order (a new array, or a shared empty
     * one). Complete up to and during the task's last step; empty after it, because a task drops its
     * inputs when it ends.
     */
    long[] dependencyIds();

    /**
     * The current attempt, 1-based: the attempt of the step being delivered, or of the step to come (after
     * {@code RETRIED}, the next one).
     */
    int attempt();

    /** When the task was submitted (the time {@code SUBMITTED} carried). */
    long submittedNanos();

    /** When the task became ready (the time {@code READY} carried), or 0 if it has not. */
    long readyNanos();

    /**
     * When the current attempt started (the time its {@code STARTED} carried), or 0 if it has not: during
     * {@code RETRIED} and the end, whether (and when) the attempt that ends had started.
     */
    long startedNanos();

    /** The worker of the current attempt (what its {@code STARTED} carried), or null if it has not started. */
    String worker();

    /**
     * Whether the task has ended: true from just before its end step ({@code FINISHED}, {@code FAILED} or
     * {@code CANCELLED}) is delivered, and for good. Lets a listener that keeps the view of a task that has
     * not started yet (to show it as waiting) drop it once it ended, whatever the order in which it hears
     * the steps of different threads.
     */
    boolean ended();
}
