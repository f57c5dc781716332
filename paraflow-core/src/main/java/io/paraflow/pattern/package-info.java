/**
 * Structured streaming patterns (FastFlow's building blocks): {@link io.paraflow.pattern.Pipeline},
 * {@link io.paraflow.pattern.Farm} (round-robin, on-demand, custom routing, ordered),
 * {@link io.paraflow.pattern.AllToAll} (round-robin, by key, broadcast, on-demand, explicit),
 * {@link io.paraflow.pattern.MasterWorker} (farm with feedback, whose master may end the stream early, and
 * pipeline wrap-around: {@link io.paraflow.pattern.MasterWorker#wrapAround}) and
 * {@link io.paraflow.pattern.ParallelFor} (parallel-for and parallel-reduce, and a map stage), composable: any {@link io.paraflow.pattern.Block} can be a pipeline
 * stage, a farm worker or a member of an all-to-all set. A {@link io.paraflow.pattern.Pattern} starts at
 * a {@link io.paraflow.pattern.Source} and ends in a sink; user code is written as
 * {@link io.paraflow.pattern.Stage}s that receive items one at a time and send through an
 * {@link io.paraflow.pattern.Output}.
 *
 * <h2>Threads and channels</h2>
 * Every node runs on its own platform thread, started by {@code run()} or {@code start()} and ended
 * before {@code run()} returns or throws; a node's code therefore needs no synchronization of its own
 * state. Nodes are connected by bounded single-producer, single-consumer rings (a node with several
 * inputs has one ring per producer, so no channel ever needs a lock or a compare-and-set); the producer in
 * front of a farm routes items itself, so a farm has no emitter thread. A node that finds nothing to do
 * spins briefly (hardly at all when there are more nodes than cores), yields, then parks; a channel that
 * publishes items or frees room wakes the node waiting on the other side. A parked node is woken in
 * batches (once a quarter of its channel has filled or freed, or when the node on the other side waits or
 * ends), so that it is not woken once per item; a node that emits and then stays in its own code delays
 * the delivery of what it emitted by at most a millisecond, also when it has not yet published a batch of
 * items (see {@code internal.Node} for the protocol).
 *
 * <h2>End of stream and errors</h2>
 * A source ends the stream by returning; each node ends after every one of its inputs ended, then its
 * {@code end} hook runs and the end passes on. The first exception in any node stops the whole pattern:
 * every node's thread is interrupted and ends, and the caller gets a
 * {@link io.paraflow.pattern.PatternException} naming the node by position (e.g.
 * {@code farm worker 1 of stage 3}) or by the name given with {@link io.paraflow.pattern.Block#named}.
 * Compositions that cannot work (an ordered farm fed by several nodes, an ordered farm whose workers
 * are pipelines, a master-worker whose worker contains a farm) are refused with the reason when the
 * pattern is built (at {@code collect}, {@code forEach} or {@code to}), and again at each start. Only
 * {@code emitTo}/{@code broadcast} in front of an ordered farm is refused at its first call, since the
 * runtime cannot see it earlier. Nested blocks keep their own routing (see {@link io.paraflow.pattern.Farm}).
 *
 * <h2>Flows</h2>
 * {@link io.paraflow.pattern.Pattern#submitTo} runs a pattern as a task of a {@link io.paraflow.Flow},
 * whose events then show it; the task's thread waits parked while the pattern's own threads work. A
 * node may submit tasks to a flow and wait for them: it is an ordinary thread to the flow.
 */
package io.paraflow.pattern;
