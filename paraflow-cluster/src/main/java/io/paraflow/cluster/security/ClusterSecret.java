package io.paraflow.cluster.security;

import io.paraflow.internal.ChildEnvironment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The secret every member of one Paraflow cluster shares: 256 random bits from which the
 * {@link ClusterCipher}'s key is derived. Its text form ({@link #encoded()}) is what {@code paraflow secret}
 * prints; give it to members in a file readable only by its owner or in the environment variable
 * {@value #ENVIRONMENT_VARIABLE}, never as a command-line argument (other users can read those).
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret.
 */
public final class ClusterSecret {
    /** The environment variable {@link #resolve} reads when no file is given. */
    public static final String ENVIRONMENT_VARIABLE = ChildEnvironment.SECRET_VARIABLE;

    private static final String PREFIX = "paraflow-secret-v1:";
    private static final int BYTES = 32;
    private static final byte[] CLUSTER_NAME_SALT = "paraflow-cluster".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLUSTER_NAME_INFO = "paraflow-cluster name v1".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> READABLE_BY_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private final byte[] bytes;

    private ClusterSecret(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A new random secret, from the platform's strong {@link SecureRandom}. */
    public static ClusterSecret generate() {
        byte[] bytes = new byte[BYTES];
        new SecureRandom().nextBytes(bytes);
        return new ClusterSecret(bytes);
    }

    /**
     * Parses the text form written by {@link #encoded()} (surrounding white space ignored).
     *
     * @throws IllegalArgumentException if {@code text} is not a Paraflow secret; the message never
     *     quotes the text
     */
    public static ClusterSecret parse(String text) {
        String trimmed = text.strip();
        if (!trimmed.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a Paraflow cluster secret: it must start with '" + PREFIX
                    + "' (create one with 'paraflow secret')");
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(trimmed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed Paraflow cluster secret: its key part is not base64url"
                    + " (create a new one with 'paraflow secret')");
        }
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("malformed Paraflow cluster secret: " + bytes.length
                    + " key bytes instead of " + BYTES + " (create a new one with 'paraflow secret')");
        }
        return new ClusterSecret(bytes);
    }

    /**
     * Reads the secret from {@code file}. On file systems with POSIX permissions the file must not be
     * readable or writable by group or others, the way ssh treats private keys.
     *
     * @throws IOException if the file is missing or unreadable, or its permissions are too open
     * @throws IllegalArgumentException if the file does not hold a Paraflow secret
     */
    public static ClusterSecret fromFile(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null,
                    "no cluster secret file (create one with 'paraflow secret --file FILE')");
        }
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null) {
            Set<PosixFilePermission> open = EnumSet.copyOf(READABLE_BY_OTHERS);
            open.retainAll(posix.readAttributes().permissions());
            if (!open.isEmpty()) {
                throw new IOException("cluster secret file " + file + " is accessible by others (" + open
                        + "): run 'chmod 600 " + file + "'");
            }
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the secret from the environment variable {@code variable}.
     *
     * @throws IllegalArgumentException if the variable is unset or does not hold a Paraflow secret
     */
    public static ClusterSecret fromEnvironment(String variable) {
        String text = System.getenv(variable);
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("no cluster secret: environment variable " + variable
                    + " is not set (create a secret with 'paraflow secret')");
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("environment variable " + variable + ": " + e.getMessage(), e);
        }
    }

    /**
     * The secret a member was told to use: from {@code file} when it is not {@code null}, otherwise from
     * {@value #ENVIRONMENT_VARIABLE}.
     *
     * @throws IOException as {@link #fromFile}
     * @throws IllegalArgumentException if neither gives a secret, with a message that says how to give one
     */
    public static ClusterSecret resolve(Path file) throws IOException {
        if (file != null) {
            return fromFile(file);
        }
        if (System.getenv(ENVIRONMENT_VARIABLE) == null) {
            throw new IllegalArgumentException("no cluster secret: give a file (--secret-file FILE) or set "
                    + ENVIRONMENT_VARIABLE + "; create a secret with 'paraflow secret'");
        }
        return fromEnvironment(ENVIRONMENT_VARIABLE);
    }

    /** The text form, {@code paraflow-secret-v1:} followed by the key in base64url. Keep it secret. */
    public String encoded() {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The Hazelcast cluster name of the members holding this secret: derived from it (HKDF-SHA256), so
     * members given different secrets form different clusters and a misconfigured member stays alone,
     * while the name reveals nothing of the secret.
     */
    public String clusterName() {
        byte[] derived = ClusterCipher.hkdfSha256(bytes, CLUSTER_NAME_SALT, CLUSTER_NAME_INFO, 8);
        return "paraflow-" + HexFormat.of().formatHex(derived);
    }

    /** A cipher whose key is derived from this secret. Creating one costs a key derivation; keep it. */
    public ClusterCipher cipher() {
        return new ClusterCipher(bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ClusterSecret && MessageDigest.isEqual(bytes, ((ClusterSecret) other).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Never the secret itself. */
    @Override
    public String toString() {
        return "ClusterSecret[hidden]";
    }
}
