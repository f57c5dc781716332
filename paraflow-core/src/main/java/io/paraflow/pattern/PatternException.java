package io.paraflow.pattern;

import io.paraflow.ParaflowException;

/**
 * A node of a pattern failed: its code threw {@link #getCause()}. The whole pattern stopped (every node's
 * thread ended) before this reached the caller. {@link #node()} names the node by its position, e.g.
 * {@code farm worker 1 of stage 3}, or by the name given with {@link Block#named}.
 */
public class PatternException extends ParaflowException {
    private static final long serialVersionUID = 1L;

    private final String pattern;
    private final String node;

    /** Creates the exception for {@code node} of {@code pattern}, which failed with {@code cause}. */
    public PatternException(String pattern, String node, Throwable cause) {
        super("pattern '" + pattern + "': " + node + " failed: " + cause, cause);
        this.pattern = pattern;
        this.node = node;
    }

    /** The pattern's name. */
    public String pattern() {
        return pattern;
    }

    /** The node that failed. */
    public String node() {
        return node;
    }
}
