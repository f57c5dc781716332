package io.paraflow.monitor;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;
import io.paraflow.exec.Resources;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Carries the ends of tasks and tries from the threads where they happen to the monitor's thread: each
 * publishing thread appends one compact record per task that ended (its whole life, read from the
 * task's {@link TaskInfo} at its last step) and one per retried try, to its own lane, a chain of chunks
 * with one producer (that thread) and one consumer (the monitor). A submission appends a record of a
 * single reference (the task's view, nothing copied), so that the monitor can show the tasks that wait;
 * a start only counts in the lane (for the progress counts) and becomes the lane's running try, which the
 * monitor samples (see {@link #running()}). In lanes made to keep no records (a monitor without a database),
 * every step only counts. Publishing takes no lock, and shares no written memory with other publishers but
 * on one path: a start that hands a try to the shared queue below. It allocates only when a chunk is full,
 * or on that path. (The monitor gives submissions lanes of their own, a second instance, which it reads at
 * once however far the ends lag behind.)
 *
 * <p>Running tries: a try usually starts and ends on the thread that runs it, so each lane has one slot,
 * the try its thread started last: a plain read, and a store that only the consumer reads. The try's end empties
 * it only if it comes on that thread; the consumer empties (compare-and-set) a slot whose try it sees ended,
 * so that the slot does not keep an ended task (and its result) until its thread starts another try.
 * Executors that run tries elsewhere (worker processes, a cluster) start many from one thread and hear their
 * ends on others; a thread that waits for a task may run another meanwhile (nested tries); and a compose
 * task stays unended while it waits for the task its function returned, which its worker usually runs next.
 * A start that finds the slot still holding a try that has not ended hands that try to the consumer through
 * a queue shared by the lanes ({@link #displaced}), which it keeps until it sees it ended. Only those starts
 * pay for a queue node: once per try for the executors that run tries elsewhere, once per wait during
 * which the waiting thread runs other tries, once per compose task on the flow's threads. Nothing relies on a try ending on the thread
 * that started it. The queue's nodes and the tries kept are not counted in {@code capacityBytes}; a queued
 * task that ended keeps its result until the consumer next looks ({@link #running()}, every tick of the
 * monitor).
 *
 * <p>Memory: chunks are counted against {@code capacityBytes}; a publisher that needs a new chunk while
 * the lanes hold that much waits until the monitor frees one (so memory cannot grow without bound), or
 * until the monitor has died. The strings, dependency arrays of more than {@value #MAX_INLINE_DEPENDENCIES}
 * ids, errors, submitted tasks and the tasks of retried tries that records point to (each held until its record
 * is read) are shared with the runtime and not counted. Lanes
 * stay in their threads' {@code ThreadLocal} maps, and a task keeps its flow, whose listener keeps these
 * lanes: so a consumer that dies empties every slot, the queue and the references of unread records
 * ({@link #consumerDied}), and a start that looked just before the death empties what it wrote (but for a
 * store still in its core's buffer as the consumer empties the slot, on the path without a fence).
 *
 * <p>Order: records of one lane come out in the order they were appended; lanes are read in turns. A
 * record holds everything the monitor writes for it, so the order between lanes does not matter, except
 * that a task's submission (published on the submitting thread) may be read after its end (published on a
 * worker): the monitor asks the task ({@link TaskInfo#ended()}) rather than rely on the order.
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
    private static final int RETRIED = 4;
    private static final int FINISHED = 5;
    private static final int FAILED = 6;
    private static final int CANCELLED = 7;
    private static final int SUBMITTED_LONGS = 1;
    private static final int SUBMITTED_REFS = 1;
    private static final int TRY_LONGS = 4;
    private static final int TRY_REFS = 3;
    private static final int END_LONGS = 8;
    private static final int END_REFS = 5;

    private final Budget budget;
    /** Whether steps append records (a database needs them), or only count (enough for a progress line). */
    private final boolean keepRecords;
    /** The consumer's side of every lane, each pointing to its lane; a lane does not point back (see {@link Reader}). */
    private final List<Reader> readers = new CopyOnWriteArrayList<>();
    private final ThreadLocal<Lane> own = ThreadLocal.withInitial(this::newLane);
    /** What lanes that were forgotten (their threads ended) had counted, by {@link Count}. Consumer's. */
    private final long[] retired = new long[Count.values().length];
    /**
     * Tries that a thread started and had not seen end when it started another: handed by publishers to the
     * consumer, which moves them to {@link #startedElsewhere}. See the class comment.
     */
    private final Queue<TaskInfo> displaced = new ConcurrentLinkedQueue<>();
    /**
     * The tries taken from {@link #displaced} and from the slots of forgotten lanes, until they are seen
     * ended: by identity, since the consumer knows them by their view. Consumer's.
     */
    private final Set<TaskInfo> startedElsewhere = Collections.newSetFromMap(new IdentityHashMap<>());

    /** What each lane counts as steps are published, so that the counts never wait for the records' reader. */
    enum Count {
        SUBMITTED, STARTED, TRIES_ENDED, FINISHED, FAILED, CANCELLED
    }

    /** Lanes of at most {@code capacityBytes} of chunks, where steps append records. */
    EventLanes(long capacityBytes) {
        this(capacityBytes, true);
    }

    /**
     * Lanes of at most {@code capacityBytes} of chunks; without {@code keepRecords}, every step only counts
     * (for a monitor that records nothing: a progress line alone).
     */
    EventLanes(long capacityBytes, boolean keepRecords) {
        if (capacityBytes < 2 * CHUNK_BYTES) {
            throw new IllegalArgumentException("the event buffer needs at least " + 2 * CHUNK_BYTES + " bytes, got "
                    + capacityBytes);
        }
        this.budget = new Budget(capacityBytes);
        this.keepRecords = keepRecords;
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
        /**
         * A task was submitted: {@code task} is the runtime's view of it, which may have started or ended
         * since (its end may even have been read already, from another lane).
         */
        void submitted(TaskInfo task);

        /**
         * A try that failed and will be run again: attempt {@code attempt} of {@code task}, the runtime's view of
         * it, which may have moved on since (its next try started, or it ended).
         */
        void retried(TaskInfo task, int attempt, String worker, long startedNs, long endedNs, Throwable error);

        /**
         * A task ended ({@code end} is FINISHED, FAILED or CANCELLED) on attempt {@code attempt};
         * {@code startedNs} is 0 if that attempt never started (then {@code worker} is null).
         */
        void ended(TaskEvent.Kind end, long taskId, int attempt, String name, String executor, int cores,
                   int gpus, long memoryBytes, long[] dependencies, long submittedNs, long readyNs, long startedNs,
                   String worker, long endedNs, Throwable error);
    }

    /**
     * Takes a step ({@link io.paraflow.event.TaskListener#onStep}'s arguments) on the calling thread's lane:
     * a submission, an end or a retry becomes a record, a start a count. Called on any thread; waits only
     * while the lanes are full.
     */
    void publish(TaskInfo task, TaskEvent.Kind step, int attempt, long epochNanos, Throwable error) {
        if (!budget.consumerAlive || step == TaskEvent.Kind.READY) {
            return;
        }
        Lane lane = own.get();
        switch (step) {
            case SUBMITTED -> lane.submitted(keepRecords ? task : null);
            case STARTED -> lane.started(keepRecords ? task : null);
            case RETRIED -> lane.appendRetried(task, attempt, epochNanos, error, keepRecords);
            default -> lane.appendEnd(task, step, attempt, epochNanos, error, keepRecords);
        }
    }

    /** Bytes of the chunks the lanes hold now. */
    long usedBytes() {
        return budget.usedBytes.get();
    }

    /**
     * Tells publishers that nobody reads the lanes any more: they drop their events from then on. Empties
     * every lane's slot, the queue and the references of unread records. Called by the consumer as it dies.
     */
    void consumerDied() {
        budget.consumerAlive = false;
        // the lanes stay in their threads' ThreadLocal maps, and no end will empty their slots any more: a
        // task they kept would keep its flow, whose listener points to these lanes, for as long as the thread
        // lives. Nor may the queue and the records they point to keep tasks (submissions are records).
        for (Reader reader : readers) {
            reader.dropTasks();
        }
        displaced.clear();
        startedElsewhere.clear();
    }

    /** Drops the chunks of every lane once no event can come any more (the flow closed). Called by the consumer. */
    void close() {
        budget.consumerAlive = false;
        for (Reader reader : readers) {
            reader.release();
        }
        readers.clear();
        displaced.clear();
        startedElsewhere.clear();
    }

    /**
     * The steps counted so far on every thread, by {@link Count}: taken as they are published, before
     * their records are read. Called by the consumer.
     */
    long[] counts() {
        long[] sums = retired.clone();
        for (Reader reader : readers) {
            reader.lane.addCounts(sums);
        }
        return sums;
    }

    /**
     * The tasks of the tries started and not ended, each once, whichever threads started and end them: the
     * try each thread started last, unless it has ended, and the tries it started before that have not
     * (those of an executor that runs them elsewhere, or a task that waits for the one its thread runs
     * now). Empty in lanes that keep no records. Called by the consumer; the tasks may end while it looks at
     * them, and a task between two tries (a retry to come) is among them: its view says it has not started.
     */
    List<TaskInfo> running() {
        List<TaskInfo> running = new ArrayList<>();
        Set<TaskInfo> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        // the slots before the queue: a publisher queues a try before it replaces it in its slot, so a try
        // that is not in the slot read here is in the queue
        for (Reader reader : readers) {
            TaskInfo task = reader.lane.runningAcquire();
            if (task == null) {
                continue;
            }
            if (task.ended()) {
                // ended on another thread: the slot would keep it (and its result) until its owner starts a try
                reader.lane.forgetEnded(task);
            } else if (seen.add(task)) {
                running.add(task);
            }
        }
        for (TaskInfo task; (task = displaced.poll()) != null; ) {
            startedElsewhere.add(task);
        }
        startedElsewhere.removeIf(TaskInfo::ended);
        for (TaskInfo task : startedElsewhere) {
            if (seen.add(task)) {
                running.add(task);
            }
        }
        return running;
    }

    /**
     * Reads at most {@code max} records, lane after lane: with {@code all}, every record published; without,
     * only those in chunks their publisher has filled, so that the consumer does not read the cache lines a
     * publisher is writing (which costs the publisher a cache miss per record when the consumer keeps up).
     * Frees drained chunks and forgets drained lanes of threads that ended (keeping their counts). Returns how
     * many records it read. Called by the consumer only.
     */
    int drain(Consumer consumer, int max, boolean all) {
        int read = 0;
        for (Reader reader : readers) {
            while (read < max && reader.hasNext(all)) {
                reader.readNext(consumer);
                read++;
            }
            // whether the owner ended first: a thread that ended publishes nothing after
            if (!reader.lane.owner.isAlive() && reader.consumed == reader.lane.publishedAcquire()) {
                reader.lane.addCounts(retired);
                // a try started there may run on (elsewhere) and end on another thread
                TaskInfo last = reader.lane.runningAcquire();
                if (last != null && !last.ended()) {
                    startedElsewhere.add(last);
                }
                reader.release();
                readers.remove(reader);
            }
        }
        return read;
    }

    private Lane newLane() {
        Lane lane = new Lane(Thread.currentThread(), budget, displaced);
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
    private static final VarHandle COUNTS;
    private static final VarHandle RUNNING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PUBLISHED = lookup.findVarHandle(Lane.class, "published", long.class);
            COUNTS = MethodHandles.arrayElementVarHandle(long[].class);
            RUNNING = lookup.findVarHandle(Lane.class, "running", TaskInfo.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One thread's records and counts: written by that thread, read by the consumer. */
    static final class Lane {
        final Thread owner;
        private final Budget budget;
        /** Where a start puts the try it finds in {@link #running} if that has not ended; see {@link EventLanes#displaced}. */
        private final Queue<TaskInfo> displaced;
        // producer's side
        private Chunk tail;
        private int longPos;
        private int refPos;
        /** Records appended and visible to the consumer: written with release, read with acquire. */
        @SuppressWarnings("unused")
        private long published;
        /** By {@link Count}: written opaque by the owner alone, read opaque by the consumer. */
        private final long[] counts = new long[Count.values().length];

        /**
         * The try started last on this thread and not ended on it: written by the owner (with release, read
         * plainly), read with acquire by the consumer, which clears it once the try ended (by compare-and-set,
         * {@link #forgetEnded}), once the owner publishes no more ({@link Reader#release}) or as it dies
         * ({@link Reader#dropTasks}); see {@link EventLanes#running()}.
         */
        private TaskInfo running;

        Lane(Thread owner, Budget budget, Queue<TaskInfo> displaced) {
            this.owner = owner;
            this.budget = budget;
            this.displaced = displaced;
            this.tail = budget.newChunk();
        }

        long publishedAcquire() {
            return (long) PUBLISHED.getAcquire(this);
        }

        void addCounts(long[] sums) {
            for (int i = 0; i < sums.length; i++) {
                sums[i] += (long) COUNTS.getOpaque(counts, i);
            }
        }

        private void count(Count what) {
            int i = what.ordinal();
            COUNTS.setOpaque(counts, i, counts[i] + 1);
        }

        TaskInfo runningAcquire() {
            return (TaskInfo) RUNNING.getAcquire(this);
        }

        /**
         * Empties the slot if it still holds {@code task}, which has ended. Called by the consumer: a
         * compare-and-set, so that a try the owner stores meanwhile (after its plain read) stays.
         */
        void forgetEnded(TaskInfo task) {
            RUNNING.compareAndSet(this, task, (TaskInfo) null);
        }

        /** Counts a submission and appends a record of {@code task}, unless it is null. */
        void submitted(TaskInfo task) {
            count(Count.SUBMITTED);
            if (task == null) {
                return;
            }
            int p = reserve(SUBMITTED_LONGS, SUBMITTED_REFS);
            tail.longs[p] = SUBMITTED;
            tail.refs[refPos] = task;
            longPos = p + SUBMITTED_LONGS;
            refPos += SUBMITTED_REFS;
            PUBLISHED.setRelease(this, (long) PUBLISHED.get(this) + 1);
        }

        /** Counts a start and, unless {@code task} is null, makes it this thread's running try. */
        void started(TaskInfo task) {
            count(Count.STARTED);
            if (task == null) {
                return;
            }
            TaskInfo previous = running;
            if (previous != null && previous != task && !previous.ended()) {
                // started here and not ended here: it runs elsewhere, or waits for the new try (nested)
                displaced.offer(previous);
                // volatile, as consumerAlive and the consumer's clearing: if the consumer died after publish()
                // looked and emptied the queue and the slots before this thread wrote them, this read sees it
                RUNNING.setVolatile(this, task);
                if (!budget.consumerAlive) {
                    displaced.clear();
                    RUNNING.setVolatile(this, (TaskInfo) null);
                }
                return;
            }
            RUNNING.setRelease(this, task);
            // the same check without a fence, which the path of every try would pay: only a store still in
            // this core's buffer as the consumer dies and empties the slot can outlast it (see consumerDied)
            if (!budget.consumerAlive) {
                RUNNING.setRelease(this, (TaskInfo) null);
            }
        }

        private void tryEnded(TaskInfo task) {
            if (RUNNING.get(this) == task) {
                RUNNING.setRelease(this, (TaskInfo) null);
            }
        }

        /** Room for a record of {@code longs} and {@code refs}; returns the position of its first long. */
        private int reserve(int longs, int refs) {
            if (longPos + longs > LONGS || refPos + refs > REFS) {
                Chunk next = budget.newChunk();
                tail.next = next;
                tail = next;
                longPos = 0;
                refPos = 0;
            }
            return longPos;
        }

        /** Counts a retried try and, if {@code record}, appends its record. */
        void appendRetried(TaskInfo task, int attempt, long epochNanos, Throwable error, boolean record) {
            tryEnded(task);
            count(Count.TRIES_ENDED);
            if (!record) {
                return;
            }
            int p = reserve(TRY_LONGS, TRY_REFS);
            long[] l = tail.longs;
            Object[] r = tail.refs;
            l[p] = RETRIED | ((long) attempt << 8);
            l[p + 1] = task.id();
            l[p + 2] = epochNanos;
            l[p + 3] = task.startedNanos();
            r[refPos] = task.worker();
            r[refPos + 1] = error;
            r[refPos + 2] = task;
            longPos = p + TRY_LONGS;
            refPos += TRY_REFS;
            PUBLISHED.setRelease(this, (long) PUBLISHED.get(this) + 1);
        }

        /** Counts a task's end and, if {@code record}, appends its record. */
        void appendEnd(TaskInfo task, TaskEvent.Kind end, int attempt, long epochNanos, Throwable error, boolean record) {
            tryEnded(task);
            long startedNanos = task.startedNanos();
            if (startedNanos != 0) {
                count(Count.TRIES_ENDED);
            }
            count(end == TaskEvent.Kind.FINISHED ? Count.FINISHED : end == TaskEvent.Kind.FAILED ? Count.FAILED
                    : Count.CANCELLED);
            if (!record) {
                return;
            }
            long[] dependencies = task.dependencyIds();
            int inline = dependencies.length <= MAX_INLINE_DEPENDENCIES ? dependencies.length : 0;
            int p = reserve(END_LONGS + inline, END_REFS);
            long[] l = tail.longs;
            Object[] r = tail.refs;
            int kind = end == TaskEvent.Kind.FINISHED ? FINISHED : end == TaskEvent.Kind.FAILED ? FAILED : CANCELLED;
            l[p] = kind | ((long) attempt << 8) | ((long) inline << 40);
            l[p + 1] = task.id();
            l[p + 2] = epochNanos;
            l[p + 3] = startedNanos;
            l[p + 4] = task.submittedNanos();
            l[p + 5] = task.readyNanos();
            Resources asked = task.resources();
            l[p + 6] = asked.cores() | ((long) asked.gpus() << 32);
            l[p + 7] = asked.memoryBytes();
            System.arraycopy(dependencies, 0, l, p + END_LONGS, inline);
            int q = refPos;
            r[q] = task.worker();
            r[q + 1] = error;
            r[q + 2] = task.name();
            r[q + 3] = task.executorLabel();
            r[q + 4] = inline == dependencies.length ? null : dependencies;
            longPos = p + END_LONGS + inline;
            refPos = q + END_REFS;
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

        /**
         * Whether a record is there to read (only in a filled chunk unless {@code all}); if so,
         * {@link #readNext} may be called.
         */
        boolean hasNext(boolean all) {
            if (!all && head.next == null) {
                return false;
            }
            if (consumed == knownPublished) {
                knownPublished = lane.publishedAcquire();
                if (consumed == knownPublished) {
                    return false;
                }
            }
            if (readLong >= LONGS || head.longs[readLong] == 0) {
                // the next record is in the next chunk: this one is done. Unlinked, because a drained chunk
                // that a collection promoted would keep every chunk after it alive until the next full
                // marking, and each of those would be promoted in turn
                Chunk drained = head;
                head = drained.next;
                drained.next = null;
                readLong = 0;
                readRef = 0;
                budget.usedBytes.addAndGet(-CHUNK_BYTES);
            }
            return true;
        }

        void readNext(Consumer consumer) {
            readOne(consumer);
            consumed++;
        }

        private void readOne(Consumer consumer) {
            long[] l = head.longs;
            Object[] r = head.refs;
            int p = readLong;
            int q = readRef;
            long header = l[p];
            int kind = (int) (header & 0xFF);
            int attempt = (int) ((header >>> 8) & 0xFFFF_FFFFL);
            if (kind == SUBMITTED) {
                TaskInfo task = (TaskInfo) r[q];
                r[q] = null;
                readLong = p + SUBMITTED_LONGS;
                readRef = q + SUBMITTED_REFS;
                consumer.submitted(task);
                return;
            }
            String worker = (String) r[q];
            Throwable error = (Throwable) r[q + 1];
            if (kind == RETRIED) {
                consumer.retried((TaskInfo) r[q + 2], attempt, worker, l[p + 3], l[p + 2], error);
                Arrays.fill(r, q, q + TRY_REFS, null);
                readLong = p + TRY_LONGS;
                readRef = q + TRY_REFS;
                return;
            }
            int inline = (int) (header >>> 40);
            long[] dependencies;
            if (r[q + 4] instanceof long[] many) {
                dependencies = many;
            } else if (inline == 0) {
                dependencies = NO_DEPENDENCIES;
            } else {
                dependencies = Arrays.copyOfRange(l, p + END_LONGS, p + END_LONGS + inline);
            }
            consumer.ended(kind(kind), l[p + 1], attempt, (String) r[q + 2], (String) r[q + 3], (int) l[p + 6],
                    (int) (l[p + 6] >>> 32), l[p + 7], dependencies, l[p + 4], l[p + 5], l[p + 3], worker, l[p + 2], error);
            Arrays.fill(r, q, q + END_REFS, null);
            readLong = p + END_LONGS + inline;
            readRef = q + END_REFS;
        }

        /**
         * Empties the lane's slot and the references of its records, keeping its chunks: the consumer died,
         * and its owner may still be writing the last chunk (it looked at {@link Budget#consumerAlive} before).
         */
        void dropTasks() {
            RUNNING.setVolatile(lane, (TaskInfo) null);
            for (Chunk chunk = head; chunk != null; chunk = chunk.next) {
                Arrays.fill(chunk.refs, null);
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
            // the lane stays in its thread's ThreadLocal map: it must not keep its last chunk, nor its last try
            lane.tail = null;
            RUNNING.setRelease(lane, (TaskInfo) null);
        }
    }

    private static TaskEvent.Kind kind(int code) {
        return switch (code) {
            case FINISHED -> TaskEvent.Kind.FINISHED;
            case FAILED -> TaskEvent.Kind.FAILED;
            case CANCELLED -> TaskEvent.Kind.CANCELLED;
            default -> throw new IllegalStateException("record kind " + code);
        };
    }
}
