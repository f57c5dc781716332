package io.paraflow.testing;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;
import io.paraflow.event.TaskListener;

import java.util.concurrent.atomic.AtomicReference;

/** A listener that keeps the description of the flow it last heard start, and ignores task events. */
public final class StartedFlow implements TaskListener {
    private final AtomicReference<FlowInfo> info = new AtomicReference<>();

    /** The flow it last heard start, or null before any. */
    public FlowInfo info() {
        return info.get();
    }

    @Override
    public void flowStarted(FlowInfo flow) {
        info.set(flow);
    }

    @Override
    public void onStep(TaskInfo task, TaskEvent.Kind step, int attempt, String worker, long epochNanos,
                       Throwable error) {
    }
}
