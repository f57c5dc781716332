package io.paraflow.pattern;

/**
 * The master of a {@link MasterWorker} farm (FastFlow's farm with feedback): it receives the stream from
 * the block in front ({@link #input}), sends tasks to the workers ({@link MasterContext#submit}), receives
 * each worker's results back ({@link #result}) and sends items on ({@link Output#emit}). All calls are on
 * the master's own thread, one at a time.
 *
 * <p>The stream ends when the master is quiet: the block in front has ended and every task submitted has
 * been processed and its results delivered. Then {@link #end} is called; if it submits more tasks, it is
 * called again once they are done, and the stream ends when it returns without submitting. The master may
 * also end the stream whenever it decides, with {@link MasterContext#endStream}: what is still coming,
 * from the block in front or from the workers, is then dropped (see there).
 *
 * @param <I> items received from the block in front
 * @param <T> tasks sent to the workers
 * @param <R> results the workers send back
 * @param <O> items sent on
 */
public interface Master<I, T, R, O> {

    /** Called once before anything else; may submit the first tasks. */
    default void start(MasterContext<T, O> context) throws Exception {
    }

    /** Called for each item from the block in front. */
    void input(I item, MasterContext<T, O> context) throws Exception;

    /** Called for each result a worker sent back. */
    void result(R result, MasterContext<T, O> context) throws Exception;

    /** Called when the master is quiet (see the class comment); may emit, and may submit more tasks. */
    default void end(MasterContext<T, O> context) throws Exception {
    }
}
