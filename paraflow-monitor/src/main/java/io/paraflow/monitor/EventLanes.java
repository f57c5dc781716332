package io.paraflow.monitor;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries task events from the threads that publish them to the monitor's thread without keeping the
 * events: each publishing thread appends a compact record (numbers in a {@code long[]} chunk, the strings
 * and errors the event points to in an {@code Object[]}) to its own lane, a chain of chunks with one
 * producer (that thread) and one consumer (the monitor). Publishing takes no lock and shares no written
 * memory with other publishers; it allocates only when a chunk is full.
 *
 * <p>Memory: chunks are counted against {@code capacityBytes}; a publisher that needs a new chunk while
 * the lanes hold that much waits until the monitor frees one (so memory cannot grow without bound), or
 * until the monitor has died. The strings, dependency lists of more than {@value #MAX_INLINE_DEPENDENCIES}
 * ids and errors that records point to are shared with the runtime and not counted.
 *
 * <p>Order: records of one lane come out in the order they were appended; records of different lanes
 * come out in no particular order. {@link #mark()} tells how far every lane had got, so that the
 * consumer can know when everything that happened before a given record has been read (see
 * {@link MonitorThread}).
 */
final class EventLanes {

    /** Longs per chunk; with its {@link #REFS} references a chunk takes about 40 KB. */
    static final int LONGS = 4096;
    private static final int REFS = 2048;
    static final long CHUNK_BYTES = LONGS * 8L + REFS * 4L + 64;
    static final int MAX_INLINE_DEPENDENCIES = 256;
    private static final long FULL_PARK_NANOS = 20_000;
    private static final long[] NO_DEPENDENCIES = {};

    /** Record kinds; 0 marks the unused end of a chunk. */
    private static final int SUBMITTED = 1;
    private static final int READY = 2;
    private static final int STARTED = 3;
    private static final int RETRIED = 4;
    private static final int FINISHED = 5;
    private static final int FAILED = 6;
    private static final int CANCELLED = 7;

    private final Budget budget;
    /** The consumer's side of every lane, each pointing to its lane; a lane does not point back (see {@link Reader}). */
    private final List<Reader> readers = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Lane> own = ThreadLocal.withInitial(this::newLane);

    EventLanes(long capacityBytes) {
        if (capacityBytes < 2 * CHUNK_BYTES) {
            throw new IllegalArgumentException("the event buffer needs at least " + 2 * CHUNK_BYTES + " bytes, got "
                    + capacityBytes);
        }
        this.budget = new Budget(capacityBytes);
    }

    /**
     * The memory the chunks of all lanes share. Lanes point to it, not to their {@link EventLanes}: a lane
     * stays in its thread's {@code ThreadLocal} map after the flow, and must not keep the rest alive.
     */
    private static final class Budget {
        final long capacityBytes;
        final AtomicLong usedBytes = new AtomicLong();
        volatile boolean consumerAlive = true;

        Budget(long capacityBytes) {
            this.capacityBytes = capacityBytes;
        }

        Chunk newChunk() {
            while (usedBytes.get() + CHUNK_BYTES > capacityBytes && consumerAlive) {
                LockSupport.parkNanos(FULL_PARK_NANOS);
            }
            usedBytes.addAndGet(CHUNK_BYTES);
            return new Chunk();
        }
    }

    /** What the consumer is told, one call per record, in the order of each lane. */
    interface Consumer {
        void submitted(long taskId, long epochNanos, String name, String executor, int cores, long memoryBytes,
                       long[] dependencies);

        void ready(long taskId, long epochNanos);

        void started(long taskId, int attempt, long epochNanos, String worker);

        /** An attempt or the task ended: {@code kind} is RETRIED, FINISHED, FAILED or CANCELLED. */
        void ended(TaskEvent.Kind kind, long taskId, int attempt, long epochNanos, String worker, Throwable error);
    }

    /**
     * Appends a step ({@link io.paraflow.event.TaskListener#onStep}'s arguments) to the calling thread's lane.
     * Called on any thread; waits only while the lanes are full.
     */
    void publish(TaskInfo task, TaskEvent.Kind step, int attempt, String worker, long epochNanos, Throwable error) {
        if (budget.consumerAlive) {
            own.get().append(task, step, attempt, worker, epochNanos, error);
        }
    }

    /** Bytes of the chunks the lanes hold now. */
    long usedBytes() {
        return budget.usedBytes.get();
    }

    /** Tells publishers that nobody reads the lanes any more: they drop their events from then on. */
    void consumerDied() {
        budget.consumerAlive = false;
    }

    /** Drops the chunks of every lane once no event can come any more (the flow closed). Called by the consumer. */
    void close() {
        budget.consumerAlive = false;
        for (Reader reader : readers) {
            reader.release();
        }
        readers.clear();
    }

    /**
     * Where every lane stands now: once {@link #readPast} says the consumer read past it, the consumer has
     * read every record that was published before this call. Called by the consumer.
     */
    Mark mark() {
        Reader[] now = readers.toArray(new Reader[0]);
        long[] published = new long[now.length];
        for (int i = 0; i < now.length; i++) {
            published[i] = now[i].lane.publishedAcquire();
        }
        return new Mark(now, published);
    }

    /** Whether the consumer has read, in every lane, as many records as the lane had published at {@code mark}. */
    boolean readPast(Mark mark) {
        for (int i = 0; i < mark.readers.length; i++) {
            if (mark.readers[i].consumed < mark.published[i]) {
                return false;
            }
        }
        return true;
    }

    /** The lanes and their published counts at one time; see {@link #mark()}. */
    record Mark(Reader[] readers, long[] published) {
    }

    /**
     * Reads at most {@code max} records, earliest first: it takes records from the lane whose next record
     * is the earliest until another lane's next one is earlier (a merge by time, each lane being in time
     * order). Reading lanes in turn instead would let the lanes that hold fewer bytes per task (the
     * workers') run ahead of the program's, whose submissions the consumer then waits for while keeping
     * every task in between. Frees drained chunks and forgets drained lanes of threads that ended. Returns
     * how many records it read. Called by the consumer only.
     */
    int drain(Consumer consumer, int max) {
        Reader[] now = readers.toArray(new Reader[0]);
        int read = 0;
        while (read < max) {
            Reader earliest = null;
            long earliestNanos = Long.MAX_VALUE;
            long nextNanos = Long.MAX_VALUE;
            for (Reader reader : now) {
                if (reader.hasNext()) {
                    long nanos = reader.nextNanos();
                    if (earliest == null || nanos < earliestNanos) {
                        nextNanos = earliestNanos;
                        earliestNanos = nanos;
                        earliest = reader;
                    } else if (nanos < nextNanos) {
                        nextNanos = nanos;
                    }
                }
            }
            if (earliest == null) {
                break;
            }
            do {
                earliest.readNext(consumer);
                read++;
            } while (read < max && earliest.hasNext() && earliest.nextNanos() <= nextNanos);
        }
        for (Reader reader : now) {
            // whether the owner ended first: a thread that ended publishes nothing after
            if (!reader.lane.owner.isAlive() && reader.consumed == reader.lane.publishedAcquire()) {
                reader.release();
                readers.remove(reader);
            }
        }
        return read;
    }

    private Lane newLane() {
        Lane lane = new Lane(Thread.currentThread(), budget);
        // allocated after the lane's first chunk: apart from the fields the publisher writes
        readers.add(new Reader(lane));
        return lane;
    }

    private static final class Chunk {
        final long[] longs = new long[LONGS];
        final Object[] refs = new Object[REFS];
        /** Set by the producer before it publishes the first record of the next chunk. */
        Chunk next;
    }

    private static final VarHandle PUBLISHED;

    static {
        try {
            PUBLISHED = MethodHandles.lookup().findVarHandle(Lane.class, "published", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One thread's records: written by that thread, read by the consumer. */
    static final class Lane {
        final Thread owner;
        private final Budget budget;
        // producer's side
        private Chunk tail;
        private int longPos;
        private int refPos;
        /** Records appended and visible to the consumer: written with release, read with acquire. */
        @SuppressWarnings("unused")
        private long published;

        Lane(Thread owner, Budget budget) {
            this.owner = owner;
            this.budget = budget;
            this.tail = budget.newChunk();
        }

        long publishedAcquire() {
            return (long) PUBLISHED.getAcquire(this);
        }

        void append(TaskInfo task, TaskEvent.Kind step, int attempt, String worker, long epochNanos, Throwable error) {
            int kind = code(step);
            long[] dependencies = kind == SUBMITTED ? task.dependencyIds() : NO_DEPENDENCIES;
            int inline = dependencies.length <= MAX_INLINE_DEPENDENCIES ? dependencies.length : 0;
            int longs = (kind == SUBMITTED ? 5 + inline : 3);
            int refs = kind == SUBMITTED ? 3 : kind == READY ? 0 : 2;
            if (longPos + longs > LONGS || refPos + refs > REFS) {
                Chunk next = budget.newChunk();
                tail.next = next;
                tail = next;
                longPos = 0;
                refPos = 0;
            }
            long[] l = tail.longs;
            Object[] r = tail.refs;
            int p = longPos;
            l[p] = kind | ((long) attempt << 8) | ((long) inline << 40);
            l[p + 1] = task.id();
            l[p + 2] = epochNanos;
            switch (kind) {
                case SUBMITTED -> {
                    l[p + 3] = task.resources().cores();
                    l[p + 4] = task.resources().memoryBytes();
                    System.arraycopy(dependencies, 0, l, p + 5, inline);
                    r[refPos] = task.name();
                    r[refPos + 1] = task.executorLabel();
                    r[refPos + 2] = inline == dependencies.length ? null : dependencies;
                }
                case READY -> { }
                default -> {
                    r[refPos] = worker;
                    r[refPos + 1] = error;
                }
            }
            longPos = p + longs;
            refPos += refs;
            PUBLISHED.setRelease(this, (long) PUBLISHED.get(this) + 1);
        }
    }

    /**
     * The consumer's side of one lane. Kept in an object of its own, which the lane does not point to, so
     * that what the consumer writes as it reads (positions, counts) shares no cache line with what the
     * publisher writes, and the lane left in the thread's {@code ThreadLocal} map keeps no read chunks.
     */
    static final class Reader {
        final Lane lane;
        private final Budget budget;
        private Chunk head;
        private int readLong;
        private int readRef;
        /** What the lane's published count was when last read: reading it less often spares a cache miss per record. */
        private long knownPublished;
        long consumed;

        Reader(Lane lane) {
            this.lane = lane;
            this.budget = lane.budget;
            this.head = lane.tail;
        }

        /** Whether a record is there to read; if so, {@link #nextNanos()} and {@link #readNext} may be called. */
        boolean hasNext() {
            if (consumed == knownPublished) {
                knownPublished = lane.publishedAcquire();
                if (consumed == knownPublished) {
                    return false;
                }
            }
            if (readLong >= LONGS || head.longs[readLong] == 0) {
                // the next record is in the next chunk: this one is done
                head = head.next;
                readLong = 0;
                readRef = 0;
                budget.usedBytes.addAndGet(-CHUNK_BYTES);
            }
            return true;
        }

        /** When the next record's event happened. */
        long nextNanos() {
            return head.longs[readLong + 2];
        }

        void readNext(Consumer consumer) {
            readOne(consumer);
            consumed++;
        }

        private void readOne(Consumer consumer) {
            long[] l = head.longs;
            Object[] r = head.refs;
            int p = readLong;
            long header = l[p];
            int kind = (int) (header & 0xFF);
            int attempt = (int) ((header >>> 8) & 0xFFFF_FFFFL);
            long taskId = l[p + 1];
            long nanos = l[p + 2];
            switch (kind) {
                case SUBMITTED -> {
                    int inline = (int) (header >>> 40);
                    long[] dependencies;
                    if (r[readRef + 2] instanceof long[] many) {
                        dependencies = many;
                    } else if (inline == 0) {
                        dependencies = NO_DEPENDENCIES;
                    } else {
                        dependencies = new long[inline];
                        System.arraycopy(l, p + 5, dependencies, 0, inline);
                    }
                    consumer.submitted(taskId, nanos, (String) r[readRef], (String) r[readRef + 1], (int) l[p + 3],
                            l[p + 4], dependencies);
                    Arrays.fill(r, readRef, readRef + 3, null);
                    readLong = p + 5 + inline;
                    readRef += 3;
                }
                case READY -> {
                    consumer.ready(taskId, nanos);
                    readLong = p + 3;
                }
                default -> {
                    String worker = (String) r[readRef];
                    Throwable error = (Throwable) r[readRef + 1];
                    r[readRef] = null;
                    r[readRef + 1] = null;
                    if (kind == STARTED) {
                        consumer.started(taskId, attempt, nanos, worker);
                    } else {
                        consumer.ended(kind(kind), taskId, attempt, nanos, worker, error);
                    }
                    readLong = p + 3;
                    readRef += 2;
                }
            }
        }

        /** Returns the lane's chunks to the budget and drops them; the lane takes no more records. */
        void release() {
            if (head == null) {
                return;
            }
            for (Chunk chunk = head; chunk != null; chunk = chunk.next) {
                budget.usedBytes.addAndGet(-CHUNK_BYTES);
            }
            head = null;
            // the lane stays in its thread's ThreadLocal map: it must not keep its last chunk
            lane.tail = null;
        }
    }

    private static int code(TaskEvent.Kind kind) {
        return switch (kind) {
            case SUBMITTED -> SUBMITTED;
            case READY -> READY;
            case STARTED -> STARTED;
            case RETRIED -> RETRIED;
            case FINISHED -> FINISHED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
        };
    }

    private static TaskEvent.Kind kind(int code) {
        return switch (code) {
            case RETRIED -> TaskEvent.Kind.RETRIED;
            case FINISHED -> TaskEvent.Kind.FINISHED;
            case FAILED -> TaskEvent.Kind.FAILED;
            case CANCELLED -> TaskEvent.Kind.CANCELLED;
            default -> throw new IllegalStateException("record kind " + code);
        };
    }
}
