package io.paraflow.testing;

import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.exec.WorkerLoad;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An executor whose workers run elsewhere, for tests of {@link TaskExecutor#workerLoads}: it reports what
 * {@code loads} gives and counts how often it was asked. It runs no task (it fails those it is given).
 */
public final class ReportingExecutor implements TaskExecutor {
    private final String label;
    private final Supplier<List<WorkerLoad>> loads;
    private final AtomicInteger asked = new AtomicInteger();

    public ReportingExecutor(String label, Supplier<List<WorkerLoad>> loads) {
        this.label = label;
        this.loads = loads;
    }

    /** How many times {@link #workerLoads} was called. */
    public int asked() {
        return asked.get();
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Resources capacity() {
        return new Resources(1, 0, 0);
    }

    @Override
    public void execute(ReadyTask task) {
        task.failed(task.attempt(), new UnsupportedOperationException("executor '" + label + "' runs nothing"),
                "nowhere");
    }

    @Override
    public List<WorkerLoad> workerLoads() {
        asked.incrementAndGet();
        return loads.get();
    }

    @Override
    public void interruptAll() {
    }

    @Override
    public void close() {
    }
}
