package io.paraflow.pattern;

import java.util.Objects;

/**
 * The first node of a pattern: it produces the stream by emitting items, then returns, which ends the
 * stream. Runs on its own thread; {@link Output#emit} blocks while the next block has no room.
 *
 * @param <T> the type of items produced
 */
@FunctionalInterface
public interface Source<T> {

    /**
     * Emits every item of the stream, then returns. An exception stops the whole pattern.
     */
    void produce(Output<T> out) throws Exception;

    /** A source of the items of {@code items}, in iteration order. */
    static <T> Source<T> of(Iterable<? extends T> items) {
        Objects.requireNonNull(items, "items");
        return out -> {
            for (T item : items) {
                out.emit(item);
            }
        };
    }

    /** A source of the numbers from {@code from} (inclusive) to {@code to} (exclusive). */
    static Source<Long> range(long from, long to) {
        return out -> {
            for (long i = from; i < to; i++) {
                out.emit(i);
            }
        };
    }

    /** A source of no items, for a master-worker farm that makes its own tasks in {@link Master#start}. */
    static <T> Source<T> empty() {
        return out -> {
        };
    }
}
