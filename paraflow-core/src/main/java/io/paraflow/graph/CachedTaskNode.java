package io.paraflow.graph;

import io.paraflow.cache.internal.Fingerprint;

/**
 * A memoized task: a {@link TaskNode} that also holds its cache key, which the tasks taking it as an
 * argument use in theirs. Only memoized tasks pay for the field.
 */
final class CachedTaskNode<T> extends TaskNode<T> {

    /**
     * The key, set when the task became ready (before any successor can read it: they become ready
     * only after this task ends); null if its arguments could not be fingerprinted.
     */
    volatile Fingerprint key;

    CachedTaskNode(FlowRuntime flow, long id, TaskOptions options, Object function, int shape, Object inputs) {
        super(flow, id, options, function, shape, inputs);
    }

    CacheRequest cacheRequest() {
        return options().cache;
    }
}
