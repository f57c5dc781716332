package io.paraflow.cache.internal;

/** A value the cache cannot fingerprint; the message says which value, where, and what to do. */
public final class NotFingerprintableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFingerprintableException(String message) {
        super(message);
    }
}
