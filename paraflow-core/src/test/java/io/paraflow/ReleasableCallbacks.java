package io.paraflow;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinTask;

/**
 * Forwards {@code *Async} stage callbacks to a flow's own callback executor (as the default one does)
 * and remembers the pool entries it queued. A worker that runs such an entry while it waits for a task
 * may then wait for that entry to be marked done, which the JDK's stage entries never are; {@link
 * #releaseStuckWorkers()} marks them done, so that a test that runs into this fails without leaving the
 * flow's threads stuck for the tests after it.
 */
final class ReleasableCallbacks implements Executor {
    private final Executor target;
    private final Queue<ForkJoinTask<?>> entries = new ConcurrentLinkedQueue<>();

    /** Forwards to the callback executor of {@code flow} (where stages of its tasks run by default). */
    ReleasableCallbacks(Flow flow) {
        this.target = flow.value(0).toCompletableFuture().defaultExecutor();
    }

    @Override
    public void execute(Runnable command) {
        if (command instanceof ForkJoinTask<?> entry) {
            entries.add(entry);
        }
        target.execute(command);
    }

    /** Marks every entry queued through this executor as done (harmless for entries that ended normally). */
    void releaseStuckWorkers() {
        for (ForkJoinTask<?> entry : entries) {
            entry.quietlyComplete();
        }
    }
}
