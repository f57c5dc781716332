package io.paraflow.cluster.internal;

/** Where a member's {@link Envelope}s arrive. Called on Hazelcast's executor threads, concurrently. */
@FunctionalInterface
public interface Inbox {

    /** Handles one envelope; must not throw and should return quickly. */
    void receive(byte kind, byte[] payload);
}
