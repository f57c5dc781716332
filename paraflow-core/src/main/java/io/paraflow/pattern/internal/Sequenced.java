package io.paraflow.pattern.internal;

/**
 * An item inside an ordered farm, numbered by the producer in front of the farm. A worker sends its
 * results for input {@code seq} in envelopes with the same number, the last one marked {@code last}
 * (carrying {@link Node#NOTHING} if the input gave no result); the collector takes envelopes in number
 * order. Mutable so that a worker that emits one result per input sends its input's envelope back.
 */
final class Sequenced {
    final long seq;
    Object item;
    boolean last;

    Sequenced(long seq, Object item) {
        this.seq = seq;
        this.item = item;
    }
}
