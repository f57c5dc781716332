package io.paraflow.pattern.internal;

/**
 * A one-way connection from one producer node to one consumer node. The producer calls only
 * {@link #offer}, {@link #flushWake} and {@link #hasRoom}; the consumer only {@link #poll}, {@link #peek},
 * {@link #hasItem}, {@link #takeUnpublished} and {@link #releaseConsumed}. A successful {@code offer} stores
 * the item and may defer publishing it, and waking a parked consumer, until more items follow
 * ({@link #flushWake}); freed room is published by {@link #releaseConsumed}, which wakes the producer.
 */
abstract class Channel {
    final Node producer;
    final Node consumer;
    /** True for the unbounded channels that carry a master-worker farm's results back to the master. */
    final boolean feedback;
    /**
     * Set by the consumer when it ended the stream early: it now discards what arrives, until end of
     * stream. A node all of whose outputs are closed ends too, which it notices as it sends and as it takes
     * items ({@link Node#checkWanted}).
     */
    volatile boolean closed;

    Channel(Node producer, Node consumer, boolean feedback) {
        this.producer = producer;
        this.consumer = consumer;
        this.feedback = feedback;
    }

    /**
     * Producer: appends {@code item}, or returns false if the channel is full. Publishing it to the
     * consumer may be deferred until more items follow (see {@link #flushWake}).
     */
    abstract boolean offer(Object item);

    /**
     * Producer: publishes the items offered so far and wakes the consumer if they left it waiting. An
     * {@code offer} may defer both until more items follow; the producer calls this before it waits and
     * when it ends.
     */
    abstract void flushWake();

    /** Producer: whether an {@code offer} could succeed now (reads the consumer's progress afresh). */
    abstract boolean hasRoom();

    /**
     * Consumer: removes and returns the oldest item, or {@code null} if there is none. Every few items (a
     * ring's release batch, every item of an unbounded channel) it calls the consumer's
     * {@link Node#checkWanted} before it takes the item, so it may throw what that throws, and the item
     * stays in the channel.
     */
    abstract Object poll();

    /** Consumer: the oldest item without removing it, or {@code null} if there is none. */
    abstract Object peek();

    /** Consumer: whether an item is there (reads the producer's progress afresh). */
    abstract boolean hasItem();

    /**
     * Consumer: counts as arrived the items the producer wrote but has not published yet (it publishes in
     * batches, and may be busy in its own code with a batch begun). Called by a waiting consumer after a
     * park with the short limit, which it takes only while a neighbour, maybe this producer, runs, and by a
     * busy-spinning consumer every few hundred spins.
     */
    abstract void takeUnpublished();

    /** Consumer: publishes the room freed by the items polled so far and wakes the producer if it waits. */
    abstract void releaseConsumed();
}
