/**
 * Internal: the task graph runtime behind {@link io.paraflow.Flow}. Not API; classes here are public
 * only where another package of the core must reach them.
 *
 * <p>How a task flows: {@code submit} validates the options once per option set (executor, resources),
 * counts the task against the flow's bound ({@code Admission}), creates a {@link io.paraflow.graph.TaskNode}
 * and wires it to its argument tasks. When the last argument ends, the node becomes ready and is handed
 * to its executor; an executor runs it in-process ({@code ReadyTask.run}) or elsewhere and reports back.
 * The end of a task completes its future, notifies its successors (a successor made ready on a worker
 * thread is offered to the same worker first, for locality), updates its group and publishes an event.
 * The runtime keeps no registry of tasks: a task is reachable only from user code, from the tasks that
 * wait for it, and from queues, so finished tasks nobody references are garbage.
 *
 * <p>Hot path rules: no lock on the path of a task without contention (locks appear only for waiting
 * threads, groups and multi-core admission), events are built only when a listener exists, and every
 * change here is measured with the benchmarks in {@code paraflow-bench}.
 */
package io.paraflow.graph;
