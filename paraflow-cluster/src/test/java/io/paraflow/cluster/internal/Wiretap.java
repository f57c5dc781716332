package io.paraflow.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.paraflow.cluster.security.ClusterSecret;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What an eavesdropper on the cluster's network can do, for tests: record the envelopes a member receives,
 * exactly as they travelled, and deliver them again, unchanged, from another member.
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
}
