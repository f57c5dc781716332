package io.paraflow.pattern.internal;

import io.paraflow.pattern.Master;
import io.paraflow.pattern.MasterContext;
import io.paraflow.pattern.Source;
import io.paraflow.pattern.Stage;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One node of an assembled pattern and the thread that runs it: the wiring filled in by {@link Assembly}
 * (input and output channels, how outputs are routed, the node's part in an ordered or master-worker
 * farm), and the loop that feeds the user's {@link Source}, {@link Stage} or {@link Master}. The node is
 * also the {@code Output} handed to that code, so the emit path has no indirection.
 *
 * <p>Threading: wiring methods run on the assembling thread before the node's thread starts (the start
 * publishes them); everything else runs on the node's own thread, except {@link #wakeIfWaiting}, which any
 * thread may call. Waiting is {@link #await}: spin, yield, then park, so that a channel that publishes
 * progress can wake the node.
 *
 * <p>The wake-up protocol. A waiting node sets {@link #waiting} (a volatile store, so followed by a full
 * fence) before it first checks what it waits for, spins and yields, then sets {@link #parked}, issues a
 * full fence, checks once more and parks. A publishing side stores its progress, then reads
 * {@code waiting}; only if it is set does it issue a full fence and read {@code parked} (Dekker's pattern
 * between {@code parked} and the progress, with a fence on both sides). So a busy consumer costs its
 * producer no fence per item. The publisher's first read has no fence before it, so it may see
 * {@code waiting} still false although the node has just set it; the node then still finds the progress
 * in its spin and yield phase or in its check after setting {@code parked}, unless the publisher's store
 * stayed invisible for that whole phase (microseconds), which store buffers, drained within nanoseconds and
 * on every interrupt, do not allow. The Java memory model alone promises only that the store becomes
 * visible eventually, which is why a park is bounded ({@link #PARK_LIMIT_NANOS}): a wake-up lost that way
 * would be a pause, counted in {@link #LATE_WAKE_UPS}, never a hang.
 *
 * <p>Deferred wake-ups. A node woken for every item on a machine with fewer cores than nodes spends more
 * time parking and being woken than working, so a channel defers waking a parked node until a quarter of
 * the ring has filled (or freed), and the node on the other side pays off what it owes before it waits
 * ({@link Channel#flushWake}, {@link Channel#releaseConsumed}) and when it ends. A node that waits for items
 * parks for at most {@link #DEFERRED_WAKE_LIMIT_NANOS} while a neighbour runs (which may then be busy in its
 * own code, owing a wake-up); a node that waits for room parks for the long limit even then: its consumer
 * has a backlog of at least three quarters of the ring to work through, so waking the producer late costs
 * nothing, and it wakes the producer at once when it waits or ends itself. A node whose neighbours all wait
 * parks for the long limit and records in {@link #wakeAtOnce} before it parks that no wake-up may be
 * deferred: a publisher reads that after its fence.
 *
 * <p>Batched publishing. A ring's producer also publishes its items in batches ({@link SpscRing}), so a
 * node that emitted a few items and then stays in its own code may leave them unpublished. After every
 * park with the short limit (taken only while a neighbour runs), the node takes such items from its inputs
 * itself ({@link Channel#takeUnpublished}), and a busy-spinning node does so every
 * {@link #BUSY_SPINS_PER_TAKE} spins. A neighbour that ends has published everything before its flag
 * says so; one that waits publishes as it starts waiting and fences before it reads the other side's flag
 * (as a consumer fences between its flag and its last look at the tail), so one of the two sees the
 * other. So the bound above holds for unpublished items too.
 */
final class Node extends NodeTrailingPadding implements MasterContext<Object, Object> {

    /** End of stream on a channel; never seen by user code. */
    static final Object END = new Marker("END");
    /** In an ordered farm, the last envelope of an input that gave no result. */
    static final Object NOTHING = new Marker("NOTHING");
    /** From a master-worker farm's worker to the master: one task is done. */
    static final Object TASK_DONE = new Marker("TASK_DONE");

    /**
     * Longest single park while every neighbour waits, and of a wait for room. It bounds the damage of a
     * wake-up lost to the unfenced first read of {@link #waiting} (a pause instead of a hang; see above),
     * and such a wait, if every neighbour waited, is counted in {@link #LATE_WAKE_UPS}.
     */
    private static final long PARK_LIMIT_NANOS = 100_000_000;
    /**
     * Longest park while a neighbour runs. A channel defers the wake-up of a parked node until a quarter
     * of the ring has filled (or freed) or the node on its other side waits or ends, so that a node is
     * woken once per batch, not once per item; this limit bounds the delay that deferral adds when that
     * neighbour instead stays a long time in its own code (a source that emits rarely).
     */
    private static final long DEFERRED_WAKE_LIMIT_NANOS = 1_000_000;
    /**
     * Parks that ran into their limit, not woken, while what they waited for was already there: lost
     * wake-ups. (A node woken in time but scheduled late, e.g. on a loaded machine, is not counted.)
     */
    static final LongAdder LATE_WAKE_UPS = new LongAdder();

    /**
     * Spins of a busy-spinning node between two looks at what its producers stored but have not published
     * (a producer busy in its own code may leave part of a batch unpublished): a few microseconds.
     */
    private static final int BUSY_SPINS_PER_TAKE = 256;

    /** Items taken from one input before looking at the next, for fairness between inputs. */
    private static final int INPUT_BATCH = 64;

    private record Marker(String name) {
    }

    enum Role { SOURCE, STAGE, MASTER }

    // ------------------------------------------------------------------ wiring (assembly thread)

    final String name;
    final Role role;
    final Object logic;
    final Run run;
    final List<Channel> inputList = new ArrayList<>();
    final List<Channel> outputList = new ArrayList<>();
    final List<Channel> workerList = new ArrayList<>();
    Routing routing = Routing.ROUND_ROBIN;
    Routing workerRouting = Routing.ROUND_ROBIN;
    /** Outputs lead into an ordered farm: number each item. */
    boolean numbersOutputs;
    /** A worker of an ordered farm: inputs are numbered, results go out under the same number. */
    boolean orderedWorker;
    /** The collector of an ordered farm: takes its inputs in number order. */
    boolean reordersInputs;
    /** The first stage of a master-worker farm's worker: after each task, tell the master it is done. */
    boolean feedbackWorker;
    /** A later stage of a master-worker farm's worker: pass the end-of-task notices on. */
    boolean forwardsTaskDone;
    int worker;
    /** Run on the node's thread as it ends, however it ends; may be {@code null}. */
    Runnable atExit;
    Thread thread;

    // ------------------------------------------------------------------ running state (node thread)

    // The wait flags (waiting, parked, wakeAtOnce, woken) are in the superclasses, on a cache line of their own.
    private Channel[] inputs;
    /** Empty until the node runs (a channel driven by hand in a test may ask {@link #checkWanted} before). */
    private Channel[] outputs = new Channel[0];
    private Channel[] workers;
    private boolean[] ended;
    private int endedCount;
    private int cursor;
    private int taken;
    private int currentInput;
    private int nextOutput;
    private int nextWorker;
    /** The number of the next item sent into an ordered farm. */
    private long sequence;
    /** Tasks a master submitted, so that it can tell whether its end hook submitted more. */
    private long submitted;
    private long expected;
    private Sequenced envelope;
    private Object heldBack;
    private boolean holding;
    private long inFlight;
    private boolean masterEnding;
    /** The master called {@link #endStream}: it ends the stream once its current call returns. */
    private boolean endRequested;
    /**
     * The node sends its end of stream, or ends early: a send no longer ends it when its consumers ended
     * early ({@link #checkWanted}), and input hooks no longer run.
     */
    private boolean ending;
    /** End of stream was sent on {@link #outputs}. */
    private boolean endSent;
    private int upstreamEnded;
    private Channel waitChannel;
    /** The only input, while it has not ended: the common case, polled without the fairness bookkeeping. */
    private Channel onlyInput;
    /** The only output, if items go to it unchanged (no routing to choose, no numbering): emit's short path. */
    private Channel onlyOutput;
    /** Channels of which any one with room ends a wait (on-demand routing). */
    private Channel[] roomSet;
    /** Inputs found empty by the ordered collector, {@code null}-terminated; any one with an item ends a wait. */
    private Channel[] emptyInputs;

    /**
     * This node's own stop signals: shared instances would collect the exceptions that user code adds to
     * them as suppressed ones (a try-with-resources around a send) from run to run.
     */
    private final StopSignal stopSignal = new StopSignal();
    private final DownstreamEnded downstreamEnded = new DownstreamEnded();

    Node(Run run, String name, Role role, Object logic) {
        this.run = run;
        this.name = name;
        this.role = role;
        this.logic = logic;
    }

    /**
     * Called by any thread right after it published progress this node may wait for (an item, or room):
     * if this node is waiting, issues a full fence and unparks it if it is parked. While the node is busy
     * this costs one load of a line that the node rarely writes.
     */
    void wakeIfWaiting() {
        if (waiting) {
            wakeOrDefer(false);
        }
    }

    /**
     * Called after {@link #waiting} was seen set by a thread that published progress: issues a full fence
     * and unparks this node if it is parked, unless {@code mayDefer} and the node parked for a short time
     * only (see {@link #DEFERRED_WAKE_LIMIT_NANOS}). Returns false if it deferred the wake-up.
     */
    boolean wakeOrDefer(boolean mayDefer) {
        VarHandle.fullFence();
        if (!parked) {
            return true;
        }
        if (mayDefer && !wakeAtOnce) {
            return false;
        }
        woken = true;
        LockSupport.unpark(thread);
        return true;
    }

    /** The body of the node's thread; failures go to the run, which stops every node. */
    void runNode() {
        inputs = inputList.toArray(new Channel[0]);
        outputs = outputList.toArray(new Channel[0]);
        workers = workerList.toArray(new Channel[0]);
        onlyInput = inputs.length == 1 ? inputs[0] : null;
        boolean plain = routing.kind == Routing.Kind.ROUND_ROBIN && !numbersOutputs && !orderedWorker;
        onlyOutput = outputs.length == 1 && plain ? outputs[0] : null;
        ended = new boolean[inputs.length];
        try {
            try {
                switch (role) {
                    case SOURCE -> runSource();
                    case STAGE -> runStage();
                    case MASTER -> runMaster();
                    default -> throw new AssertionError(role);
                }
            } catch (DownstreamEnded nobodyListens) {
                endEarly();
            }
            endOutputsOnce();
        } catch (StopSignal stop) {
            // Another node failed or the pattern was cancelled; the run already holds the reason.
        } catch (Throwable failure) {
            run.fail(this, failure);
        } finally {
            for (Channel input : inputs) {
                input.releaseConsumed();
            }
            // An ended node owes no wake-up: its neighbours may park for the long limit, not tick every millisecond.
            waiting = true;
            if (atExit != null) {
                runAtExit();
            }
        }
    }

    private void runAtExit() {
        try {
            atExit.run();
        } catch (RuntimeException | Error failure) {
            run.fail(this, failure);
        }
    }

    @SuppressWarnings("unchecked")
    private void runSource() throws Exception {
        ((Source<Object>) logic).produce(this);
    }

    @SuppressWarnings("unchecked")
    private void runStage() throws Exception {
        Stage<Object, Object> stage = (Stage<Object, Object>) logic;
        stage.start(this);
        Object item;
        while ((item = reordersInputs ? nextInOrder() : next()) != null) {
            if (orderedWorker) {
                envelope = (Sequenced) item;
                stage.process(envelope.item, this);
                finishEnvelope();
            } else if (item == TASK_DONE && forwardsTaskDone) {
                put(outputs[0], TASK_DONE);
            } else {
                stage.process(item, this);
                if (feedbackWorker) {
                    put(outputs[0], TASK_DONE);
                }
            }
        }
        stage.end(this);
    }

    @SuppressWarnings("unchecked")
    private void runMaster() throws Exception {
        Master<Object, Object, Object, Object> master = (Master<Object, Object, Object, Object>) logic;
        master.start(this);
        int upstream = 0;
        for (Channel input : inputs) {
            upstream += input.feedback ? 0 : 1;
        }
        while (!endRequested) {
            if (upstreamEnded == upstream && inFlight == 0) {
                long before = submitted;
                master.end(this);
                if (submitted == before) {
                    break;
                }
                continue;
            }
            int endedBefore = endedCount;
            Object item = pollAny();
            if (item == null) {
                if (endedCount == endedBefore) {
                    checkWanted();
                    await(ANY_INPUT);
                }
            } else if (inputs[currentInput].feedback) {
                if (item == TASK_DONE) {
                    inFlight--;
                } else {
                    master.result(item, this);
                }
            } else {
                master.input(item, this);
            }
        }
        if (endRequested) {
            endEarly();
            return;
        }
        masterEnding = true;
        endOutputs(workers);
        Object item;
        while (!endRequested && (item = next()) != null) {
            if (item != TASK_DONE) {
                master.result(item, this);
            }
        }
        if (endRequested) {
            endEarly();
        }
    }

    /**
     * Ends this node's stream before its inputs ended, because its master called {@link #endStream} or
     * every node it sends to ended early: end of stream goes downstream at once; every input is closed (a
     * producer whose every output is closed ends early itself at its next send, so a master's workers stop
     * after their current task) and drained, its items discarded, until each input ended, so that no node in
     * front stays blocked; a master sends end of stream to its workers before it drains.
     */
    private void endEarly() throws Exception {
        ending = true;
        endOutputsOnce();
        for (Channel input : inputs) {
            input.closed = true;
        }
        if (role == Role.MASTER && !masterEnding) {
            masterEnding = true;
            endOutputs(workers);
        }
        while (next() != null) {
            // discarded: nobody wants what this node would make of it
        }
    }

    /** Sends end of stream on this node's outputs, once. */
    private void endOutputsOnce() {
        if (!endSent) {
            endSent = true;
            endOutputs(outputs);
        }
    }

    /**
     * Called by this node's channels every few items it sends or takes (a ring's publish or release batch,
     * each item on an unbounded channel), and by the node before it waits for input: throws
     * {@link StopSignal} once the run stopped, and {@link DownstreamEnded} once every output's consumer ended
     * the stream early. Checking as it takes too ends a node that no longer sends (a filter whose matches ran
     * out) while its input goes on. Never per item on a ring: the fast path stays free.
     */
    void checkWanted() {
        checkRunning();
        if (!ending && outputs.length > 0) {
            for (Channel output : outputs) {
                if (!output.closed) {
                    return;
                }
            }
            throw downstreamEnded;
        }
    }

    /** Throws {@link StopSignal} once the run has stopped. */
    private void checkRunning() {
        if (run.isStopped()) {
            throw stopSignal;
        }
    }

    // ------------------------------------------------------------------ input side

    /** The next item from any input, waiting for one; {@code null} once every input has ended. */
    private Object next() throws Exception {
        while (true) {
            Object item = pollAny();
            if (item != null) {
                return item;
            }
            if (endedCount == inputs.length) {
                return null;
            }
            checkWanted();
            await(ANY_INPUT);
        }
    }

    /** An item from some input if one is there now, else {@code null}; records inputs that end. */
    private Object pollAny() throws Exception {
        Channel only = onlyInput;
        if (only != null) {
            Object item = only.poll();
            if (item == END) {
                onlyInput = null;
                inputEnded(0);
                return null;
            }
            return item;
        }
        int count = inputs.length;
        for (int k = 0; k < count; k++) {
            int i = cursor;
            if (!ended[i]) {
                Object item = inputs[i].poll();
                if (item == END) {
                    inputEnded(i);
                    k = -1;
                    continue;
                }
                if (item != null) {
                    if (++taken >= INPUT_BATCH) {
                        taken = 0;
                        cursor = i + 1 == count ? 0 : i + 1;
                    }
                    currentInput = i;
                    return item;
                }
            }
            taken = 0;
            cursor = i + 1 == count ? 0 : i + 1;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private void inputEnded(int input) throws Exception {
        ended[input] = true;
        endedCount++;
        if (!inputs[input].feedback) {
            upstreamEnded++;
        }
        if (role == Role.STAGE && !ending) {
            ((Stage<Object, Object>) logic).inputEnded(input, this);
        }
    }

    /**
     * For an ordered farm's collector: the next result in input order. Each worker's channel holds its
     * results in increasing number, so the next number, if present, is at the head of one channel; the
     * others are left alone, which bounds the reorder memory by the channels' capacity.
     */
    private Object nextInOrder() throws Exception {
        if (emptyInputs == null) {
            emptyInputs = new Channel[inputs.length];
        }
        while (true) {
            int empty = 0;
            boolean progress = false;
            for (int i = 0; i < inputs.length; i++) {
                if (ended[i]) {
                    continue;
                }
                Object head = inputs[i].peek();
                if (head == null) {
                    emptyInputs[empty++] = inputs[i];
                } else if (head == END) {
                    inputs[i].poll();
                    inputEnded(i);
                    progress = true;
                } else {
                    Sequenced result = (Sequenced) head;
                    if (result.seq == expected) {
                        inputs[i].poll();
                        if (result.last) {
                            expected++;
                        }
                        if (result.item != NOTHING) {
                            currentInput = i;
                            return result.item;
                        }
                        progress = true;
                    }
                }
            }
            if (endedCount == inputs.length) {
                return null;
            }
            if (!progress) {
                if (empty == 0) {
                    throw new IllegalStateException("ordered farm: result " + expected + " is on no channel");
                }
                for (int i = empty; i < emptyInputs.length; i++) {
                    emptyInputs[i] = null;
                }
                checkWanted();
                await(ANY_EMPTY_INPUT_FILLED);
            }
        }
    }

    // ------------------------------------------------------------------ output side

    @Override
    public void emit(Object item) {
        Objects.requireNonNull(item, "a node cannot emit null");
        Channel only = onlyOutput;
        if (only != null) {
            put(only, item);
            return;
        }
        if (orderedWorker) {
            if (envelope == null) {
                throw new IllegalStateException("an ordered farm's worker may emit only while it processes an item,"
                        + " not in its start or end hook: its results are put in the order of the items");
            }
            if (holding) {
                Sequenced result = new Sequenced(envelope.seq, heldBack);
                put(outputs[0], result);
            }
            heldBack = item;
            holding = true;
            return;
        }
        Object sent = numbersOutputs ? new Sequenced(sequence++, item) : item;
        route(outputs, routing, sent, false);
    }

    @Override
    public void emitTo(int output, Object item) {
        Objects.requireNonNull(item, "a node cannot emit null");
        refuseWhenRoutedByFarm("emitTo");
        Objects.checkIndex(output, outputs.length);
        put(outputs[output], item);
    }

    @Override
    public void broadcast(Object item) {
        Objects.requireNonNull(item, "a node cannot emit null");
        refuseWhenRoutedByFarm("broadcast");
        for (Channel output : outputs) {
            put(output, item);
        }
    }

    @Override
    public int outputs() {
        return outputs.length;
    }

    @Override
    public int input() {
        return currentInput;
    }

    @Override
    public int worker() {
        return worker;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void submit(Object task) {
        Objects.requireNonNull(task, "a master cannot submit null");
        refuseAfterEnd();
        inFlight++;
        submitted++;
        route(workers, workerRouting, task, true);
    }

    @Override
    public void submitTo(int worker, Object task) {
        Objects.requireNonNull(task, "a master cannot submit null");
        refuseAfterEnd();
        Objects.checkIndex(worker, workers.length);
        inFlight++;
        submitted++;
        put(workers[worker], task);
    }

    @Override
    public int workerCount() {
        return workers.length;
    }

    @Override
    public void endStream() {
        if (role != Role.MASTER) {
            throw new IllegalStateException("only a master ends its stream this way");
        }
        endRequested = true;
    }

    private void refuseAfterEnd() {
        if (masterEnding || endRequested) {
            throw new IllegalStateException("the master-worker stream has ended: no more tasks can be submitted");
        }
    }

    private void refuseWhenRoutedByFarm(String what) {
        if (numbersOutputs || orderedWorker) {
            throw new IllegalStateException(what + " is not available in front of or inside an ordered farm:"
                    + " the farm routes and numbers items itself; use emit");
        }
    }

    private void route(Channel[] targets, Routing policy, Object item, boolean toWorkers) {
        int count = targets.length;
        if (count == 0) {
            throw new IllegalStateException(name + " has no outputs to emit to");
        }
        switch (policy.kind) {
            case ROUND_ROBIN -> {
                int i = toWorkers ? nextWorker : nextOutput;
                put(targets[i], item);
                i = i + 1 == count ? 0 : i + 1;
                if (toWorkers) {
                    nextWorker = i;
                } else {
                    nextOutput = i;
                }
            }
            case ON_DEMAND -> putOnDemand(targets, item, toWorkers);
            case BY_KEY -> put(targets[policy.keyed(item, count)], item);
            case CUSTOM -> put(targets[policy.custom(item, count)], item);
            case BROADCAST -> {
                for (Channel target : targets) {
                    put(target, item);
                }
            }
            default -> throw new AssertionError(policy.kind);
        }
    }

    private void putOnDemand(Channel[] targets, Object item, boolean toWorkers) {
        int count = targets.length;
        int start = toWorkers ? nextWorker : nextOutput;
        while (true) {
            for (int k = 0; k < count; k++) {
                int i = start + k;
                if (i >= count) {
                    i -= count;
                }
                if (targets[i].offer(item)) {
                    int next = i + 1 == count ? 0 : i + 1;
                    if (toWorkers) {
                        nextWorker = next;
                    } else {
                        nextOutput = next;
                    }
                    return;
                }
            }
            roomSet = targets;
            await(ROOM_IN_ANY);
        }
    }

    /** Sends {@code item} on {@code channel}, waiting while it is full. */
    private void put(Channel channel, Object item) {
        while (!channel.offer(item)) {
            checkWanted();
            waitChannel = channel;
            await(ROOM);
        }
    }

    /** After an ordered farm's worker processed an envelope: the last result goes out marked last. */
    private void finishEnvelope() {
        Sequenced done = envelope;
        done.item = holding ? heldBack : NOTHING;
        done.last = true;
        heldBack = null;
        holding = false;
        envelope = null;
        put(outputs[0], done);
    }

    private void endOutputs(Channel[] channels) {
        ending = true;
        for (Channel channel : channels) {
            put(channel, END);
            channel.flushWake();
        }
    }

    // ------------------------------------------------------------------ waiting

    @FunctionalInterface
    private interface Condition {
        boolean holds(Node node);
    }

    private static final Condition ANY_INPUT = node -> {
        for (int i = 0; i < node.inputs.length; i++) {
            if (!node.ended[i] && node.inputs[i].hasItem()) {
                return true;
            }
        }
        return false;
    };
    private static final Condition ANY_EMPTY_INPUT_FILLED = node -> {
        for (Channel channel : node.emptyInputs) {
            if (channel == null) {
                return false;
            }
            if (channel.hasItem()) {
                return true;
            }
        }
        return false;
    };
    private static final Condition ROOM = node -> node.waitChannel.hasRoom();
    private static final Condition ROOM_IN_ANY = node -> {
        for (Channel channel : node.roomSet) {
            if (channel.hasRoom()) {
                return true;
            }
        }
        return false;
    };

    /**
     * Waits until {@code condition} holds, or throws {@link StopSignal} once the run stops. First hands
     * the room freed on every input back to its producer and wakes every consumer whose wake-up an output
     * deferred: either may be waiting for it, and may be the very node this one waits for.
     */
    private void await(Condition condition) {
        waiting = true;
        try {
            awaitWhileWaiting(condition);
        } finally {
            waiting = false;
        }
    }

    private void awaitWhileWaiting(Condition condition) {
        for (Channel input : inputs) {
            input.releaseConsumed();
        }
        for (Channel output : outputs) {
            output.flushWake();
        }
        for (Channel output : workers) {
            output.flushWake();
        }
        for (int i = 0; i < run.spins; i++) {
            if (condition.holds(this)) {
                return;
            }
            Thread.onSpinWait();
        }
        if (run.busySpin) {
            for (int spin = 1; !condition.holds(this); spin++) {
                checkRunning();
                Thread.onSpinWait();
                if ((spin & (BUSY_SPINS_PER_TAKE - 1)) == 0) {
                    takeUnpublished();
                }
            }
            return;
        }
        for (int i = 0; i < run.yields; i++) {
            checkRunning();
            Thread.yield();
            if (condition.holds(this)) {
                return;
            }
        }
        boolean forRoom = condition == ROOM || condition == ROOM_IN_ANY;
        while (true) {
            woken = false;
            boolean neighbourRuns = aNeighbourRuns();
            wakeAtOnce = !neighbourRuns;
            parked = true;
            VarHandle.fullFence();
            if (condition.holds(this)) {
                parked = false;
                return;
            }
            checkRunning();
            boolean shortPark = neighbourRuns && !forRoom;
            long limit = shortPark ? DEFERRED_WAKE_LIMIT_NANOS : PARK_LIMIT_NANOS;
            long start = System.nanoTime();
            LockSupport.parkNanos(this, limit);
            parked = false;
            checkRunning();
            if (shortPark) {
                takeUnpublished();
            }
            if (!woken && !neighbourRuns && System.nanoTime() - start >= limit && condition.holds(this)) {
                LATE_WAKE_UPS.increment();
            }
        }
    }

    /** Takes the items that producers stored but have not published yet (see {@link Channel#takeUnpublished}). */
    private void takeUnpublished() {
        for (Channel input : inputs) {
            input.takeUnpublished();
        }
    }

    /** Whether a node on the other side of a channel is not waiting, so may owe this node a wake-up. */
    private boolean aNeighbourRuns() {
        for (Channel input : inputs) {
            if (!input.producer.waiting) {
                return true;
            }
        }
        for (Channel output : outputs) {
            if (!output.consumer.waiting) {
                return true;
            }
        }
        for (Channel output : workers) {
            if (!output.consumer.waiting) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return name;
    }
}
