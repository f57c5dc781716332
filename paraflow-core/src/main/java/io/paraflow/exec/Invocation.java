package io.paraflow.exec;

import io.paraflow.fn.Fn0;
import io.paraflow.fn.Fn1;
import io.paraflow.fn.Fn2;
import io.paraflow.fn.Fn3;
import io.paraflow.fn.Fn4;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * A task function together with the values of its arguments: what an out-of-process executor sends to a
 * worker. Immutable; serializable when the function and the values are.
 */
public final class Invocation implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Serializable function;
    private final Object[] arguments;

    /**
     * Creates an invocation.
     *
     * @param function one of {@link Fn0} to {@link Fn4}
     * @param arguments as many values as the function takes
     * @throws IllegalArgumentException if the function's arity and the number of arguments differ
     */
    public Invocation(Serializable function, Object... arguments) {
        this.function = Objects.requireNonNull(function, "function");
        this.arguments = arguments.clone();
        int arity = arity(function);
        if (arity != this.arguments.length) {
            throw new IllegalArgumentException("function " + function.getClass().getName() + " takes " + arity
                    + " argument(s), got " + this.arguments.length);
        }
    }

    /** The task function. */
    public Serializable function() {
        return function;
    }

    /** A copy of the argument values. */
    public Object[] arguments() {
        return arguments.clone();
    }

    /** Calls the function with the arguments on the calling thread. */
    public Object invoke() throws Exception {
        return call(function, arguments);
    }

    /**
     * Calls {@code function} (one of {@link Fn0} to {@link Fn4}) with {@code args}. The one place where
     * every executor, in-process or not, turns a function and its values into a result.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static Object call(Object function, Object[] args) throws Exception {
        if (function instanceof Fn1 f) {
            return f.apply(args[0]);
        } else if (function instanceof Fn0 f) {
            return f.call();
        } else if (function instanceof Fn2 f) {
            return f.apply(args[0], args[1]);
        } else if (function instanceof Fn3 f) {
            return f.apply(args[0], args[1], args[2]);
        } else if (function instanceof Fn4 f) {
            return f.apply(args[0], args[1], args[2], args[3]);
        }
        throw new IllegalArgumentException("not a task function: " + function.getClass().getName());
    }

    /** The number of arguments {@code function} takes. */
    public static int arity(Object function) {
        if (function instanceof Fn0) {
            return 0;
        } else if (function instanceof Fn1) {
            return 1;
        } else if (function instanceof Fn2) {
            return 2;
        } else if (function instanceof Fn3) {
            return 3;
        } else if (function instanceof Fn4) {
            return 4;
        }
        throw new IllegalArgumentException("not a task function: " + function.getClass().getName());
    }

    @Override
    public String toString() {
        return "Invocation[" + function.getClass().getName() + Arrays.toString(arguments) + "]";
    }
}
