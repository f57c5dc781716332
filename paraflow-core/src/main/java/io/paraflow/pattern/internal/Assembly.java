package io.paraflow.pattern.internal;

import io.paraflow.pattern.Master;
import io.paraflow.pattern.Source;
import io.paraflow.pattern.Stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns the blocks of a pattern into nodes and channels for one run. Each block becomes a
 * {@link Fragment}: its nodes, the nodes that receive its input (entries, with the routing that the
 * producers in front must use and whether they must number items for an ordered farm) and the nodes that
 * produce its output (exits). Connecting two fragments joins every exit of the first to every entry of
 * the second with its own channel, which is how a farm without a collector in front of an all-to-all
 * or a farm becomes a full bipartite graph. Compositions that cannot work are refused here, with the
 * reason. Used by one thread.
 */
public final class Assembly {

    /** A block assembled for one run. Opaque outside this package. */
    public static final class Fragment {
        final String where;
        final List<Node> nodes;
        final List<Node> entries;
        final Routing routing;
        final boolean ordered;
        final List<Node> exits;

        private Fragment(String where, List<Node> nodes, List<Node> entries, Routing routing, boolean ordered,
                List<Node> exits) {
            this.where = where;
            this.nodes = nodes;
            this.entries = entries;
            this.routing = routing;
            this.ordered = ordered;
            this.exits = exits;
        }
    }

    /** Channel capacity for unbounded channels. */
    public static final int UNBOUNDED = -1;
    /** The largest bounded capacity. */
    public static final int MAX_CAPACITY = 1 << 30;

    /** What stands for a user's stage, source or master in a {@link #checking} assembly, which never runs. */
    private static final Stage<Object, Object> STAND_IN = (item, out) -> {
        throw new AssertionError("a checking assembly never runs");
    };

    private final Run run;
    private final int capacity;
    /** Only checks the composition: makes no user stages or masters from their factories, and never runs. */
    private final boolean checking;

    /** {@code capacity}: of every bounded channel, or {@link #UNBOUNDED}. */
    public Assembly(Run run, int capacity) {
        this(run, capacity, false);
    }

    private Assembly(Run run, int capacity, boolean checking) {
        this.run = run;
        this.capacity = capacity;
        this.checking = checking;
    }

    /**
     * An assembly that only checks a composition when a pattern is built: it wires nodes and channels as
     * a run would (and refuses what cannot work), but calls no stage, source or master factory, and its
     * nodes never get threads. Block factories are called: they describe the blocks.
     */
    public static Assembly checking(String patternName) {
        return new Assembly(new Run(patternName, false), 1, true);
    }

    public Fragment source(String name, Source<?> source) {
        return single(new Node(run, name, Node.Role.SOURCE, Objects.requireNonNull(source, "source")));
    }

    public Fragment stage(String name, Stage<?, ?> stage) {
        return single(new Node(run, name, Node.Role.STAGE, Objects.requireNonNull(stage, "stage")));
    }

    /** A stage made by {@code factory} for this run (not called by a {@link #checking} assembly). */
    public Fragment stageMadeBy(String name, Supplier<? extends Stage<?, ?>> factory) {
        return stage(name, checking ? STAND_IN : Objects.requireNonNull(factory.get(), "the stage factory returned null"));
    }

    /**
     * A stage made by {@code factory} for this run, with {@code atExit} run on the node's thread as it ends,
     * however it ends (the stage's own resources); neither is called by a {@link #checking} assembly.
     */
    public <S extends Stage<?, ?>> Fragment stageMadeBy(String name, Supplier<S> factory, Consumer<? super S> atExit) {
        if (checking) {
            return stage(name, STAND_IN);
        }
        S stage = Objects.requireNonNull(factory.get(), "the stage factory returned null");
        Fragment fragment = stage(name, stage);
        fragment.nodes.get(0).atExit = () -> atExit.accept(stage);
        return fragment;
    }

    private Fragment single(Node node) {
        run.register(node);
        node.worker = -1;
        List<Node> one = List.of(node);
        return new Fragment(node.name, one, one, Routing.ROUND_ROBIN, false, one);
    }

    /** Connects {@code stages} one after the other. */
    public Fragment pipeline(String where, List<Fragment> stages) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            if (i > 0) {
                connect(stages.get(i - 1), stages.get(i));
            }
            nodes.addAll(stages.get(i).nodes);
        }
        Fragment first = stages.get(0);
        return new Fragment(where, nodes, first.entries, first.routing, first.ordered, stages.get(stages.size() - 1).exits);
    }

    /**
     * A farm: items reach one worker each by {@code routing}; results leave through the collector, or,
     * without one, from every worker. An ordered farm gets an identity collector if it has none. A worker
     * that routes items itself (a farm or an all-to-all, maybe at the head of a pipeline) keeps its own
     * routing: see {@link #members}.
     */
    public Fragment farm(String where, List<Fragment> workers, Routing routing, boolean ordered, Fragment collector) {
        List<Node> nodes = new ArrayList<>();
        List<Node> exits = new ArrayList<>();
        List<Fragment> members = ordered ? workers : members(workers, routing);
        for (int i = 0; i < members.size(); i++) {
            Fragment worker = members.get(i);
            if (ordered) {
                requireSingleStage(worker, "an ordered farm", "its collector puts results back in order by input,"
                        + " which only a single stage per worker keeps track of; make the worker one stage,"
                        + " or order a farm inside it");
                worker.nodes.get(0).orderedWorker = true;
            }
            setWorker(worker, i);
            nodes.addAll(worker.nodes);
            exits.addAll(worker.exits);
        }
        List<Node> entries = interleavedEntries(members);
        Fragment set = new Fragment(where, nodes, entries, routing, ordered, exits);
        Fragment end = collector;
        if (end == null && ordered) {
            end = stage("ordered collector of " + where, (Stage<Object, Object>) (item, out) -> out.emit(item));
        }
        if (end == null) {
            return set;
        }
        if (ordered) {
            end.nodes.get(0).reordersInputs = true;
        }
        connect(set, end);
        nodes.addAll(end.nodes);
        return new Fragment(where, nodes, entries, routing, ordered, end.exits);
    }

    /**
     * The members of a set that the producers in front reach by {@code routing}, each keeping its own
     * routing. A member with several entries (a farm or all-to-all) is flattened into the set, its entries
     * reached directly by the producers in front, only where that changes nothing: when the set and every
     * member route round-robin and the members have as many entries each, the entries taken in turn across
     * the members ({@link #interleavedEntries}) give each member, and each of its entries, the same turns.
     * Otherwise such a member, and any ordered farm (whose items must be numbered by one node), gets an
     * emitter node in front that receives the items the set's routing gives the member and routes them by
     * the member's own routing, so that a router or a key chooses among the set's members, not among their
     * inner nodes.
     */
    private List<Fragment> members(List<Fragment> workers, Routing routing) {
        int entries = workers.get(0).entries.size();
        boolean flat = routing.kind == Routing.Kind.ROUND_ROBIN;
        for (Fragment worker : workers) {
            flat &= !worker.ordered && worker.routing.kind == Routing.Kind.ROUND_ROBIN && worker.entries.size() == entries;
        }
        if (flat) {
            return workers;
        }
        List<Fragment> members = new ArrayList<>(workers.size());
        for (Fragment worker : workers) {
            members.add(worker.ordered || worker.entries.size() > 1 ? withEmitter(worker) : worker);
        }
        return members;
    }

    private Fragment withEmitter(Fragment member) {
        Fragment emitter = stage("emitter of " + member.where, (Stage<Object, Object>) (item, out) -> out.emit(item));
        connect(emitter, member);
        List<Node> nodes = new ArrayList<>(emitter.nodes);
        nodes.addAll(member.nodes);
        return new Fragment(member.where, nodes, emitter.entries, Routing.ROUND_ROBIN, false, member.exits);
    }

    /** The members' entries, the first entry of each member in turn, then the second of each... */
    private static List<Node> interleavedEntries(List<Fragment> members) {
        List<Node> entries = new ArrayList<>();
        int most = 0;
        for (Fragment member : members) {
            most = Math.max(most, member.entries.size());
        }
        for (int k = 0; k < most; k++) {
            for (Fragment member : members) {
                if (k < member.entries.size()) {
                    entries.add(member.entries.get(k));
                }
            }
        }
        return entries;
    }

    /** Every node of {@code left} connected to every node of {@code right}; items cross by {@code routing}. */
    public Fragment allToAll(String where, List<Fragment> left, Routing leftRouting, List<Fragment> right,
            Routing rightRouting) {
        Fragment leftSet = farm("left set of " + where, left, leftRouting, false, null);
        Fragment rightSet = farm("right set of " + where, right, rightRouting, false, null);
        connect(leftSet, rightSet);
        List<Node> nodes = new ArrayList<>(leftSet.nodes);
        nodes.addAll(rightSet.nodes);
        return new Fragment(where, nodes, leftSet.entries, leftRouting, false, rightSet.exits);
    }

    /**
     * A master that sends tasks to {@code workers} by {@code routing} and receives their results back on
     * unbounded channels; it is both the entry and the exit of the block.
     */
    public Fragment masterWorker(String where, String masterName, Supplier<? extends Master<?, ?, ?, ?>> master,
            List<Fragment> workers, Routing routing) {
        Object logic = checking ? STAND_IN : Objects.requireNonNull(master.get(), "the master factory returned null");
        Node masterNode = run.register(new Node(run, masterName, Node.Role.MASTER, logic));
        masterNode.worker = -1;
        masterNode.workerRouting = routing;
        List<Node> nodes = new ArrayList<>();
        nodes.add(masterNode);
        for (int i = 0; i < workers.size(); i++) {
            Fragment worker = workers.get(i);
            requireChainOfStages(worker);
            Node entry = worker.entries.get(0);
            entry.feedbackWorker = true;
            for (Node node : worker.nodes) {
                node.forwardsTaskDone = node != entry;
            }
            setWorker(worker, i);
            Channel toWorker = channel(masterNode, entry, queueCapacity(routing));
            masterNode.workerList.add(toWorker);
            entry.inputList.add(toWorker);
            Node exit = worker.exits.get(0);
            Channel back = new UnboundedChannel(exit, masterNode, true);
            exit.outputList.add(back);
            masterNode.inputList.add(back);
            nodes.addAll(worker.nodes);
        }
        List<Node> one = List.of(masterNode);
        return new Fragment(where, nodes, one, Routing.ROUND_ROBIN, false, one);
    }

    /** Connects every exit of {@code from} to every entry of {@code to}. */
    public void connect(Fragment from, Fragment to) {
        if (to.ordered && from.exits.size() != 1) {
            throw new IllegalArgumentException(to.where + " is an ordered farm, so exactly one node must feed it"
                    + " (it numbers the items), but " + from.where + " ends in " + from.exits.size()
                    + " nodes; give " + from.where + " a collector");
        }
        int size = queueCapacity(to.routing);
        for (Node producer : from.exits) {
            producer.routing = to.routing;
            producer.numbersOutputs = to.ordered;
            for (Node consumer : to.entries) {
                Channel channel = channel(producer, consumer, size);
                producer.outputList.add(channel);
                consumer.inputList.add(channel);
            }
        }
    }

    private int queueCapacity(Routing routing) {
        return routing.kind == Routing.Kind.ON_DEMAND ? routing.queueCapacity : capacity;
    }

    private static Channel channel(Node producer, Node consumer, int size) {
        return size == UNBOUNDED ? new UnboundedChannel(producer, consumer, false) : new SpscRing(producer, consumer, size);
    }

    /**
     * A master-worker farm's worker must be a stage or a pipeline of stages: the master counts the tasks in
     * flight by an end-of-task notice that the worker's first stage sends after each task and the others
     * pass on behind the task's results, which only keeps its place in a chain.
     */
    private static void requireChainOfStages(Fragment worker) {
        boolean chain = worker.entries.size() == 1 && worker.exits.size() == 1;
        for (Node node : worker.nodes) {
            chain &= node.role == Node.Role.STAGE && node.inputList.size() <= 1 && node.outputList.size() <= 1;
        }
        if (!chain) {
            throw new IllegalArgumentException(worker.where + " is not a stage or a pipeline of stages, but a"
                    + " master-worker farm needs each worker to be one: the master counts the tasks in flight by an"
                    + " end-of-task notice that follows each task's results, which keeps its place only along a chain");
        }
    }

    private static void requireSingleStage(Fragment worker, String block, String why) {
        if (worker.nodes.size() != 1 || worker.nodes.get(0).role != Node.Role.STAGE) {
            throw new IllegalArgumentException(worker.where + " is made of " + worker.nodes.size() + " nodes, but "
                    + block + " needs each worker to be a single stage: " + why);
        }
    }

    /** Gives each node of {@code worker} that is not already a worker of an inner set the index {@code index}. */
    private static void setWorker(Fragment worker, int index) {
        for (Node node : worker.nodes) {
            if (node.worker < 0) {
                node.worker = index;
            }
        }
    }
}
