package io.paraflow.event;

import io.paraflow.exec.Resources;
import io.paraflow.exec.WorkerLoad;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A description of a flow, given to listeners when the flow starts and when it closes, so that an observer
 * can record the run's configuration and know when no more events will come. Immutable but for
 * {@link #workerLoads}, a live query of the flow's executors (which also takes part in {@code equals} and
 * {@code toString}, as the function it is).
 *
 * @param flowId          the flow's id, unique in this JVM; task events carry it
 * @param epochNanos      when the flow was built, in nanoseconds since the epoch, on the clock of its events
 * @param executors       each executor's label and the resources it offers, in the order they were added
 * @param defaultExecutor the label of the executor of tasks that choose none
 * @param maxUnfinished   the bound on unfinished tasks before {@code submit} blocks
 * @param cancelOnClose   whether closing the flow cancels unfinished tasks
 * @param workerLoads     asked, the latest resource figures of the flow's workers that run outside this JVM (every
 *                        executor's {@link io.paraflow.exec.TaskExecutor#workerLoads}): for a monitor that samples
 *                        workers. Call it from the listener's own thread, not from {@link TaskListener#onStep}; it
 *                        does not block and never throws.
 * @param commandRunDirectories the executors that run command tasks ({@link io.paraflow.command.CommandExecutor}),
 *                        by label, each with the absolute run directory where its commands' output files go
 *                        (which may not exist yet): a monitor finds an attempt's files there with
 *                        {@link io.paraflow.command.CommandExecutor#outputFile}. Executors that run no commands
 *                        are not in it.
 */
public record FlowInfo(long flowId, long epochNanos, Map<String, Resources> executors, String defaultExecutor,
                       int maxUnfinished, boolean cancelOnClose, Supplier<List<WorkerLoad>> workerLoads,
                       Map<String, Path> commandRunDirectories) {

    /** Copies {@code executors} and {@code commandRunDirectories}, keeping their order. */
    public FlowInfo {
        executors = Collections.unmodifiableMap(new LinkedHashMap<>(executors));
        Objects.requireNonNull(workerLoads, "workerLoads");
        commandRunDirectories = Collections.unmodifiableMap(new LinkedHashMap<>(
                Objects.requireNonNull(commandRunDirectories, "commandRunDirectories")));
    }

    /** A flow without workers outside this JVM nor command executors: {@link #workerLoads} has none. */
    public FlowInfo(long flowId, long epochNanos, Map<String, Resources> executors, String defaultExecutor,
                    int maxUnfinished, boolean cancelOnClose) {
        this(flowId, epochNanos, executors, defaultExecutor, maxUnfinished, cancelOnClose, List::of, Map.of());
    }
}
