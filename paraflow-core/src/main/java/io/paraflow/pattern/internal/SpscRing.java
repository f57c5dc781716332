package io.paraflow.pattern.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Bounded single-producer, single-consumer ring of a power-of-two capacity.
 *
 * <p>Each side keeps a private copy of its own index and a cached copy of the other side's, so the
 * shared indices are read only when the cache says full (producer) or empty (consumer). Both sides
 * publish their index in batches, which saves cache-line transfers: a consumer that keeps up with its
 * producer would otherwise read the tail, and the slot being filled, for every item, and take those lines
 * away from the producer each time. The producer writes each slot with a release store and publishes the
 * tail with a release store every {@code publishBatch} items, whenever it wakes the consumer, and before
 * it waits or ends ({@link #flushWake}); the consumer reads the tail with an acquire load, then the slots
 * below it. The consumer publishes its head every {@code releaseBatch} items and whenever it finds the ring
 * empty or is about to wait ({@link #releaseConsumed}).
 *
 * <p>An item is never stranded behind a producer that stopped emitting without waiting or ending (busy in
 * its own code): a consumer that parked for the short limit while its producer ran takes the items written
 * but not yet published ({@link #takeUnpublished}), found by their non-null slots, whose release stores
 * make the items safe to read. So an item reaches a waiting consumer within that limit.
 *
 * <p>Wake-ups: a publishing side stores its progress, then reads the other side's {@link Node#waiting}
 * flag, a plain load while that side is busy; only if it is set does it call {@link Node#wakeOrDefer},
 * which issues a full fence. A parked side is woken once {@code wakeBatch} items (a quarter of the ring)
 * were published, or freed, since its last wake-up, or at once when the publishing side is about to wait
 * or ends (see {@link Node} for the protocol and why it loses no wake-up). The producer checks a waiting
 * consumer at the first item after it waited itself (the consumer may have parked for the long limit
 * meanwhile), then once per publish batch, and after a deferral only once the wake batch is complete: no
 * fence per item while a consumer spins on the tail or sleeps. A consumer parked for the short limit wakes
 * by itself within that limit and takes what is unpublished, and it cannot switch to the long limit while
 * this producer runs (it does so only when every neighbour waits).
 *
 * <p>Stopping: once per publish batch (or wake-up decision, while the consumer waits) the producer checks
 * whether it should stop ({@link Node#checkWanted}), so that a producer that never waits for room, because
 * its consumer keeps up, still notices a cancellation, a failure or an early end within a quarter of the
 * ring (a publish batch while its consumer is busy, up to the wake batch while its consumer waits); never per
 * item. The consumer checks likewise once per release batch, so that a node that takes items but no longer
 * sends any (a filter whose matches ran out) notices that every node it sends to ended early.
 *
 * <p>Fields are grouped by the thread that writes them, and padded so that a line one side writes for every
 * item is never a line the other side reads: the published tail and head each have a line of their own.
 */
final class SpscRing extends Channel {

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            TAIL = lookup.findVarHandle(SpscRing.class, "tail", long.class);
            HEAD = lookup.findVarHandle(SpscRing.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Object[] buffer;
    private final int mask;
    private final int capacity;
    private final int releaseBatch;
    private final int publishBatch;
    /** Progress owed to a waiting side before it is woken; see {@link #offer} and {@link #releaseConsumed}. */
    private final int wakeBatch;

    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;
    /** Published by the producer. */
    private long tail;
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;
    private long producerTail;
    /** The tail last published. */
    private long publishedTail;
    private long headCache;
    /**
     * Items offered while the consumer was seen waiting since its last wake-up, plus one per
     * {@link #flushWake} that published something (a long, to stay among the producer's fields).
     */
    private long owedItems;
    /**
     * Items owed to a waiting consumer at which the producer next checks whether to wake it: the next item
     * after the producer waited (the consumer may have parked for the long limit meanwhile), a publish
     * batch after a wake-up, the full wake batch after a deferral.
     */
    private long wakeCheckAt = 1;
    @SuppressWarnings("unused")
    private long p21, p22, p23, p24, p25, p26, p27;
    /** Published by the consumer. */
    private long head;
    @SuppressWarnings("unused")
    private long p31, p32, p33, p34, p35, p36, p37;
    private long consumerHead;
    /** The consumer's knowledge of the tail: published, or taken by {@link #takeUnpublished}. */
    private long tailCache;
    /** The head at the last wake-up of a waiting producer. */
    private long headAtWake;
    @SuppressWarnings("unused")
    private long p41, p42, p43, p44, p45, p46, p47;

    SpscRing(Node producer, Node consumer, int capacity) {
        super(producer, consumer, false);
        int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        this.capacity = capacity <= 1 ? 1 : size;
        this.buffer = new Object[this.capacity];
        this.mask = this.capacity - 1;
        this.releaseBatch = Math.max(1, Math.min(64, this.capacity / 8));
        this.publishBatch = Math.max(1, Math.min(32, this.capacity / 8));
        this.wakeBatch = Math.max(1, this.capacity / 4);
    }

    int capacity() {
        return capacity;
    }

    @Override
    boolean offer(Object item) {
        long t = producerTail;
        if (t - headCache >= capacity) {
            headCache = (long) HEAD.getAcquire(this);
            if (t - headCache >= capacity) {
                return false;
            }
        }
        SLOT.setRelease(buffer, (int) t & mask, item);
        producerTail = ++t;
        if (t - publishedTail >= publishBatch) {
            publish(t);
            producer.checkWanted();
        }
        if (consumer.waiting) {
            // a waiting consumer spins or sleeps on the tail: give it each item at once (a plain store
            // here), and decide about a wake-up (a fence) only at wakeCheckAt
            publish(t);
            if (++owedItems < wakeCheckAt) {
                return true;
            }
            producer.checkWanted();
            if (consumer.wakeOrDefer(owedItems < wakeBatch)) {
                owedItems = 0;
                wakeCheckAt = publishBatch;
            } else {
                wakeCheckAt = wakeBatch;
            }
        }
        return true;
    }

    private void publish(long t) {
        if (t != publishedTail) {
            publishedTail = t;
            TAIL.setRelease(this, t);
        }
    }

    @Override
    void flushWake() {
        long t = producerTail;
        if (t != publishedTail) {
            publish(t);
            owedItems++;
        }
        wakeCheckAt = 1;
        if (owedItems > 0) {
            owedItems = 0;
            // The tail store must be visible before the consumer's flag is read: a consumer that set its
            // flag and then found the old tail parks, and only this read can see that it must be woken.
            VarHandle.fullFence();
            consumer.wakeIfWaiting();
        }
    }

    @Override
    boolean hasRoom() {
        return producerTail - (long) HEAD.getAcquire(this) < capacity;
    }

    /**
     * Consumer: whether an item is at {@code consumerHead}, reading the published tail only when the
     * cached one says empty; an empty ring hands the room consumed so far back to the producer.
     */
    private boolean refreshedNotEmpty() {
        long h = consumerHead;
        if (h == tailCache) {
            long t = (long) TAIL.getAcquire(this);
            if (t <= h) {
                releaseConsumed();
                return false;
            }
            tailCache = t;
        }
        return true;
    }

    @Override
    void takeUnpublished() {
        long t = tailCache;
        while (t - consumerHead < capacity && SLOT.getAcquire(buffer, (int) t & mask) != null) {
            t++;
        }
        tailCache = t;
    }

    @Override
    Object poll() {
        if (!refreshedNotEmpty()) {
            return null;
        }
        long h = consumerHead;
        boolean release = h + 1 - head >= releaseBatch;
        if (release) {
            // before the item is taken: a node that ends here takes it (maybe end of stream) as it drains
            consumer.checkWanted();
        }
        int index = (int) h & mask;
        Object item = buffer[index];
        buffer[index] = null;
        consumerHead = h + 1;
        if (release) {
            publishHead(false);
        }
        return item;
    }

    @Override
    Object peek() {
        return refreshedNotEmpty() ? buffer[(int) consumerHead & mask] : null;
    }

    @Override
    boolean hasItem() {
        return consumerHead != tailCache || consumerHead < (long) TAIL.getAcquire(this);
    }

    @Override
    void releaseConsumed() {
        publishHead(true);
    }

    /**
     * Publishes the consumer's head. A waiting producer is woken once a quarter of the ring is free since
     * its last wake-up, so that it fills a good part of the ring per wake-up, or at once if {@code always}.
     */
    private void publishHead(boolean always) {
        long h = consumerHead;
        if (h != head) {
            HEAD.setRelease(this, h);
            // as in flushWake: the head store before the producer's flag is read (once per release batch)
            VarHandle.fullFence();
        }
        if (producer.waiting && h != headAtWake && producer.wakeOrDefer(!always && h - headAtWake < wakeBatch)) {
            headAtWake = h;
        }
    }
}
