package io.paraflow.pattern;

import io.paraflow.fn.Fn1;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A node that receives a stream of items one at a time and sends zero, one or many items on (FastFlow's
 * {@code ff_node}; sending nothing for an item is its {@code GO_ON}). The runtime calls every method on
 * the node's own thread, one call at a time, so a stage's fields need no synchronization: {@link #start}
 * once, then {@link #process} per item, {@link #inputEnded} as each input ends, and {@link #end} once
 * after every input ended (FastFlow's {@code eosnotify}); all of them may emit. End of stream itself is
 * never an item: the runtime sends it on after {@code end} returns.
 *
 * <p>An exception thrown by any method stops the whole pattern; the caller of {@link Pattern#run} gets a
 * {@link PatternException} naming this node. A stage blocked in its own code when the pattern stops is
 * interrupted.
 *
 * <p>The common case is one lambda: {@code (item, out) -> out.emit(transform(item))}, or
 * {@link #map}/{@link #filter}.
 *
 * @param <I> the type of items received
 * @param <O> the type of items sent
 */
@FunctionalInterface
public interface Stage<I, O> {

    /** Called once before the first item. */
    default void start(Output<O> out) throws Exception {
    }

    /** Called once per item received. */
    void process(I item, Output<O> out) throws Exception;

    /** Called when input {@code input} (see {@link Output#input()}) has ended, before {@link #end} for the last one. */
    default void inputEnded(int input, Output<O> out) throws Exception {
    }

    /** Called once after every input ended; may still emit. */
    default void end(Output<O> out) throws Exception {
    }

    /** A stage that sends {@code function}'s result for each item ({@code null} results are dropped). */
    static <I, O> Stage<I, O> map(Fn1<? super I, ? extends O> function) {
        Objects.requireNonNull(function, "function");
        return (item, out) -> {
            O result = function.apply(item);
            if (result != null) {
                out.emit(result);
            }
        };
    }

    /** A stage that sends on the items {@code test} accepts. */
    static <T> Stage<T, T> filter(Predicate<? super T> test) {
        Objects.requireNonNull(test, "test");
        return (item, out) -> {
            if (test.test(item)) {
                out.emit(item);
            }
        };
    }
}
