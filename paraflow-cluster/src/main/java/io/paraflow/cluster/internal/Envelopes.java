package io.paraflow.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import io.paraflow.cluster.security.ClusterCipher;
import io.paraflow.cluster.security.RejectedMessageException;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one place where bytes enter and leave the cluster: every task batch, result batch, cancellation, greeting
 * and load report is sealed here with the cluster's {@link ClusterCipher} (AES-GCM, bound to its kind) before
 * it is handed to Hazelcast, and opened here before anything in it is decoded. A payload that does not open is dropped
 * and logged (at most one warning per {@value #WARNING_INTERVAL_SECONDS} s, so that a flood cannot fill the
 * disk), and nothing in it is deserialized.
 *
 * <p>Every message is also bound to its sender, its recipient and a session, and numbered, so that a
 * message captured on the network and sent again is refused:
 * <pre>
 * payload = sender UUID (16 bytes) | session UUID (16) | sequence number (8) | sealed message
 * sealed for its kind, with context = sender | session | sequence | recipient UUID (the receiver's own)
 * </pre>
 * The session is the driver's run: a random UUID a driver draws when it starts, carried by every message
 * between it and its workers in both directions. A driver opens only messages of its own session; a worker
 * learns a driver's session from its first message (the greeting) and opens only that session from that
 * sender. The sender numbers its messages to each recipient 1, 2, 3...; the recipient keeps a
 * {@link ReplayWindow} per sender and opens each number once. A message delivered to another member does not
 * open (the recipient is in the context); one of another driver's run does not either (the session).
 *
 * <p>What a member keeps about another is created only by authentic messages: a driver opens only messages
 * of members it sent to first (it greets each worker), and a worker starts a session with a driver only from
 * that driver's authentic {@link #HELLO}. When a member that sent authentic messages leaves the cluster,
 * {@link #forget} drops what was kept for it and refuses its messages for the rest of the process's life; the
 * set of such members grows by one per member that ever talked to this one with the secret, so members without
 * the secret, which may join and leave at will, can neither grow it nor push anything out of it.
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
    /** A challenge, driver to a worker that joined: prove you hold the secret before you get tasks. */
    public static final byte HELLO = 4;
    /** The answer to a {@link #HELLO}, worker to driver. */
    public static final byte WELCOME = 5;
    /** A worker's resource figures, worker to each driver it works for, about once per second. */
    public static final byte LOAD = 6;
    /** How long a member that is still starting makes a sender wait for {@link #connect}. */
    private static final long CONNECT_WAIT_SECONDS = 30;
    private static final long WARNING_INTERVAL_SECONDS = 10;
    /** Sender, session and sequence number, in clear before the sealed message. */
    static final int HEADER_BYTES = 16 + 16 + 8;

    private static final System.Logger LOG = System.getLogger(Envelopes.class.getName());

    private final ClusterCipher cipher;
    /** The driver's own session; null for a worker, which learns each driver's. */
    private final UUID session;
    private final Map<UUID, Peer> peers = new ConcurrentHashMap<>();
    /** Members that sent authentic messages and left: their messages stay refused. */
    private final Set<UUID> departed = ConcurrentHashMap.newKeySet();
    /** Messages that are not this cluster's: unsealed, of unknown kind, failing authentication. */
    private final ThrottledLog unauthentic = new ThrottledLog(LOG, Duration.ofSeconds(WARNING_INTERVAL_SECONDS));
    /**
     * Authentic messages refused: replayed, of a member that left, of another session. Apart from the others,
     * so that junk, which anyone can send, cannot hide these, which only a replay of real messages causes.
     */
    private final ThrottledLog refused = new ThrottledLog(LOG, Duration.ofSeconds(WARNING_INTERVAL_SECONDS));
    /** Messages this member could not send or open for want of a session or of its own member id. */
    private final ThrottledLog unsent = new ThrottledLog(LOG, Duration.ofSeconds(WARNING_INTERVAL_SECONDS));
    private volatile IExecutorService messages;
    private volatile UUID self;
    private volatile String member;
    private final CountDownLatch connected = new CountDownLatch(1);

    /** What this member keeps about another one it talks to. */
    private static final class Peer {
        final UUID session;
        final ReplayWindow received = new ReplayWindow();
        /** The number of the last message sealed for this peer. Guarded by this peer. */
        long sent;
        /** Whether an authentic message from this peer was opened. */
        volatile boolean heard;

        Peer(UUID session) {
            this.session = session;
        }
    }

    private Envelopes(ClusterCipher cipher, String member, UUID session) {
        this.cipher = cipher;
        this.member = member;
        this.session = session;
    }

    /**
     * The envelopes of a driver: sealed with {@code cipher} in a new session of its own. They can be opened
     * once {@link #connect} was called (opening waits for it); so can they be sent.
     */
    public static Envelopes ofDriver(ClusterCipher cipher, String member) {
        return new Envelopes(cipher, member, UUID.randomUUID());
    }

    /**
     * The envelopes of a worker: sealed with {@code cipher} in the session of the driver it talks to, which it
     * learns from the driver's first message (it cannot send to a driver it has not heard from).
     */
    public static Envelopes ofWorker(ClusterCipher cipher, String member) {
        return new Envelopes(cipher, member, null);
    }

    /**
     * Sends through {@code hazelcast}'s executor service that every member runs envelopes on, as its local
     * member; names this member in warnings.
     */
    public void connect(HazelcastInstance hazelcast, String member) {
        connect(hazelcast.getExecutorService(Hazelcasts.MESSAGES), hazelcast.getCluster().getLocalMember().getUuid(),
                member);
    }

    void connect(IExecutorService messages, UUID self, String member) {
        this.messages = messages;
        this.self = self;
        this.member = member;
        connected.countDown();
    }

    /**
     * Forgets {@code member}, which left the cluster: what was kept for it is dropped, and if it ever sent an
     * authentic message, messages from it are refused for the rest of this process's life (a member that left
     * never comes back under the same UUID).
     */
    public void forget(UUID member) {
        Peer peer = peers.get(member);
        if (peer != null && peer.heard) {
            // before the removal: a message sent or opened now cannot bring the peer back (see peerTo, peerSending)
            departed.add(member);
        }
        peers.remove(member);
    }

    /**
     * The member that sent {@code payload}, as its header says: authentic once {@link #open} opened the payload
     * (the header is bound to the sealed message). Compare it with any member id the message carries inside.
     */
    public static UUID sender(byte[] payload) {
        ByteBuffer header = ByteBuffer.wrap(payload, 0, HEADER_BYTES);
        return new UUID(header.getLong(), header.getLong());
    }

    /**
     * Seals {@code plaintext} for its kind and delivers it to {@code member}, without waiting. Returns false
     * if the member is gone or this member is shutting down, or if this worker has not heard from that
     * member yet (it does not know its session): nothing was sent.
     */
    public boolean send(Member member, byte kind, byte[] plaintext) {
        Peer peer = awaitConnected() ? peerTo(member.getUuid()) : null;
        if (peer == null) {
            return false;
        }
        try {
            // sealed and handed over in sequence order, so that delivery alone reorders the numbers
            synchronized (peer) {
                messages.executeOnMember(envelope(peer, member.getUuid(), kind, plaintext), member);
            }
            return true;
        } catch (RejectedExecutionException | IllegalStateException e) {
            // the member left (its loss is handled by the membership listener) or this member is shutting down
            return false;
        }
    }

    /**
     * Like {@link #send}, but waits (at most {@code timeout}) until {@code member} has received the envelope:
     * for a member about to leave the cluster, whose last messages must not be lost with its connections.
     */
    public boolean sendAndWait(Member member, byte kind, byte[] plaintext, Duration timeout) {
        Peer peer = awaitConnected() ? peerTo(member.getUuid()) : null;
        if (peer == null) {
            return false;
        }
        try {
            Future<Boolean> received;
            synchronized (peer) {
                received = messages.submitToMember(envelope(peer, member.getUuid(), kind, plaintext), member);
            }
            received.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException | IllegalStateException | ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until {@link #connect} was called (at most 30 s); true if it was. A message may arrive, and be
     * answered, while this member is still starting (a driver greets a worker as soon as it joins): the
     * answer waits until this member can send, and sees everything its member did before connecting.
     */
    public boolean awaitConnected() {
        try {
            return connected.await(CONNECT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The peer this member sends to as {@code recipient}, or null (logged if it is a worker's) if it cannot. */
    private Peer peerTo(UUID recipient) {
        if (session != null) {
            Peer peer = peers.computeIfAbsent(recipient, r -> new Peer(session));
            if (departed.contains(recipient)) {
                peers.remove(recipient, peer);
                return null;
            }
            return peer;
        }
        Peer peer = peers.get(recipient);
        if (peer == null) {
            unsent.warn(() -> member + " has no session with member " + recipient + " (it has not heard from it):"
                    + " a message to it was not sent");
        }
        return peer;
    }

    /** A new envelope for {@code recipient}, numbered next. Holds {@code peer}'s lock. */
    private Envelope envelope(Peer peer, UUID recipient, byte kind, byte[] plaintext) {
        return new Envelope(kind, seal(peer, recipient, kind, plaintext));
    }

    /** The payload of an envelope of {@code kind} to {@code recipient}; see the class comment. Holds {@code peer}'s lock. */
    private byte[] seal(Peer peer, UUID recipient, byte kind, byte[] plaintext) {
        byte[] header = header(self, peer.session, ++peer.sent);
        byte[] sealed = cipher.seal(purpose(kind), context(header, recipient), plaintext);
        byte[] payload = Arrays.copyOf(header, HEADER_BYTES + sealed.length);
        System.arraycopy(sealed, 0, payload, HEADER_BYTES, sealed.length);
        return payload;
    }

    /** The payload of the next envelope of {@code kind} to {@code recipient}, as {@link #send} would make it. */
    byte[] seal(UUID recipient, byte kind, byte[] plaintext) {
        Peer peer = peerTo(recipient);
        if (peer == null) {
            throw new IllegalStateException(member + " cannot send to " + recipient + ": no session with it");
        }
        synchronized (peer) {
            return seal(peer, recipient, kind, plaintext);
        }
    }

    /**
     * The plaintext of a received payload, or null (logged) if it does not open, or opened before, or comes
     * from a member that left or from another session: drop it then.
     */
    public byte[] open(byte kind, byte[] payload) {
        byte[] plain = authenticate(kind, payload);
        if (plain == null) {
            return null;
        }
        ByteBuffer header = ByteBuffer.wrap(payload, 0, HEADER_BYTES);
        UUID sender = new UUID(header.getLong(), header.getLong());
        UUID senderSession = new UUID(header.getLong(), header.getLong());
        long sequence = header.getLong();
        // only now that it is authentic may it change what this member keeps
        Peer peer = peerSending(kind, sender, senderSession);
        if (peer == null) {
            refused.warn(() -> member + " dropped a " + purpose(kind) + " message from member " + sender + " of session "
                    + senderSession + ": another driver's run, a member that left or that it has no session with (a"
                    + " replayed message?)");
            return null;
        }
        if (!peer.received.accept(sequence)) {
            refused.warn(() -> member + " dropped a " + purpose(kind) + " message from member " + sender + " that it"
                    + " has received before, or too old (number " + sequence + "): a replayed message?");
            return null;
        }
        peer.heard = true;
        return plain;
    }

    /**
     * The plaintext of a received payload if it was sealed with this cluster's secret for this member, else null
     * (logged); whether it came before, and from whom, is not checked here (see {@link #open}).
     */
    byte[] authenticate(byte kind, byte[] payload) {
        if (kind < TASKS || kind > LOAD) {
            unauthentic.warn(() -> member + " dropped a cluster message of unknown kind " + kind);
            return null;
        }
        if (payload.length < HEADER_BYTES) {
            unauthentic.warn(() -> member + " dropped a " + purpose(kind) + " message that is not sealed");
            return null;
        }
        if (!awaitConnected()) {
            // it does not know its own member id yet, which every message is bound to
            unsent.warn(() -> member + " dropped a " + purpose(kind) + " message that came before it could open it");
            return null;
        }
        try {
            return cipher.open(purpose(kind), context(Arrays.copyOf(payload, HEADER_BYTES), self),
                    Arrays.copyOfRange(payload, HEADER_BYTES, payload.length));
        } catch (RejectedMessageException e) {
            unauthentic.warn(() -> member + " dropped a " + purpose(kind) + " message that failed authentication (a member"
                    + " with another secret, sent to another member, or changed on the way): " + e.getMessage());
            return null;
        }
    }

    /**
     * The peer an authentic message of {@code kind} from {@code sender} of {@code senderSession} comes from, or
     * null if refused. A driver hears only from members it sent to; a worker starts a session only from a
     * driver's greeting.
     */
    private Peer peerSending(byte kind, UUID sender, UUID senderSession) {
        if (session != null && !session.equals(senderSession)) {
            return null;
        }
        Peer peer = peers.get(sender);
        if (peer == null && session == null && kind == HELLO) {
            peer = peers.computeIfAbsent(sender, s -> new Peer(senderSession));
        }
        if (peer == null || departed.contains(sender)) {
            // (a member that left while this message was on its way is not kept)
            if (peer != null) {
                peers.remove(sender, peer);
            }
            return null;
        }
        return peer.session.equals(senderSession) ? peer : null;
    }

    private static byte[] header(UUID sender, UUID session, long sequence) {
        return ByteBuffer.allocate(HEADER_BYTES).putLong(sender.getMostSignificantBits())
                .putLong(sender.getLeastSignificantBits()).putLong(session.getMostSignificantBits())
                .putLong(session.getLeastSignificantBits()).putLong(sequence).array();
    }

    /** What a message is bound to: its header (sender, session, number) and its recipient. */
    private static byte[] context(byte[] header, UUID recipient) {
        return ByteBuffer.allocate(HEADER_BYTES + 16).put(header).putLong(recipient.getMostSignificantBits())
                .putLong(recipient.getLeastSignificantBits()).array();
    }

    /** What a kind of envelope carries: the purpose its seal is bound to, so that one never opens as another. */
    private static String purpose(byte kind) {
        return switch (kind) {
            case TASKS -> "task";
            case RESULTS -> "result";
            case CANCEL -> "cancel";
            case HELLO -> "hello";
            case WELCOME -> "welcome";
            default -> "load";
        };
    }

}
