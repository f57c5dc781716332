package io.paraflow.pattern.internal;

/**
 * First of the classes that keep a node's wait flags ({@link NodeWaitFlags}) on a cache line of their
 * own: the neighbours' threads read {@link NodeWaitFlags#waiting} for every item they publish, and the
 * node writes its own cursors for every item it handles, so sharing a line would cost a cache miss per
 * item on both sides. Superclass fields are laid out first; {@code fill} takes the gap after the object
 * header, which would otherwise receive a subclass field.
 */
abstract class NodeLeadingPadding {
    @SuppressWarnings("unused")
    private int fill;
    @SuppressWarnings("unused")
    private long p01, p02, p03, p04, p05, p06, p07, p08;
}
