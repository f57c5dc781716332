package io.paraflow.graph;

import io.paraflow.ResourceRequestException;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.fault.RetryPolicy;

import java.time.Duration;

/**
 * The options of a submission, immutable and shared by every task submitted with them. The executor is
 * resolved and the request checked against its capacity once, on first use.
 */
final class TaskOptions {

    final String name;
    final Resources resources;
    final int priority;
    final String executorLabel;
    final RetryPolicy retryPolicy;
    final boolean retriesShorthand;
    final Duration timeout;
    final boolean hasFallback;
    final Object fallback;
    final GroupImpl group;
    /** Null unless the task's results are memoized. */
    final CacheRequest cache;
    private TaskExecutor resolved;

    TaskOptions(String name, Resources resources, int priority, String executorLabel, RetryPolicy retryPolicy,
                boolean retriesShorthand, Duration timeout, boolean hasFallback, Object fallback, GroupImpl group,
                CacheRequest cache) {
        this.name = name;
        this.resources = resources;
        this.priority = priority;
        this.executorLabel = executorLabel;
        this.retryPolicy = retryPolicy;
        this.retriesShorthand = retriesShorthand;
        this.timeout = timeout;
        this.hasFallback = hasFallback;
        this.fallback = fallback;
        this.group = group;
        this.cache = cache;
    }

    /** Fresh default options; each flow has its own, since the resolved executor is cached here. */
    static TaskOptions defaults() {
        return new TaskOptions(null, Resources.DEFAULT_TASK, 0, null, null, false, null, false, null, null, null);
    }

    TaskOptions withName(String name) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    TaskOptions withResources(Resources resources) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    TaskOptions withPriority(int priority) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    TaskOptions withExecutor(String executorLabel) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    TaskOptions withRetryPolicy(RetryPolicy retryPolicy, boolean retriesShorthand) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    TaskOptions withTimeout(Duration timeout) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    TaskOptions withFallback(Object fallback) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                true, fallback, group, cache);
    }

    TaskOptions withCache(CacheRequest cache) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    TaskOptions withGroup(GroupImpl group) {
        return new TaskOptions(name, resources, priority, executorLabel, retryPolicy, retriesShorthand, timeout,
                hasFallback, fallback, group, cache);
    }

    /**
     * The executor of these options in {@code flow}; checks once that it exists and that the request fits
     * its capacity. A benign race: two threads may resolve at once and get the same answer.
     */
    TaskExecutor executor(FlowRuntime flow, Object function) {
        TaskExecutor executor = resolved;
        if (executor == null) {
            String taskName = name != null ? name : TaskNames.of(function, 0);
            String label = executorLabel != null ? executorLabel : flow.defaultExecutorLabel();
            executor = flow.executor(label);
            if (executor == null) {
                throw new ResourceRequestException("task '" + taskName + "' asks for executor '" + label
                        + "', but the flow has only: " + String.join(", ", flow.executorLabels()));
            }
            if (!resources.fitsIn(executor.capacity())) {
                throw new ResourceRequestException("task '" + taskName + "' asks for " + resources
                        + ", but executor '" + label + "' has " + executor.capacity() + in(flow));
            }
            resolved = executor;
        }
        return executor;
    }

    private String in(FlowRuntime flow) {
        StringBuilder fits = new StringBuilder();
        for (String label : flow.executorLabels()) {
            if (resources.fitsIn(flow.executor(label).capacity())) {
                fits.append(fits.length() == 0 ? "" : ", ").append(label);
            }
        }
        return fits.length() == 0 ? "; no executor of the flow is that large"
                : "; executors that could run it: " + fits + " (choose one with on(label))";
    }
}
