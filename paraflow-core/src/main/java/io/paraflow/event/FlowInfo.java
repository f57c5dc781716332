package io.paraflow.event;

import io.paraflow.exec.Resources;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An immutable description of a flow, given to listeners when the flow starts and when it closes, so that
 * an observer can record the run's configuration and know when no more events will come.
 *
 * @param flowId          the flow's id, unique in this JVM; task events carry it
 * @param epochNanos      when the flow was built, in nanoseconds since the epoch, on the clock of its events
 * @param executors       each executor's label and the resources it offers, in the order they were added
 * @param defaultExecutor the label of the executor of tasks that choose none
 * @param maxUnfinished   the bound on unfinished tasks before {@code submit} blocks
 * @param cancelOnClose   whether closing the flow cancels unfinished tasks
 */
public record FlowInfo(long flowId, long epochNanos, Map<String, Resources> executors, String defaultExecutor,
                       int maxUnfinished, boolean cancelOnClose) {

    /** Copies {@code executors}, keeping its order. */
    public FlowInfo {
        executors = Collections.unmodifiableMap(new LinkedHashMap<>(executors));
    }
}
