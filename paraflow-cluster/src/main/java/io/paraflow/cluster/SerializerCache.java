package io.paraflow.cluster;

import io.paraflow.serial.Serializer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A worker's serializers, one per driver configuration (serializer factory and allow-list) it has received
 * tasks with: at most {@code capacity}, the least recently used dropped first, so that a long-lived worker
 * serving many drivers (or a driver sending many allow-lists) does not keep a serializer for each for ever.
 * A serializer is created outside the lock: a slow creation (loading the serializer's classes) holds up no
 * other driver's tasks; two threads asking for a new one at once may both create it, and one is kept.
 *
 * <p>Thread-safe.
 */
final class SerializerCache {
    private final BiFunction<String, List<String>, Serializer> create;
    private final Map<String, Serializer> serializers;

    /** @param create makes the serializer of a factory class name and allow-list; may throw, nothing is kept then */
    SerializerCache(int capacity, BiFunction<String, List<String>, Serializer> create) {
        this.create = create;
        this.serializers = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Serializer> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The serializer of {@code factory} with {@code allowed}, created if it is not kept. */
    Serializer get(String factory, List<String> allowed) {
        String key = factory + "\n" + String.join("\n", allowed);
        synchronized (serializers) {
            Serializer kept = serializers.get(key);
            if (kept != null) {
                return kept;
            }
        }
        Serializer created = create.apply(factory, allowed);
        synchronized (serializers) {
            Serializer raced = serializers.putIfAbsent(key, created);
            return raced != null ? raced : created;
        }
    }

    /** How many serializers are kept (for tests). */
    int size() {
        synchronized (serializers) {
            return serializers.size();
        }
    }
}
