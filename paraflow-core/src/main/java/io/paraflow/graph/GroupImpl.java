package io.paraflow.graph;

import io.paraflow.TaskBuilder;
import io.paraflow.TaskCancelledException;
import io.paraflow.TaskGroup;
import io.paraflow.TaskGroupException;
import io.paraflow.exec.ThreadExecutor;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A {@link TaskGroup}: counts its unfinished tasks and keeps references to them only, for cancellation. */
final class GroupImpl implements TaskGroup {
    private final FlowRuntime flow;
    private final String name;
    private final boolean cancelOnFailure;
    private final Set<TaskNode<?>> unfinishedTasks = ConcurrentHashMap.newKeySet();
    private final AtomicInteger unfinished = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    /** Why the group was cancelled, once it was: tasks that join it later are cancelled at once. */
    private volatile String cancelledBecause;

    GroupImpl(FlowRuntime flow, String name, boolean cancelOnFailure) {
        this.flow = flow;
        this.name = Objects.requireNonNull(name, "name");
        this.cancelOnFailure = cancelOnFailure;
    }

    FlowRuntime flow() {
        return flow;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TaskBuilder task(String taskName) {
        return flow.task(taskName).group(this);
    }

    /** Called before the task is wired, so that its end always comes after. */
    void joined(TaskNode<?> task) {
        unfinished.incrementAndGet();
        unfinishedTasks.add(task);
        String reason = cancelledBecause;
        if (reason != null) {
            task.cancel(true, reason);
        }
    }

    void ended(TaskNode<?> task, Throwable failure) {
        unfinishedTasks.remove(task);
        if (failure != null && !(failure instanceof TaskCancelledException)) {
            failed.incrementAndGet();
            if (firstFailure.compareAndSet(null, failure) && cancelOnFailure) {
                cancelAll("task '" + task.name() + "' (#" + task.id() + ") of group '" + name + "' failed");
            }
        }
        if (unfinished.decrementAndGet() == 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    @Override
    public void await() throws InterruptedException {
        ThreadExecutor.awaitHelping(() -> unfinished.get() == 0, true);
        synchronized (this) {
            while (unfinished.get() > 0) {
                wait();
            }
        }
        Throwable first = firstFailure.get();
        if (first != null) {
            throw new TaskGroupException(name, failed.get(), first);
        }
    }

    @Override
    public void cancel() {
        cancelAll("group '" + name + "' was cancelled");
    }

    /**
     * Cancels the tasks that have not started first, then the running ones: interrupting a running task
     * frees its worker, which must not find another task of the group still waiting to start.
     */
    private void cancelAll(String reason) {
        cancelledBecause = reason;
        for (TaskNode<?> task : unfinishedTasks) {
            task.cancelIfNotStarted(reason);
        }
        for (TaskNode<?> task : unfinishedTasks) {
            task.cancel(true, reason);
        }
    }

    @Override
    public int unfinished() {
        return unfinished.get();
    }

    @Override
    public int failed() {
        return failed.get();
    }

    @Override
    public String toString() {
        return "TaskGroup['" + name + "', unfinished=" + unfinished.get() + ", failed=" + failed.get() + "]";
    }
}
