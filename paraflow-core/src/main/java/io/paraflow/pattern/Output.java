package io.paraflow.pattern;

/**
 * What a node's code uses to send items on and to learn where it sits. Handed to {@link Source#produce},
 * to every hook of a {@link Stage} and (as {@link MasterContext}) of a {@link Master}; valid only on the
 * node's own thread, during those calls.
 *
 * <p>Every send may block: channels are bounded, so a producer faster than its consumer waits for room
 * (back-pressure). If the pattern stops meanwhile (another node failed, or it was cancelled), the send
 * throws a {@link java.util.concurrent.CancellationException}; let it propagate. A send also throws one
 * when every node this node sends to has ended the stream early (a master that called
 * {@link MasterContext#endStream}); the node then ends, without its end hook. Sends notice both, not
 * necessarily at once: at once when a send waits for room; else, on a bounded channel, within a quarter of
 * the channel's capacity of items sent on it (256 at {@link Pattern#DEFAULT_CAPACITY}; at most 32 while its
 * consumer is busy); on an unbounded channel, at every send. A node that no longer sends notices the early
 * end as it takes items: within 64 items taken from a channel (an eighth of its capacity if that is fewer)
 * or when it waits for input. Items may not be {@code null}.
 *
 * @param <T> the type of the items sent
 */
public interface Output<T> {

    /**
     * Sends {@code item} to the next block, to the node chosen by that block's routing (the one next
     * stage, a farm worker chosen round-robin, on demand, by key...).
     */
    void emit(T item);

    /**
     * Sends {@code item} to output {@code output} (0 to {@link #outputs()} - 1), whatever the routing of
     * the next block: explicit routing, e.g. from the left set of an all-to-all to one right node. Not
     * available in front of or inside an ordered farm, which routes items itself.
     *
     * @throws IndexOutOfBoundsException if there is no such output
     */
    void emitTo(int output, T item);

    /** Sends the same {@code item} to every output. Not available in front of or inside an ordered farm. */
    void broadcast(T item);

    /** How many outputs this node has: the number of nodes of the next block that it feeds. */
    int outputs();

    /**
     * From which input the item being processed came (0-based, in the order of the producers: e.g. the
     * worker index of the farm in front). Meaningful in {@link Stage#process} only.
     */
    int input();

    /**
     * This node's index within the innermost farm or all-to-all set it belongs to (0-based), or -1 for a
     * node that is in no such set.
     */
    int worker();

    /** The node's name as it appears in errors, e.g. {@code farm worker 1 of stage 3}. */
    String name();
}
