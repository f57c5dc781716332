package io.paraflow.cluster.security;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seals and opens messages between members of one cluster: AES-256-GCM under a key derived from the
 * {@link ClusterSecret} with HKDF-SHA256 (RFC 5869). A sealed message is
 * {@code version (1 byte) | nonce (12 bytes) | ciphertext | tag (16 bytes)}; the version and the purpose
 * are authenticated with it, so a message sealed for one purpose (a task) never opens for another (a
 * result), and a changed bit anywhere makes it fail to open. A caller may bind a message to a context as
 * well (who sends it to whom, in which session: see {@link #seal(String, byte[], byte[])}): it is
 * authenticated, not carried, so the receiver must give the same context to open it.
 *
 * <p>Nonces never repeat under one key: each cipher takes a random 32-bit prefix and a 64-bit counter
 * starting at a random value, so two members collide only if both random draws meet.
 *
 * <p>Thread-safe and non-blocking; each thread keeps its own JDK {@link Cipher}.
 */
public final class ClusterCipher {
    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int HEADER_BYTES = 1 + NONCE_BYTES;
    /** The smallest sealed message: header and tag around an empty plaintext. */
    private static final int MINIMUM_BYTES = HEADER_BYTES + TAG_BITS / 8;
    private static final byte[] HKDF_SALT = "paraflow-cluster".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HKDF_INFO = "paraflow-cluster aes-256-gcm v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_CONTEXT = new byte[0];

    private final SecretKeySpec key;
    private final int noncePrefix;
    private final AtomicLong nonceCounter;
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(ClusterCipher::newCipher);

    ClusterCipher(byte[] secret) {
        this.key = new SecretKeySpec(hkdfSha256(secret, HKDF_SALT, HKDF_INFO, 32), "AES");
        SecureRandom random = new SecureRandom();
        this.noncePrefix = random.nextInt();
        this.nonceCounter = new AtomicLong(random.nextLong());
    }

    /**
     * Encrypts and authenticates {@code plaintext} for {@code purpose}.
     *
     * @param purpose what the message is for (for example {@code "task"} or {@code "result"}); it must be
     *     given again, equal, to {@link #open}
     * @return a new array, {@value #MINIMUM_BYTES} bytes longer than {@code plaintext}
     */
    public byte[] seal(String purpose, byte[] plaintext) {
        return seal(purpose, NO_CONTEXT, plaintext);
    }

    /**
     * Like {@link #seal(String, byte[])}, and binds the message to {@code context} as well: it opens only
     * with an equal context (for example the sender, the recipient and a session, so that a message
     * delivered to another recipient does not open). The context is authenticated, not encrypted or carried.
     */
    public byte[] seal(String purpose, byte[] context, byte[] plaintext) {
        byte[] sealed = new byte[MINIMUM_BYTES + plaintext.length];
        sealed[0] = VERSION;
        long counter = nonceCounter.getAndIncrement();
        writeInt(sealed, 1, noncePrefix);
        writeInt(sealed, 5, (int) (counter >>> 32));
        writeInt(sealed, 9, (int) counter);
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData(purpose));
            cipher.updateAAD(context);
            cipher.doFinal(plaintext, 0, plaintext.length, sealed, HEADER_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable or misconfigured in this JDK", e);
        }
        return sealed;
    }

    /**
     * Checks and decrypts a message made by {@link #seal} with the same secret and {@code purpose}.
     *
     * @throws RejectedMessageException if it was sealed with another secret or for another purpose, was
     *     changed, or is not a sealed message; nothing of it is returned then
     */
    public byte[] open(String purpose, byte[] sealed) throws RejectedMessageException {
        return open(purpose, NO_CONTEXT, sealed);
    }

    /**
     * Checks and decrypts a message made by {@link #seal(String, byte[], byte[])} with the same secret,
     * {@code purpose} and {@code context}.
     *
     * @throws RejectedMessageException as {@link #open(String, byte[])}, and if it was sealed for another context
     */
    public byte[] open(String purpose, byte[] context, byte[] sealed) throws RejectedMessageException {
        if (sealed.length < MINIMUM_BYTES) {
            throw new RejectedMessageException("not a sealed message: " + sealed.length + " bytes, fewer than "
                    + MINIMUM_BYTES);
        }
        if (sealed[0] != VERSION) {
            throw new RejectedMessageException("not a sealed message of this Paraflow version (format "
                    + sealed[0] + ", expected " + VERSION + ")");
        }
        Cipher cipher = ciphers.get();
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 1, NONCE_BYTES));
            cipher.updateAAD(associatedData(purpose));
            cipher.updateAAD(context);
            return cipher.doFinal(sealed, HEADER_BYTES, sealed.length - HEADER_BYTES);
        } catch (AEADBadTagException e) {
            throw new RejectedMessageException("message failed authentication for purpose '" + purpose
                    + "': another cluster secret, another purpose or context, or changed on the way", e);
        } catch (GeneralSecurityException e) {
            throw new RejectedMessageException("message could not be opened: " + e.getMessage(), e);
        }
    }

    /** The version and the purpose, ended by a zero byte so that no purpose and context reads as another pair. */
    private static byte[] associatedData(String purpose) {
        if (purpose.isEmpty() || purpose.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("purpose must be a non-empty text without NUL characters");
        }
        byte[] text = purpose.getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[text.length + 2];
        data[0] = VERSION;
        System.arraycopy(text, 0, data, 1, text.length);
        return data;
    }

    private static void writeInt(byte[] target, int offset, int value) {
        target[offset] = (byte) (value >>> 24);
        target[offset + 1] = (byte) (value >>> 16);
        target[offset + 2] = (byte) (value >>> 8);
        target[offset + 3] = (byte) value;
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
        }
    }

    /** HKDF-SHA256 extract-then-expand (RFC 5869); the JDK has no KDF API before Java 24. */
    static byte[] hkdfSha256(byte[] inputKey, byte[] salt, byte[] info, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] pseudoRandomKey = mac.doFinal(inputKey);
            mac.init(new SecretKeySpec(pseudoRandomKey, "HmacSHA256"));
            byte[] output = new byte[length];
            byte[] block = new byte[0];
            for (int filled = 0, counter = 1; filled < length; counter++) {
                mac.update(block);
                mac.update(info);
                mac.update((byte) counter);
                block = mac.doFinal();
                int take = Math.min(block.length, length - filled);
                System.arraycopy(block, 0, output, filled, take);
                filled += take;
            }
            Arrays.fill(pseudoRandomKey, (byte) 0);
            return output;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
        }
    }
}
