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

    /**
     * Ends the stream now, whatever is still coming (FastFlow's master sending end of stream, e.g. when a
     * search found its answer). Once the current call of the master returns, the master is called no more
     * (not even {@link Master#end}), and:
     * <ul>
     * <li>the next block gets end of stream at once, after what the master emitted so far (it may still
     *     emit until the call returns);</li>
     * <li>tasks out are dropped: each worker ends after the task it is running (a worker pipeline's later
     *     stages at their next sends), tasks not started are discarded, and results are discarded;</li>
     * <li>items still coming from the block in front are discarded, and the block in front ends early: a
     *     node there whose every output leads to this master ends at its next send, or, if it no longer
     *     sends (a filter whose matches ran out), within at most 64 items taken (an eighth of its input
     *     channel's capacity if that is fewer) or when it next waits for input (a source as if it had returned, a stage without its end
     *     hook), and so on up the stream; a node that also sends elsewhere goes on, its items for this
     *     master discarded.</li>
     * </ul>
     * {@link #submit} after this throws {@link IllegalStateException}. The pattern ends when every node
     * has ended; a node busy in its own code (a source that never sends) ends when it next sends.
     */
    void endStream();
}
