package io.paraflow.pattern.internal;

import java.util.concurrent.CancellationException;

/**
 * Thrown inside a node's thread, from a send or as it takes items, once every node it sends to has ended
 * the stream early (a master that called {@code endStream}, or a node that ended because of that): nobody
 * wants its items.
 * It unwinds the node's code, and the node ends as if its input had ended, without its end hook; a node
 * must let it propagate. One instance per node, without a stack trace: it is control flow.
 */
final class DownstreamEnded extends CancellationException {
    private static final long serialVersionUID = 1L;

    DownstreamEnded() {
        super("every node this one sends to has ended the stream");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
