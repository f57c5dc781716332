package io.paraflow.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.paraflow.cluster.security.ClusterSecret;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an eavesdropper on the cluster's network can do, for tests: record the envelopes a member receives,
 * exactly as they travelled, and deliver them again, unchanged, from another member; and what a member that
 * holds the secret can seal, whatever it puts inside.
 */
public final class Wiretap {
    /** An envelope as it travelled. */
    public record Message(byte kind, byte[] payload) {
    }

    private final List<Message> captured = new CopyOnWriteArrayList<>();

    private Wiretap() {
    }

    /** The Hazelcast instance of the member named {@code name} (its {@link Hazelcasts#NAME}) in this JVM: one to tap. */
    public static HazelcastInstance member(String name) {
        return Hazelcast.getAllHazelcastInstances().stream()
                .filter(h -> name.equals(h.getCluster().getLocalMember().getAttribute(Hazelcasts.NAME))).findFirst()
                .orElseThrow(() -> new IllegalStateException("no member named " + name + " in this JVM"));
    }

    /** Starts recording what {@code member} receives from now on; it still receives everything. */
    public static Wiretap on(HazelcastInstance member) {
        return losing(member, (byte) 0, 0);
    }

    /**
     * Starts recording what {@code member} receives from now on, and loses the next {@code count} envelopes of
     * {@code kind} on the way: they are recorded but never reach it.
     */
    public static Wiretap losing(HazelcastInstance member, byte kind, int count) {
        Wiretap tap = new Wiretap();
        AtomicInteger toLose = new AtomicInteger(count);
        Inbox inbox = (Inbox) member.getUserContext().get(Envelope.INBOX);
        member.getUserContext().put(Envelope.INBOX, (Inbox) (received, payload) -> {
            tap.captured.add(new Message(received, payload));
            if (received != kind || toLose.getAndDecrement() <= 0) {
                inbox.receive(received, payload);
            }
        });
        return tap;
    }

    /** The envelopes of {@code kind} recorded so far, oldest first. */
    public List<Message> captured(byte kind) {
        return captured.stream().filter(message -> message.kind() == kind).toList();
    }

    /** Delivers {@code message} unchanged from {@code from} to {@code to}; returns once {@code to} has handled it. */
    public static void replay(HazelcastInstance from, Member to, Message message) throws Exception {
        from.getExecutorService(Hazelcasts.MESSAGES).submitToMember(new Envelope(message.kind(), message.payload()), to)
                .get(10, TimeUnit.SECONDS);
    }

    /**
     * The plaintext of {@code message} as a member holding {@code secret} whose id is {@code recipient} would
     * open it the first time it came; null if it would not open.
     */
    public static byte[] open(ClusterSecret secret, UUID recipient, Message message) {
        Envelopes envelopes = Envelopes.ofWorker(secret.cipher(), "wiretap");
        envelopes.connect(null, recipient, "wiretap");
        return envelopes.authenticate(message.kind(), message.payload());
    }

    /**
     * A message of {@code kind} carrying {@code plaintext}, sealed as the worker {@code sender} (which holds
     * {@code secret}) seals it for the driver that greeted it with {@code hello} (recorded on its way to
     * {@code sender}), numbered {@code sequence}: what a worker of that driver's run can send it, whatever it
     * claims inside. Choose a number above those the worker used, so that it is not refused as a replay.
     */
    public static Message sealedBy(ClusterSecret secret, UUID sender, Message hello, byte kind, byte[] plaintext,
                                   long sequence) {
        Envelopes envelopes = Envelopes.ofWorker(secret.cipher(), "wiretap");
        envelopes.connect(null, sender, "wiretap");
        if (envelopes.open(Envelopes.HELLO, hello.payload()) == null) {
            throw new IllegalArgumentException("the greeting does not open as one sent to " + sender);
        }
        Message sealed;
        do {
            sealed = new Message(kind, envelopes.seal(Envelopes.sender(hello.payload()), kind, plaintext));
        } while (sequence(sealed) < sequence);
        return sealed;
    }

    /** The number its sender gave {@code message} (see {@link Envelopes}). */
    public static long sequence(Message message) {
        return ByteBuffer.wrap(message.payload()).getLong(Envelopes.HEADER_BYTES - Long.BYTES);
    }
}
