package io.paraflow.pattern;

/**
 * Chooses which node of the next block receives an item: custom routing for a farm or an all-to-all.
 * Called on the producing node's thread; each producer has the same router instance, so a router with
 * state must be thread-safe (or stateless).
 *
 * @param <T> the type of items routed
 */
@FunctionalInterface
public interface Router<T> {

    /** The index, from 0 to {@code outputs - 1}, of the node that receives {@code item}. */
    int route(T item, int outputs);
}
