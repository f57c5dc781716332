package io.paraflow.cluster.internal;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.IExecutorService;
import io.paraflow.cluster.security.ClusterCipher;
import io.paraflow.cluster.security.RejectedMessageException;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one place where bytes enter and leave the cluster: every task batch, result batch and cancellation
 * is sealed here with the cluster's {@link ClusterCipher} (AES-GCM, bound to its kind) before it is handed
 * to Hazelcast, and opened here before anything in it is decoded. A payload that does not open is dropped
 * and logged, and nothing in it is deserialized.
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
    /** How long a member that is still starting makes a sender wait for {@link #connect}. */
    private static final long CONNECT_WAIT_SECONDS = 30;

    private static final System.Logger LOG = System.getLogger(Envelopes.class.getName());

    private final ClusterCipher cipher;
    private volatile IExecutorService messages;
    private volatile String member;
    private final CountDownLatch connected = new CountDownLatch(1);

    /**
     * Envelopes sealed with {@code cipher}. They can be opened at once (messages may arrive while the
     * member is still starting); sending waits for {@link #connect}.
     */
    public Envelopes(ClusterCipher cipher, String member) {
        this.cipher = cipher;
        this.member = member;
    }

    /** Sends through {@code messages}, the executor service every member runs envelopes on; names this member. */
    public void connect(IExecutorService messages, String member) {
        this.messages = messages;
        this.member = member;
        connected.countDown();
    }

    /**
     * Seals {@code plaintext} for its kind and delivers it to {@code member}, without waiting. Returns false
     * if the member is gone or this member is shutting down: nothing was sent.
     */
    public boolean send(Member member, byte kind, byte[] plaintext) {
        if (!awaitConnected()) {
            return false;
        }
        try {
            messages.executeOnMember(envelope(kind, plaintext), member);
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
        if (!awaitConnected()) {
            return false;
        }
        try {
            messages.submitToMember(envelope(kind, plaintext), member).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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

    private Envelope envelope(byte kind, byte[] plaintext) {
        return new Envelope(kind, seal(kind, plaintext));
    }

    /** The payload of an envelope of {@code kind}: {@code plaintext} sealed for that kind. */
    byte[] seal(byte kind, byte[] plaintext) {
        return cipher.seal(purpose(kind), plaintext);
    }

    /** The plaintext of a received payload, or null (logged) if it does not open: drop it then. */
    public byte[] open(byte kind, byte[] sealed) {
        if (kind < TASKS || kind > WELCOME) {
            LOG.log(System.Logger.Level.WARNING, member + " dropped a cluster message of unknown kind " + kind);
            return null;
        }
        try {
            return cipher.open(purpose(kind), sealed);
        } catch (RejectedMessageException e) {
            LOG.log(System.Logger.Level.WARNING, member + " dropped a " + purpose(kind) + " message that failed"
                    + " authentication (a member with another secret, or changed on the way): " + e.getMessage());
            return null;
        }
    }

    /** What a kind of envelope carries: the purpose its seal is bound to, so that one never opens as another. */
    private static String purpose(byte kind) {
        return switch (kind) {
            case TASKS -> "task";
            case RESULTS -> "result";
            case CANCEL -> "cancel";
            case HELLO -> "hello";
            default -> "welcome";
        };
    }

}
