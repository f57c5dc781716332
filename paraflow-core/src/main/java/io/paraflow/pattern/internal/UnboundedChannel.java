package io.paraflow.pattern.internal;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A channel that never refuses an item, for the feedback edges of a master-worker farm: with bounded
 * channels in both directions of a cycle, a master blocked on its workers and workers blocked on the
 * master would deadlock. {@link ConcurrentLinkedQueue} offers and polls with compare-and-set, which is a
 * full fence, like the one a ring's producer issues in {@link Node#wakeIfWaiting}. Every offer checks
 * whether the producer should stop, and every poll whether the consumer should ({@link Node#checkWanted}):
 * an unbounded channel never makes its producer wait, which is where a producer on a ring notices.
 */
final class UnboundedChannel extends Channel {

    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();

    UnboundedChannel(Node producer, Node consumer, boolean feedback) {
        super(producer, consumer, feedback);
    }

    @Override
    boolean offer(Object item) {
        producer.checkWanted();
        queue.offer(item);
        consumer.wakeIfWaiting();
        return true;
    }

    @Override
    void flushWake() {
        // Every offer wakes the consumer at once.
    }

    @Override
    boolean hasRoom() {
        return true;
    }

    @Override
    Object poll() {
        consumer.checkWanted();
        return queue.poll();
    }

    @Override
    Object peek() {
        return queue.peek();
    }

    @Override
    boolean hasItem() {
        return !queue.isEmpty();
    }

    @Override
    void takeUnpublished() {
        // Every offer publishes its item at once.
    }

    @Override
    void releaseConsumed() {
        // Never full: the producer never waits for room.
    }
}
