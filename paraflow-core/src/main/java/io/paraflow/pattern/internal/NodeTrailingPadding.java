package io.paraflow.pattern.internal;

/** Padding after a node's wait flags; see {@link NodeLeadingPadding}. */
abstract class NodeTrailingPadding extends NodeWaitFlags {
    @SuppressWarnings("unused")
    private long p11, p12, p13, p14, p15, p16, p17, p18;
}
