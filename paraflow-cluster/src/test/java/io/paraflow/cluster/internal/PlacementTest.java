package io.paraflow.cluster.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Placement decisions: cores, prefetch slots, memory, release and removal. */
class PlacementTest {

    @Test
    void aTaskGoesToTheWorkerWithTheMostFreeSlotsWhoseCoresAndMemoryFit() {
        Placement<String> placement = new Placement<>();
        Placement.Slots<String> small = placement.add("small", 2, 0, 1_000);
        Placement.Slots<String> big = placement.add("big", 8, 0, 10_000);

        assertThat(placement.place(1, 0)).isSameAs(big);
        assertThat(placement.place(4, 0)).as("only big has 4 cores").isSameAs(big);
        assertThat(placement.place(1, 5_000)).as("only big has the memory").isSameAs(big);
        assertThat(placement.place(2, 500)).as("big has 2 free slots, small 2: the older first").isSameAs(small);
        assertThat(placement.place(3, 0)).as("nobody has 3 free slots now").isNull();
        assertThat(placement.fitsAny(3, 0)).isTrue();
        assertThat(placement.fitsAny(9, 0)).isFalse();
        assertThat(placement.fitsAny(1, 20_000)).isFalse();

        placement.release(big, 4, 0);
        assertThat(placement.place(3, 0)).isSameAs(big);
    }

    @Test
    void prefetchSlotsQueueTasksBeyondTheCoresButNeverATaskWiderThanTheWorker() {
        Placement<String> placement = new Placement<>();
        Placement.Slots<String> worker = placement.add("w", 2, 2, 1_000);
        for (int i = 0; i < 4; i++) {
            assertThat(placement.place(1, 0)).isSameAs(worker);
        }
        assertThat(placement.place(1, 0)).isNull();
        placement.release(worker, 4, 0);
        assertThat(placement.place(3, 0)).as("3 free slots, but only 2 cores").isNull();
        assertThat(placement.anyFree()).isTrue();
    }

    @Test
    void aRemovedWorkerGetsNothingAndItsReleasesAreIgnored() {
        Placement<String> placement = new Placement<>();
        Placement.Slots<String> gone = placement.add("gone", 4, 0, 1_000);
        Placement.Slots<String> kept = placement.add("kept", 1, 0, 1_000);
        assertThat(placement.place(1, 0)).isSameAs(gone);
        placement.remove(gone);
        placement.release(gone, 1, 0);
        assertThat(gone.present()).isFalse();
        assertThat(placement.size()).isEqualTo(1);
        assertThat(placement.place(1, 0)).isSameAs(kept);
        assertThat(placement.place(1, 0)).isNull();
        assertThat(placement.anyFree()).isFalse();
    }

    @Test
    void aTaskNearItsInputGoesToItsHolderIfItCanStartThereOrIfNoOtherWorkerCanStartItNow() {
        Placement<String> placement = new Placement<>();
        Placement.Slots<String> holder = placement.add("holder", 1, 1, 1_000);
        Placement.Slots<String> other = placement.add("other", 1, 2, 1_000);

        assertThat(placement.placeNear(holder, 1, 0)).as("a free core on the holder").isSameAs(holder);
        assertThat(placement.placeNear(holder, 1, 0)).as("another worker can start it now").isSameAs(other);
        assertThat(placement.placeNear(holder, 1, 0))
                .as("nobody can start it now: the holder's prefetch slot, not the other's (which has more)")
                .isSameAs(holder);
        assertThat(placement.placeNear(holder, 1, 0)).as("the holder is full: the other's prefetch slot")
                .isSameAs(other);
        assertThat(placement.placeNear(holder, 1, 0)).as("and its last one").isSameAs(other);
        assertThat(placement.placeNear(holder, 1, 0)).as("full everywhere").isNull();

        placement.release(other, 1, 0);
        placement.remove(holder);
        assertThat(placement.placeNear(holder, 1, 0)).as("a holder that left").isSameAs(other);
    }
}
