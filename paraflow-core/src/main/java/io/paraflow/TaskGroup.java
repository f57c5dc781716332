package io.paraflow;

/**
 * A set of tasks awaited and cancelled together. Tasks join it when submitted through {@link #task} or a
 * builder with {@link TaskBuilder#group}. With cancel-on-failure, the first failure in the group cancels
 * every other unfinished task of the group. Once a group is cancelled (by {@link #cancel()} or by a
 * failure), tasks that join it later are cancelled as they join.
 *
 * <p>Thread-safe. Holds references to its unfinished tasks only, so a group can see millions of tasks.
 */
public interface TaskGroup {

    /** The group's name, used in messages. */
    String name();

    /** A builder whose tasks join this group. */
    TaskBuilder task(String name);

    /**
     * Waits until every task submitted to the group so far has ended.
     *
     * @throws TaskGroupException if any task of the group failed (cancellations do not count)
     * @throws InterruptedException if the waiting thread is interrupted
     */
    void await() throws InterruptedException;

    /** Cancels every unfinished task of the group (and, through them, their dependents). */
    void cancel();

    /** How many tasks of the group have not ended yet. */
    int unfinished();

    /** How many tasks of the group failed so far. */
    int failed();
}
