package io.paraflow.monitor.jfr;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One try of a Paraflow task, as a Flight Recorder event: it begins when the try starts and is committed
 * when it ends, on the worker thread that ran it, so JDK Mission Control shows it on that thread beside
 * GC, locks and I/O. Enabled by default whenever a recording runs ({@code -XX:StartFlightRecording}).
 */
@Name(TaskTryEvent.NAME)
@Label("Task Try")
@Category("Paraflow")
@Description("One try of a Paraflow task, from its start to its end")
@StackTrace(false)
final class TaskTryEvent extends Event {
    static final String NAME = "io.paraflow.TaskTry";

    @Label("Flow")
    long flowId;

    @Label("Task Id")
    long taskId;

    @Label("Task")
    String taskName;

    @Label("Attempt")
    int attempt;

    @Label("Executor")
    String executor;

    @Label("Worker")
    String worker;

    @Label("Outcome")
    @Description("finished, failed, retried or cancelled")
    String outcome;
}
