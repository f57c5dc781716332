package io.paraflow.cluster.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The handshake that keeps a member without the secret from receiving tasks, even if it learnt the
 * cluster's name and joined Hazelcast's membership: the driver sends each worker that joins a
 * {@link Envelopes#HELLO} with a fresh random nonce and its own member id; the worker answers a
 * {@link Envelopes#WELCOME} with the same nonce and its member id. Both travel sealed, so only a member that
 * holds the secret can read the nonce and answer, and an answer recorded earlier names another nonce or
 * another member. The driver places tasks only on workers that answered.
 *
 * @param nonce  16 random bytes chosen by the driver
 * @param member the sender's Hazelcast member id
 */
public record Greeting(byte[] nonce, String member) {
    private static final int NONCE_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A greeting from {@code member} with a fresh nonce. */
    public static Greeting fresh(String member) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return new Greeting(nonce, member);
    }

    /** The answer to this greeting, from {@code member}. */
    public Greeting answeredBy(String member) {
        return new Greeting(nonce, member);
    }

    /** Whether {@code answer} carries this greeting's nonce (compared in constant time). */
    public boolean isAnsweredBy(Greeting answer) {
        return MessageDigest.isEqual(nonce, answer.nonce);
    }

    public byte[] encode() {
        byte[] id = member.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(NONCE_BYTES + id.length).put(nonce).put(id).array();
    }

    /** @throws IllegalArgumentException if {@code bytes} is not a greeting */
    public static Greeting decode(byte[] bytes) {
        if (bytes.length <= NONCE_BYTES) {
            throw new IllegalArgumentException("a greeting of " + bytes.length + " bytes");
        }
        return new Greeting(Arrays.copyOf(bytes, NONCE_BYTES),
                new String(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES, StandardCharsets.UTF_8));
    }
}
