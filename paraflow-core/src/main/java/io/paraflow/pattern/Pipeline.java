package io.paraflow.pattern;

import io.paraflow.fn.Fn1;
import io.paraflow.pattern.internal.Assembly;
import io.paraflow.pattern.internal.Assembly.Fragment;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A sequence of blocks, each feeding the next, typed from stage to stage: {@code then} accepts only a
 * block whose input type takes this pipeline's output. Every stage runs on its own thread, so the stages
 * work on different items at the same time. Immutable: {@code then} returns a new pipeline.
 *
 * <p>Its nodes are named by position: the second stage of a pipeline that is worker 1 of a farm at
 * stage 3 is {@code stage 2 of farm worker 1 of stage 3}.
 *
 * @param <I> the type of items received by the first stage
 * @param <O> the type of items sent by the last stage
 */
public final class Pipeline<I, O> extends Block<I, O> {

    private final List<Block<?, ?>> stages;

    private Pipeline(List<Block<?, ?>> stages) {
        this.stages = List.copyOf(stages);
    }

    /** A pipeline whose first stage is {@code first}. */
    public static <I, O> Pipeline<I, O> of(Block<I, O> first) {
        return new Pipeline<>(List.of(Objects.requireNonNull(first, "first")));
    }

    /** A pipeline whose first stage runs {@code first}. */
    public static <I, O> Pipeline<I, O> of(Stage<I, O> first) {
        return of(Block.of(first));
    }

    /** This pipeline followed by {@code next}. */
    public <R> Pipeline<I, R> then(Block<? super O, R> next) {
        List<Block<?, ?>> longer = new ArrayList<>(stages);
        longer.add(Objects.requireNonNull(next, "next"));
        return new Pipeline<>(longer);
    }

    /** This pipeline followed by a stage that runs {@code next}. */
    public <R> Pipeline<I, R> then(Stage<? super O, R> next) {
        return then(Block.of(next));
    }

    /** This pipeline followed by a stage that sends {@code function}'s result for each item. */
    public <R> Pipeline<I, R> map(Fn1<? super O, ? extends R> function) {
        return then(Stage.map(function));
    }

    @Override
    Fragment assemble(Assembly assembly, String where) {
        List<Fragment> parts = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            parts.add(stages.get(i).assemble(assembly, "stage " + (i + 1) + " of " + where));
        }
        return assembly.pipeline(where, parts);
    }
}
