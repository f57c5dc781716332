package io.paraflow.cache.internal;

import java.util.Arrays;
import java.util.HexFormat;

/** A SHA-256 content fingerprint. Immutable; equal when the bytes are. */
public final class Fingerprint {

    /** Length in bytes. */
    public static final int BYTES = 32;

    private final byte[] bytes;
    private final int hash;

    Fingerprint(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a fingerprint has " + BYTES + " bytes, got " + bytes.length);
        }
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Reads a fingerprint from {@code BYTES} bytes at {@code offset}. */
    public static Fingerprint read(byte[] source, int offset) {
        return new Fingerprint(Arrays.copyOfRange(source, offset, offset + BYTES));
    }

    /** Parses the form {@link #toString()} prints. */
    public static Fingerprint parse(String hex) {
        return new Fingerprint(HexFormat.of().parseHex(hex));
    }

    byte[] bytes() {
        return bytes;
    }

    /** Copies the bytes into {@code target} at {@code offset}. */
    public void copyTo(byte[] target, int offset) {
        System.arraycopy(bytes, 0, target, offset, BYTES);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Fingerprint f && Arrays.equals(bytes, f.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The fingerprint in lower-case hex. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
