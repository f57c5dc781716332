package io.paraflow.event;

import io.paraflow.exec.Resources;

/**
 * What a listener may read about the task of a step: a view of the runtime's own task record, so that
 * delivering a step allocates nothing. It is the task itself; keep only what you read from it if you keep
 * anything, since holding the view holds the task (and, until it ends, its inputs).
 *
 * <p>Thread-safe: every method may be called on any thread, during the step or later.
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
     * one). Complete during {@link TaskEvent.Kind#SUBMITTED}; empty once the task ended, because a task
     * drops its inputs when it ends.
     */
    long[] dependencyIds();
}
