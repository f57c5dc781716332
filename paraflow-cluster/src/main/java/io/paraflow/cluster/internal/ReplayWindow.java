package io.paraflow.cluster.internal;

import java.util.Arrays;

/**
 * The sequence numbers received from one sender in one session, for anti-replay (as IPsec's, RFC 4303
 * section 3.4.3): a number is accepted once, and only if it is at most {@value #SIZE} below the highest
 * accepted so far. Numbers may arrive out of order within the window (Hazelcast delivers one sender's
 * messages on several threads); anything older, or seen before, is refused.
 *
 * <p>Why a window rather than remembering every nonce of a session: its memory is fixed (2 KB per sender)
 * however long the session lasts, and a number costs one bit to check.
 *
 * <p>Thread-safe.
 */
final class ReplayWindow {
    /**
     * How far below the highest number a message may arrive and still be accepted. A sender seals and hands
     * messages to one recipient in sequence order ({@link Envelopes#send}), so only delivery reorders them,
     * by a few messages; the window is far larger so that a thread stalled for seconds loses nothing.
     */
    static final int SIZE = 16_384;

    private final long[] seen = new long[SIZE / Long.SIZE];
    /** The highest number accepted; 0 before the first (numbers start at 1). */
    private long highest;

    /** Records {@code sequence} and returns true if it was neither seen before nor too old; sequences start at 1. */
    synchronized boolean accept(long sequence) {
        if (sequence <= 0) {
            return false;
        }
        if (sequence > highest) {
            if (sequence - highest >= SIZE) {
                Arrays.fill(seen, 0L);
            } else {
                // the slots of the numbers skipped held numbers that now fall out of the window
                for (long skipped = highest + 1; skipped < sequence; skipped++) {
                    clear(skipped);
                }
            }
            highest = sequence;
            set(sequence);
            return true;
        }
        if (highest - sequence >= SIZE || isSet(sequence)) {
            return false;
        }
        set(sequence);
        return true;
    }

    private boolean isSet(long sequence) {
        int slot = (int) (sequence % SIZE);
        return (seen[slot >>> 6] & (1L << slot)) != 0;
    }

    private void set(long sequence) {
        int slot = (int) (sequence % SIZE);
        seen[slot >>> 6] |= 1L << slot;
    }

    private void clear(long sequence) {
        int slot = (int) (sequence % SIZE);
        seen[slot >>> 6] &= ~(1L << slot);
    }
}
