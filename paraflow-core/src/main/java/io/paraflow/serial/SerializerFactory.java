package io.paraflow.serial;

import java.util.List;

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
}
