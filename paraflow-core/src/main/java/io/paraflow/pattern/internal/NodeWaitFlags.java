package io.paraflow.pattern.internal;

/**
 * The flags of a node's wake-up protocol (see {@link Node}), between padding so that they share no cache
 * line with fields written for every item (see {@link NodeLeadingPadding}).
 */
abstract class NodeWaitFlags extends NodeLeadingPadding {
    /** Set for the whole of {@code Node.await}, from before its first check of the condition, and once the node ended. */
    volatile boolean waiting;
    /** Set in {@code Node.await} from before its last check of the condition until it returns from parking. */
    volatile boolean parked;
    /** Written before {@link #parked} is set: whether every neighbour waited, so that no wake-up of this park may be deferred. */
    boolean wakeAtOnce;
    /** Set by a waking thread when it unparks this node; tells a lost wake-up from a late-scheduled one. */
    volatile boolean woken;
    /**
     * Keeps a subclass's int from sharing the flags' line: HotSpot may lay it out just before the flags
     * (inside the leading padding) rather than after them, which serves the same end.
     */
    @SuppressWarnings("unused")
    private int fill;
}
