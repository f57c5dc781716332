package io.paraflow.pattern.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ring's batched publishing, driven from one thread so that every step is deterministic: what the
 * consumer can see after each producer action. (The threaded behaviour is covered by the pattern tests,
 * e.g. {@code PipelineTest}'s producer that waits in its own code and {@code WakeUpStressTest}.)
 */
@Timeout(10)
class SpscRingTest {

    /** A ring of 1,024 items publishes its tail every 32 items. */
    private static final int CAPACITY = 1024;
    private static final int PUBLISH_BATCH = 32;

    private final Run run = new Run("ring test", false);
    private final Node producer = new Node(run, "producer", Node.Role.SOURCE, null);
    private final Node consumer = new Node(run, "consumer", Node.Role.STAGE, null);
    private final SpscRing ring = new SpscRing(producer, consumer, CAPACITY);

    @Test
    void aBusyConsumerSeesItemsInBatchesOrOnceTheProducerFlushes() {
        offer(0, 5);
        assertThat(ring.hasItem()).as("5 items, not yet published").isFalse();
        assertThat(ring.poll()).isNull();
        ring.flushWake();
        assertThat(pollAll()).containsExactly(0, 1, 2, 3, 4);

        offer(5, PUBLISH_BATCH);
        assertThat(ring.hasItem()).as("a full batch is published without a flush").isTrue();
        assertThat(pollAll()).hasSize(PUBLISH_BATCH).startsWith(5).endsWith(5 + PUBLISH_BATCH - 1);
    }

    @Test
    void aConsumerTakesWhatTheProducerLeftUnpublishedExactlyOnce() {
        offer(0, 3);
        assertThat(ring.hasItem()).isFalse();
        ring.takeUnpublished();
        assertThat(ring.hasItem()).isTrue();
        assertThat(pollAll()).containsExactly(0, 1, 2);

        ring.flushWake();
        assertThat(ring.poll()).as("the producer's late publish of items already taken").isNull();
        offer(3, 2);
        ring.flushWake();
        assertThat(pollAll()).containsExactly(3, 4);
    }

    @Test
    void everyItemIsPublishedAtOnceWhileTheConsumerWaits() {
        consumer.waiting = true;
        for (int i = 0; i < 3 * PUBLISH_BATCH; i++) {
            offer(i, 1);
            assertThat(ring.hasItem()).as("item %d", i).isTrue();
            assertThat(ring.poll()).isEqualTo(i);
        }
    }

    @Test
    void afterTheRingWrappedTheConsumerTakesOnlyThisLapsUnpublishedItems() {
        offer(0, CAPACITY - 10);
        ring.flushWake();
        assertThat(pollAll()).hasSize(CAPACITY - 10);
        ring.releaseConsumed();
        offer(CAPACITY - 10, 25);

        ring.takeUnpublished();

        assertThat(pollAll()).as("15 past the wrap, none of the previous lap").hasSize(25)
                .startsWith(CAPACITY - 10).endsWith(CAPACITY + 14);
        ring.flushWake();
        assertThat(ring.poll()).isNull();
    }

    @Test
    void takingUnpublishedItemsStopsAtAFullRing() {
        offer(0, CAPACITY);
        // Every slot holds an item: the scan must stop at the capacity, not go round the ring.
        assertThat(ring.offer(CAPACITY)).as("full").isFalse();
        ring.takeUnpublished();
        assertThat(pollAll()).hasSize(CAPACITY).startsWith(0).endsWith(CAPACITY - 1);
        ring.releaseConsumed();
        assertThat(ring.offer(CAPACITY)).isTrue();
        ring.flushWake();
        assertThat(pollAll()).containsExactly(CAPACITY);
    }

    private void offer(int first, int count) {
        for (int i = first; i < first + count; i++) {
            assertThat(ring.offer(i)).isTrue();
        }
    }

    private List<Object> pollAll() {
        List<Object> items = new ArrayList<>();
        Object item;
        while ((item = ring.poll()) != null) {
            items.add(item);
        }
        return items;
    }
}
