package io.paraflow.serial;

import java.util.List;
import java.util.Objects;

/**
 * Makes a {@link Serializer} for an allow-list: how a worker process builds the same serializer as its
 * driver. Implementations are public classes with a public no-argument constructor (the worker creates
 * them by class name) and are thread-safe.
 */
public interface SerializerFactory {

    /**
     * Creates a serializer that deserializes the classes of its defaults and of {@code allowed}.
     *
     * @param allowed patterns in the syntax of {@link JavaSerializer} ({@code com.example.Point},
     *                {@code com.example.*}, {@code com.example.**}), already checked with
     *                {@link JavaSerializer#checkPattern}
     */
    Serializer create(List<String> allowed);

    /**
     * Like {@link #create(List)}, loading the classes it deserializes with {@code loader}: how a cluster
     * worker deserializes tasks whose classes it was given apart ({@code paraflow worker --classpath}).
     */
    Serializer create(List<String> allowed, ClassLoader loader);

    /**
     * Creates a factory of {@code type} the way workers do, by its public no-argument constructor: what an
     * executor's builder calls, so that a factory workers cannot create is refused on the driver.
     *
     * @throws IllegalArgumentException if it cannot be created so, naming the class
     */
    static SerializerFactory instantiate(Class<? extends SerializerFactory> type) {
        Objects.requireNonNull(type, "serializer factory");
        try {
            return type.getConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("serializer: " + type.getName() + " cannot be created by its"
                    + " public no-argument constructor, as workers must: " + e, e);
        }
    }
}
