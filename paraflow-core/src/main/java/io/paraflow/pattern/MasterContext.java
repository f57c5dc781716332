package io.paraflow.pattern;

/**
 * The {@link Output} of a {@link Master}: {@code emit} sends items on to the next block, and
 * {@link #submit} sends tasks to the workers. Valid only on the master's thread, during its calls.
 *
 * @param <T> tasks sent to the workers
 * @param <O> items sent on
 */
public interface MasterContext<T, O> extends Output<O> {

    /** Sends {@code task} to a worker chosen by the farm's routing; blocks while no chosen worker has room. */
    void submit(T task);

    /** Sends {@code task} to worker {@code worker} (0 to {@link #workerCount()} - 1). */
    void submitTo(int worker, T task);

    /** How many workers the farm has. */
    int workerCount();
}
