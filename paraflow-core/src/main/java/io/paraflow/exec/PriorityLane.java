package io.paraflow.exec;

import java.util.Comparator;
import java.util.concurrent.PriorityBlockingQueue;

/** Ready tasks ordered by priority (highest first), then by id (oldest first). */
final class PriorityLane {
    static final Comparator<ReadyTask> ORDER =
            Comparator.comparingInt(ReadyTask::priority).reversed().thenComparingLong(ReadyTask::id);

    private final PriorityBlockingQueue<ReadyTask> queue = new PriorityBlockingQueue<>(64, ORDER);

    void offer(ReadyTask task) {
        queue.add(task);
    }

    ReadyTask poll() {
        return queue.poll();
    }
}
