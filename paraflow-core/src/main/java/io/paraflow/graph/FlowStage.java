package io.paraflow.graph;

import io.paraflow.exec.ThreadExecutor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * A stage chained on a task ({@code task.thenApply(...)} and so on): a plain future whose {@code *Async}
 * variants default to the flow's threads, so no callback lands on the JDK's common pool (which on a
 * 2-CPU machine starts a thread per callback).
 */
final class FlowStage<T> extends CompletableFuture<T> {
    private final Executor executor;

    FlowStage(Executor executor) {
        this.executor = executor;
    }

    @Override
    public Executor defaultExecutor() {
        return executor;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new FlowStage<>(executor);
    }

    /** Waits as a task does: on a flow's worker, running that worker's own queued tasks meanwhile. */
    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            ThreadExecutor.awaitHelping(this::isDone, true);
        }
        return super.get();
    }

    /** Waits as a task does: on a flow's worker, running that worker's own queued tasks meanwhile. */
    @Override
    public T join() {
        if (!isDone()) {
            ThreadExecutor.awaitHelpingUninterruptibly(this::isDone);
        }
        return super.join();
    }
}
