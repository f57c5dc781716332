package io.paraflow.pattern;

import io.paraflow.pattern.internal.Assembly;
import io.paraflow.pattern.internal.Assembly.Fragment;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A composable building block of a pattern with input items {@code I} and output items {@code O}: a
 * single {@link Stage}, a {@link Pipeline}, a {@link Farm}, an {@link AllToAll} or a {@link MasterWorker}.
 * Any block can be a pipeline stage, a farm worker or a member of an all-to-all set, and keeps its own
 * routing there (see {@link Farm}, "Nesting"). A composition that cannot work is refused when the
 * pattern is built ({@link Pattern.Builder#collect}, {@code forEach} or {@code to}), with the reason: block
 * factories ({@code ofBlocks}) are called then to see the blocks, stage and master factories are not.
 * Blocks are immutable descriptions: each run of a pattern makes fresh nodes from them (farm workers from
 * their factories; a {@link Stage} instance given directly is shared by every run and every place it
 * appears, so give a factory where state must not be shared).
 *
 * @param <I> the type of items received
 * @param <O> the type of items sent on
 */
public abstract class Block<I, O> {

    Block() {
    }

    /** A block of one node that runs {@code stage}. */
    public static <I, O> Block<I, O> of(Stage<I, O> stage) {
        Objects.requireNonNull(stage, "stage");
        return new Block<>() {
            @Override
            Fragment assemble(Assembly assembly, String where) {
                return assembly.stage(where, stage);
            }
        };
    }

    /** A block of one node that runs a stage made by {@code factory} for each run. */
    static <I, O> Block<I, O> madeBy(Supplier<? extends Stage<I, O>> factory) {
        Objects.requireNonNull(factory, "factory");
        return new Block<>() {
            @Override
            Fragment assemble(Assembly assembly, String where) {
                return assembly.stageMadeBy(where, factory);
            }
        };
    }

    /**
     * This block under the name {@code name}, which then names its nodes in errors and thread names
     * instead of its position (e.g. {@code farm worker 1 of parse} instead of {@code ... of stage 3}).
     */
    public Block<I, O> named(String name) {
        Objects.requireNonNull(name, "name");
        Block<I, O> inner = this;
        return new Block<>() {
            @Override
            Fragment assemble(Assembly assembly, String where) {
                return inner.assemble(assembly, name);
            }
        };
    }

    /** Makes this block's nodes and inner channels for one run; {@code where} names its position. */
    abstract Fragment assemble(Assembly assembly, String where);
}
