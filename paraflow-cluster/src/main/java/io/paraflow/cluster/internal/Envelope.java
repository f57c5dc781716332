package io.paraflow.cluster.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * The only object Paraflow hands to Hazelcast: a kind and an opaque (sealed) payload, delivered to a
 * chosen member through its executor service, where {@link #run} (or {@link #call}, when the sender waits
 * for it) passes it to the member's {@link Inbox}. Hazelcast serializes it as an {@link IdentifiedDataSerializable}, so no Java
 * deserialization is involved, and never looks inside the payload.
 */
public final class Envelope implements Runnable, Callable<Boolean>, IdentifiedDataSerializable, HazelcastInstanceAware {
    /** The id of {@link #FACTORY} in Hazelcast's serialization config. */
    public static final int FACTORY_ID = 0x50464c57;
    /** The key of the member's {@link Inbox} in Hazelcast's user context. */
    public static final String INBOX = "paraflow.inbox";
    /** Creates envelopes for Hazelcast when it deserializes one. */
    public static final DataSerializableFactory FACTORY = type -> type == 1 ? new Envelope() : null;

    private byte kind;
    private byte[] payload;
    private transient Inbox inbox;

    /** For Hazelcast's deserialization. */
    public Envelope() {
    }

    Envelope(byte kind, byte[] payload) {
        this.kind = kind;
        this.payload = payload;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance instance) {
        this.inbox = (Inbox) instance.getUserContext().get(INBOX);
    }

    @Override
    public void run() {
        if (inbox != null) {
            inbox.receive(kind, payload);
        }
    }

    /** Delivers the envelope and answers, for a sender that waits until it was received. */
    @Override
    public Boolean call() {
        run();
        return Boolean.TRUE;
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return 1;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByte(kind);
        out.writeByteArray(payload);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        kind = in.readByte();
        payload = in.readByteArray();
    }
}
