package io.paraflow.serial;

/**
 * Turns values into bytes and back, for values that leave the JVM: task functions (serializable lambdas
 * {@code Fn0..Fn4}), their arguments and their results. Implementations restrict what they deserialize
 * to an allow-list of classes, so that bytes from elsewhere cannot instantiate arbitrary classes.
 *
 * <p>Implementations are thread-safe: any thread may call any method at any time.
 */
public interface Serializer {

    /**
     * Serializes {@code value} (may be null).
     *
     * @throws SerializationException if the value, or something it refers to, cannot be serialized; the
     *                                message names the offending type
     */
    byte[] toBytes(Object value);

    /**
     * Deserializes {@code length} bytes of {@code bytes} from {@code offset}, as written by {@link #toBytes}.
     *
     * @throws SerializationException if the bytes name a class outside the allow-list (the message names
     *                                it and says how to allow it), a class that cannot be loaded, or are
     *                                corrupt
     */
    Object fromBytes(byte[] bytes, int offset, int length);

    /**
     * Whether values of {@code type} are refused on their own, whatever they refer to: the reason, naming
     * the type, or null if they are not known to be refused. Lets a caller reject a value early and
     * cheaply; {@link #toBytes} remains the full check. The default knows of no refusal.
     */
    default String refuses(Class<?> type) {
        return null;
    }
}
