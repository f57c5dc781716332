package io.paraflow.cluster.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last {@code capacity} elements added: adding one more forgets the oldest. For what a member must
 * remember for a while, not for ever (tasks cancelled before they arrived).
 *
 * <p>Thread-safe.
 */
public final class RecentSet<T> {
    private final Map<T, Boolean> elements;

    public RecentSet(int capacity) {
        this.elements = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<T, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    public synchronized void add(T element) {
        elements.put(element, Boolean.TRUE);
    }

    public synchronized boolean contains(T element) {
        return elements.containsKey(element);
    }

    /** Removes {@code element}; true if it was there. */
    public synchronized boolean remove(T element) {
        return elements.remove(element) != null;
    }
}
