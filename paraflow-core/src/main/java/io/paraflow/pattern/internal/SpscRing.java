package io.paraflow.pattern.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Bounded single-producer, single-consumer ring of a power-of-two capacity.
 *
 * <p>Each side keeps a private copy of its own index and a cached copy of the other side's, so the
 * shared indices are read only when the cache says full (producer) or empty (consumer). The producer
 * writes the slot plainly and publishes the new tail with a release store; the consumer reads the tail
 * with an acquire load, then the slot. The consumer publishes its head in batches of
 * {@code releaseBatch} items (and whenever it finds the ring empty or is about to wait), which saves a
 * fence per item at the price of the producer seeing room a little later.
 *
 * <p>Wake-ups: a publishing side stores its index, then reads the other side's {@link Node#waiting} flag,
 * a plain load while that side is busy; only if it is set does it call {@link Node#wakeOrDefer}, which
 * issues a full fence. A parked side is woken once {@code wakeBatch} items (a quarter of the ring) were
 * published, or freed, since its last wake-up, or at once when the publishing side is about to wait or
 * ends (see {@link Node} for the protocol and why it loses no wake-up).
 * The two sides' fields are separated by padding so that they do not share a cache line.
 */
final class SpscRing extends Channel {

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
    /** Progress owed to a waiting side before it is woken; see {@link #offer} and {@link #releaseConsumed}. */
    private final int wakeBatch;

    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07;
    /** Published by the producer. */
    private long tail;
    private long producerTail;
    private long headCache;
    /** Items published without a wake-up while the consumer was waiting. */
    private int owedItems;
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17;
    /** Published by the consumer. */
    private long head;
    private long consumerHead;
    private long tailCache;
    /** The head at the last wake-up of a waiting producer. */
    private long headAtWake;
    @SuppressWarnings("unused")
    private long p21, p22, p23, p24, p25, p26, p27;

    SpscRing(Node producer, Node consumer, int capacity) {
        super(producer, consumer, false);
        int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
        this.capacity = capacity <= 1 ? 1 : size;
        this.buffer = new Object[this.capacity];
        this.mask = this.capacity - 1;
        this.releaseBatch = Math.max(1, Math.min(64, this.capacity / 8));
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
        buffer[(int) t & mask] = item;
        producerTail = t + 1;
        TAIL.setRelease(this, t + 1);
        if (consumer.waiting && consumer.wakeOrDefer(++owedItems < wakeBatch)) {
            owedItems = 0;
        }
        return true;
    }

    @Override
    void flushWake() {
        if (owedItems > 0) {
            owedItems = 0;
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
            tailCache = (long) TAIL.getAcquire(this);
            if (h == tailCache) {
                releaseConsumed();
                return false;
            }
        }
        return true;
    }

    @Override
    Object poll() {
        if (!refreshedNotEmpty()) {
            return null;
        }
        long h = consumerHead;
        int index = (int) h & mask;
        Object item = buffer[index];
        buffer[index] = null;
        consumerHead = h + 1;
        if (h + 1 - head >= releaseBatch) {
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
        return consumerHead != (long) TAIL.getAcquire(this);
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
        }
        if (producer.waiting && h != headAtWake && producer.wakeOrDefer(!always && h - headAtWake < wakeBatch)) {
            headAtWake = h;
        }
    }
}
