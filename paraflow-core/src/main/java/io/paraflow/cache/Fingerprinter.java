package io.paraflow.cache;

/**
 * Tells the cache what identifies a value of a user type, for types it cannot fingerprint by itself.
 * Registered per type on the flow builder ({@code Flow.builder().fingerprinter(Sample.class, s -> s.id())}).
 *
 * <p>The contract: two values with equal content must map to equal keys, in any JVM and on any machine,
 * and two values with different content should map to different keys; a key that is too coarse makes the
 * cache reuse a wrong result. The key must itself be fingerprintable: a string, a number, a boolean, an
 * enum, a byte or other primitive array, a list, set or map of such, a record of such, or a value of
 * another type with a registered fingerprinter. Never use {@code hashCode()} of a type that does not
 * define it from content.
 *
 * <p>Called on any thread, possibly concurrently; must not block.
 *
 * @param <T> the user type
 */
@FunctionalInterface
public interface Fingerprinter<T> {

    /** A fingerprintable value that identifies {@code value}'s content. */
    Object key(T value);
}
