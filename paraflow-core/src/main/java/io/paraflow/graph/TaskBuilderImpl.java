package io.paraflow.graph;

import io.paraflow.TaskBuilder;
import io.paraflow.TaskGroup;
import io.paraflow.exec.Resources;
import io.paraflow.fault.RetryPolicy;

import java.time.Duration;
import java.util.Objects;

/** The immutable {@link TaskBuilder}: each setter validates and returns a copy with new options. */
final class TaskBuilderImpl extends AbstractSubmitter implements TaskBuilder {
    private final FlowRuntime flow;
    private final TaskOptions options;

    TaskBuilderImpl(FlowRuntime flow, TaskOptions options) {
        this.flow = flow;
        this.options = options;
    }

    @Override
    FlowRuntime runtime() {
        return flow;
    }

    @Override
    TaskOptions options() {
        return options;
    }

    private String who() {
        return options.name == null ? "task" : "task '" + options.name + "'";
    }

    @Override
    public TaskBuilder cores(int cores) {
        if (cores < 1) {
            throw new IllegalArgumentException(who() + ": cores must be at least 1, got " + cores);
        }
        Resources r = options.resources;
        return new TaskBuilderImpl(flow, options.withResources(new Resources(cores, r.memoryBytes(), r.gpus())));
    }

    @Override
    public TaskBuilder memory(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(who() + ": memory must not be negative, got " + bytes);
        }
        Resources r = options.resources;
        return new TaskBuilderImpl(flow, options.withResources(new Resources(r.cores(), bytes, r.gpus())));
    }

    @Override
    public TaskBuilder gpus(int gpus) {
        if (gpus < 0) {
            throw new IllegalArgumentException(who() + ": gpus must not be negative, got " + gpus);
        }
        Resources r = options.resources;
        return new TaskBuilderImpl(flow, options.withResources(new Resources(r.cores(), r.memoryBytes(), gpus)));
    }

    @Override
    public TaskBuilder priority(int priority) {
        return new TaskBuilderImpl(flow, options.withPriority(priority));
    }

    @Override
    public TaskBuilder on(String executorLabel) {
        Objects.requireNonNull(executorLabel, "executorLabel");
        if (flow.executor(executorLabel) == null) {
            throw new IllegalArgumentException(who() + ": on('" + executorLabel + "') names no executor; the flow has: "
                    + String.join(", ", flow.executorLabels()));
        }
        return new TaskBuilderImpl(flow, options.withExecutor(executorLabel));
    }

    @Override
    public TaskBuilder retries(int retries) {
        if (options.retryPolicy != null && !options.retriesShorthand) {
            throw new IllegalStateException(who() + ": retries(" + retries + ") conflicts with the retryPolicy(...) set"
                    + " before; bound the attempts inside the policy instead");
        }
        return new TaskBuilderImpl(flow, options.withRetryPolicy(RetryPolicy.upTo(retries), true));
    }

    @Override
    public TaskBuilder retryPolicy(RetryPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        if (options.retryPolicy != null && options.retriesShorthand) {
            throw new IllegalStateException(who() + ": retryPolicy(...) conflicts with the retries(n) set before;"
                    + " use one: retries(n) is RetryPolicy.upTo(n)");
        }
        return new TaskBuilderImpl(flow, options.withRetryPolicy(policy, false));
    }

    @Override
    public TaskBuilder timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(who() + ": timeout must be positive, got " + timeout);
        }
        return new TaskBuilderImpl(flow, options.withTimeout(timeout));
    }

    @Override
    public TaskBuilder fallback(Object value) {
        return new TaskBuilderImpl(flow, options.withFallback(value));
    }

    @Override
    public TaskBuilder cache(String version) {
        return cache(version, null);
    }

    @Override
    public TaskBuilder cache(String version, Object identity) {
        Objects.requireNonNull(version, () -> who() + ": version is null; use cache() for no version label");
        boolean failures = options.cache != null && options.cache.failures();
        return new TaskBuilderImpl(flow, options.withCache(new CacheRequest(version, failures, identity)));
    }

    @Override
    public TaskBuilder cache() {
        return cache("");
    }

    @Override
    public TaskBuilder cacheFailures() {
        CacheRequest cache = options.cache != null ? options.cache : new CacheRequest("", false, null);
        return new TaskBuilderImpl(flow, options.withCache(new CacheRequest(cache.version(), true, cache.identity())));
    }

    @Override
    public TaskBuilder group(TaskGroup group) {
        Objects.requireNonNull(group, "group");
        if (!(group instanceof GroupImpl impl) || impl.flow() != flow) {
            throw new IllegalArgumentException(who() + ": group '" + group.name() + "' belongs to another flow");
        }
        return new TaskBuilderImpl(flow, options.withGroup(impl));
    }
}
