package io.paraflow.pattern;

import io.paraflow.internal.Threads;
import io.paraflow.pattern.internal.Assembly;
import io.paraflow.pattern.internal.Assembly.Fragment;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;

/**
 * Parallel loops over index ranges (FastFlow's {@code ParallelFor} / {@code ParallelForReduce}): a team of
 * threads, kept between loops so that a loop costs a wake-up rather than thread starts, runs the body for
 * every index of {@code [from, to)}. The calling thread takes part, so a team of {@code n} threads starts
 * {@code n - 1} threads of its own (named {@code paraflow-pfor-...}).
 *
 * <p>Scheduling: {@link #staticChunks()} gives each thread one contiguous block (the least overhead, for
 * even work); {@link #dynamicChunks(long)} lets threads take chunks of the given size from a shared counter
 * as they finish (load balancing, for uneven work). {@link #map} makes a map stage, a block that runs a
 * data-parallel loop on each item of a stream, on a team that lives as long as the pattern's run.
 *
 * <p>One loop runs at a time: loops called from several threads wait their turn. A loop may not be called
 * from inside a loop body of the same team. If the body throws, the remaining chunks are skipped and the
 * loop throws a {@link PatternException} whose cause is the first exception. {@link #close} stops the
 * team's threads; a closed team refuses loops.
 *
 * <p>Interruption of the thread that calls a loop (e.g. its pattern stopped) cancels the loop:
 * <ul>
 * <li>if the caller's interrupt flag is already set when it calls the loop, no index runs and the loop
 *     throws a {@link CancellationException};</li>
 * <li>if the caller is interrupted while the loop runs, every thread finishes the index it is on and takes
 *     no more; the loop throws a {@link CancellationException} if some index did not run, and returns its
 *     result as usual if every index had run (the interrupt came too late to save any work).</li>
 * </ul>
 * In both cases the caller's interrupt flag is still set when the loop returns or throws. A failing body wins
 * over an interrupt: the loop then throws the {@link PatternException}.
 */
public final class ParallelFor implements AutoCloseable {

    /** The body of a loop, called once per index. */
    @FunctionalInterface
    public interface Body {
        void run(long index) throws Exception;
    }

    /** The body of a reduction: folds index {@code index} into the accumulator and returns it. */
    @FunctionalInterface
    public interface Fold<A> {
        A apply(A accumulator, long index) throws Exception;
    }

    /**
     * The work of a map stage on one item: returns the item's result ({@code null}: nothing is sent on),
     * running loops on {@code team} as it needs.
     */
    @FunctionalInterface
    public interface ItemLoop<I, O> {
        O apply(I item, ParallelFor team) throws Exception;
    }

    /** How the indices are split between threads. Immutable. */
    public static final class Schedule {
        private final long chunk;

        private Schedule(long chunk) {
            this.chunk = chunk;
        }
    }

    private static final AtomicInteger TEAMS = new AtomicInteger();
    private static final int SPINS = 256;

    private final int threads;
    private final List<Thread> helpers = new ArrayList<>();
    private final String name;
    private volatile Job<?> job;
    /** The thread that called the loop running now, if any. */
    private volatile Thread looping;
    private volatile boolean closed;

    private ParallelFor(int threads) {
        this.threads = threads;
        this.name = "paraflow-pfor-" + TEAMS.incrementAndGet();
        for (int p = 1; p < threads; p++) {
            int participant = p;
            Thread helper = new Thread(() -> helperLoop(participant), name + "-" + p);
            helper.setDaemon(true);
            helpers.add(helper);
        }
        helpers.forEach(Thread::start);
    }

    /** A team of {@code threads} threads, the caller of each loop included. */
    public static ParallelFor create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a parallel-for team needs at least one thread, got " + threads);
        }
        return new ParallelFor(threads);
    }

    /**
     * A map stage: a block of one node that calls {@code work} for each item and sends on its result
     * ({@code null}: nothing), {@code work} running data-parallel loops on a team of {@code threads}
     * threads, the node's own thread included. Each run of the pattern gives the node its own team: made
     * as the node starts, closed as it ends, however it ends (the team's threads never outlive the run).
     * When the pattern is cancelled or fails, a loop running then stops promptly: the node's thread is
     * interrupted, so every thread of the team finishes the index it is on and the loop throws.
     */
    public static <I, O> Block<I, O> map(int threads, ItemLoop<? super I, ? extends O> work) {
        if (threads < 1) {
            throw new IllegalArgumentException("a parallel-for team needs at least one thread, got " + threads);
        }
        Objects.requireNonNull(work, "work");
        return new Block<>() {
            @Override
            Fragment assemble(Assembly assembly, String where) {
                return assembly.stageMadeBy(where, () -> new MapStage<I, O>(threads, work), MapStage::closeTeam);
            }
        };
    }

    /** The node of a map stage; its team is made on the node's thread as it starts. */
    private static final class MapStage<I, O> implements Stage<I, O> {
        private final int threads;
        private final ItemLoop<? super I, ? extends O> work;
        private ParallelFor team;

        MapStage(int threads, ItemLoop<? super I, ? extends O> work) {
            this.threads = threads;
            this.work = work;
        }

        @Override
        public void start(Output<O> out) {
            team = create(threads);
        }

        @Override
        public void process(I item, Output<O> out) throws Exception {
            O result = work.apply(item, team);
            if (result != null) {
                out.emit(result);
            }
        }

        void closeTeam() {
            if (team != null) {
                team.close();
            }
        }
    }

    /** Each thread takes one contiguous block of about {@code (to - from) / threads} indices. */
    public static Schedule staticChunks() {
        return new Schedule(0);
    }

    /** Threads take chunks of {@code chunk} indices as they finish their previous one. */
    public static Schedule dynamicChunks(long chunk) {
        if (chunk < 1) {
            throw new IllegalArgumentException("chunk size must be at least 1, got " + chunk);
        }
        return new Schedule(chunk);
    }

    /** How many threads run each loop, the caller included. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} for every index of {@code [from, to)}, split by {@code schedule}; returns when all ran.
     *
     * @throws PatternException if the body threw (its cause); the remaining indices were skipped
     * @throws CancellationException if the calling thread was interrupted before the loop started (no
     *         index ran) or while it ran and some index did not run (see the class comment); the thread's
     *         interrupt flag stays set
     */
    public void forEach(long from, long to, Schedule schedule, Body body) {
        Objects.requireNonNull(body, "body");
        reduce(from, to, schedule, () -> null, (ignored, i) -> {
            body.run(i);
            return null;
        }, (a, b) -> null);
    }

    /**
     * Folds every index of {@code [from, to)} into per-thread accumulators that start from
     * {@code identity}, then combines them with {@code combine}. Within a thread, indices are folded in
     * increasing order; with static chunks, the accumulators are combined in index order, so
     * {@code combine} needs only be associative; with dynamic chunks it must also be commutative.
     *
     * @throws PatternException if {@code fold} threw (its cause); the remaining indices were skipped
     * @throws CancellationException if the calling thread was interrupted before the loop started (no
     *         index ran) or while it ran and some index did not run (see the class comment); the thread's
     *         interrupt flag stays set
     */
    public <A> A reduce(long from, long to, Schedule schedule, Supplier<A> identity, Fold<A> fold,
            BinaryOperator<A> combine) {
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(fold, "fold");
        Objects.requireNonNull(combine, "combine");
        Thread self = Thread.currentThread();
        if (self == looping || helpers.contains(self)) {
            throw new IllegalStateException("a loop cannot be started from inside a loop of the same team (" + name + ")");
        }
        if (self.isInterrupted()) {
            throw new CancellationException(name + ": the loop over [" + from + ", " + to + ") was cancelled before"
                    + " it started: its calling thread was interrupted");
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(name + " is closed");
            }
            return run(from, to, schedule, identity, fold, combine, self);
        }
    }

    private <A> A run(long from, long to, Schedule schedule, Supplier<A> identity, Fold<A> fold,
            BinaryOperator<A> combine, Thread self) {
        if (to <= from) {
            return identity.get();
        }
        Job<A> current = new Job<>(from, to, schedule.chunk, identity, fold, threads, self);
        job = current;
        looping = self;
        helpers.forEach(LockSupport::unpark);
        try {
            current.work(0);
            current.awaitHelpers();
        } finally {
            looping = null;
            job = null;
        }
        Throwable failure = current.failure.get();
        if (failure != null) {
            throw new PatternException(name, "parallel-for loop over [" + from + ", " + to + ")", failure);
        }
        if (!current.everyIndexRan()) {
            throw new CancellationException(name + ": the loop over [" + from + ", " + to + ") was cancelled:"
                    + " its calling thread was interrupted");
        }
        A result = current.partial(0);
        for (int p = 1; p < threads; p++) {
            result = combine.apply(result, current.partial(p));
        }
        return result;
    }

    private void helperLoop(int participant) {
        Job<?> done = null;
        while (!closed) {
            Job<?> current = job;
            if (current == null || current == done) {
                LockSupport.park(this);
                continue;
            }
            current.work(participant);
            current.helperDone();
            done = current;
        }
    }

    /** Stops the team's threads and waits for them. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Thread helper : helpers) {
            LockSupport.unpark(helper);
            Threads.joinUninterruptibly(helper);
        }
    }

    /** One loop: its range, the shared chunk counter, each participant's partial result, the first failure. */
    private static final class Job<A> {
        final long from;
        final long to;
        final long chunk;
        final Supplier<A> identity;
        final Fold<A> fold;
        final int participants;
        final Thread caller;
        final AtomicLong next;
        final AtomicInteger helpersLeft;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** The caller was interrupted during the loop; kept here, since waiting clears the thread's flag. */
        volatile boolean cancelled;
        /** Written by each participant before it reports done; read by the caller after all reported. */
        final Object[] partials;
        /** Indices each participant folded (unless the body failed); written and read like {@link #partials}. */
        final long[] ran;

        Job(long from, long to, long chunk, Supplier<A> identity, Fold<A> fold, int participants, Thread caller) {
            this.from = from;
            this.to = to;
            this.chunk = chunk;
            this.identity = identity;
            this.fold = fold;
            this.participants = participants;
            this.caller = caller;
            this.next = new AtomicLong(from);
            this.helpersLeft = new AtomicInteger(participants - 1);
            this.partials = new Object[participants];
            this.ran = new long[participants];
        }

        void work(int participant) {
            A accumulator = identity.get();
            try {
                if (chunk == 0) {
                    // Counts are unsigned: a range may hold more than Long.MAX_VALUE indices.
                    long size = to - from;
                    long base = Long.divideUnsigned(size, participants);
                    long extra = Long.remainderUnsigned(size, participants);
                    long start = from + base * participant + Math.min(participant, extra);
                    long end = start + base + (participant < extra ? 1 : 0);
                    long i = start;
                    for (; i < end && !stopping(); i++) {
                        accumulator = fold.apply(accumulator, i);
                    }
                    ran[participant] = i - start;
                } else {
                    long start;
                    while (!stopping() && (start = next.getAndAccumulate(chunk, this::advance)) < to) {
                        long end = advance(start, chunk);
                        long i = start;
                        for (; i < end && !stopping(); i++) {
                            accumulator = fold.apply(accumulator, i);
                        }
                        ran[participant] += i - start;
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
            partials[participant] = accumulator;
        }

        /** After every participant reported done: whether every index of the range was folded. */
        boolean everyIndexRan() {
            long total = 0;
            for (long count : ran) {
                total += count;
            }
            // unsigned, like the range's size: both wrap the same way
            return total == to - from;
        }

        /** {@code step} indices after {@code index}, but not past {@code to} (and never wrapping round). */
        long advance(long index, long step) {
            return Long.compareUnsigned(to - index, step) <= 0 ? to : index + step;
        }

        /**
         * Whether to take no more indices: the body failed, or the loop's caller was interrupted (seen by
         * the caller itself, or by any participant while the caller still has its interrupt flag).
         */
        boolean stopping() {
            if (failure.get() != null || cancelled) {
                return true;
            }
            if (caller.isInterrupted()) {
                cancelled = true;
                return true;
            }
            return false;
        }

        void helperDone() {
            if (helpersLeft.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }

        void awaitHelpers() {
            for (int i = 0; i < SPINS && helpersLeft.get() > 0; i++) {
                Thread.onSpinWait();
            }
            boolean interrupted = false;
            while (helpersLeft.get() > 0) {
                LockSupport.park(this);
                if (Thread.interrupted()) {
                    interrupted = true;
                    cancelled = true;
                }
            }
            if (interrupted || cancelled) {
                Thread.currentThread().interrupt();
            }
        }

        @SuppressWarnings("unchecked")
        A partial(int participant) {
            return (A) partials[participant];
        }
    }
}
