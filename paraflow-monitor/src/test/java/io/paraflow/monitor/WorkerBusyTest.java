package io.paraflow.monitor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The slots each worker kept busy with tries between its samples, on tries and samples given by hand (times in ns). */
class WorkerBusyTest {

    private static final double EXACT = 1e-12;

    @Test
    void aSampleGivesTheTimeInTriesSinceTheWorkersPreviousSampleOverTheTimeBetween() {
        WorkerBusy busy = new WorkerBusy(1_000);
        busy.tryEnded("a", 1_000, 1_010);
        busy.tryEnded("a", 1_020, 1_030);
        busy.sampleAt(1_040);
        busy.running("a", 1_035);
        // the first sample covers the time since the monitor started: 10 + 10 ended, 5 running, of 40
        assertThat(busy.load("a")).isCloseTo(25 / 40.0, within(EXACT));

        busy.sampleAt(1_050);
        busy.running("a", 1_035);
        assertThat(busy.load("a")).as("running all along").isCloseTo(1.0, within(EXACT));

        busy.tryEnded("a", 1_035, 1_055);
        busy.sampleAt(1_060);
        assertThat(busy.load("a")).as("the rest of the try, which ended in the middle").isCloseTo(0.5, within(EXACT));

        busy.sampleAt(1_080);
        assertThat(busy.load("a")).as("idle").isZero();
    }

    @Test
    void aWorkerThatRunsSeveralTriesAtOnceKeepsAsManySlotsBusy() {
        WorkerBusy busy = new WorkerBusy(0);
        busy.tryEnded("processes-1 (pid 42)", 0, 100);
        busy.tryEnded("processes-1 (pid 42)", 0, 100);
        busy.sampleAt(100);
        busy.running("processes-1 (pid 42)", 50);
        busy.running("processes-1 (pid 42)", 10);
        assertThat(busy.load("processes-1 (pid 42)")).isCloseTo(3.4, within(EXACT));
    }

    @Test
    void workersAreCountedApartWhateverTheOrderOfTheirTries() {
        WorkerBusy busy = new WorkerBusy(0);
        String a = "paraflow-1-threads-0";
        for (int i = 0; i < 10; i++) {
            // a name equal to the previous one but another string: the same worker
            busy.tryEnded(i % 3 == 0 ? "paraflow-1-threads-1" : new String(a), 10 * i, 10 * i + 5);
        }
        busy.sampleAt(100);
        busy.running("paraflow-1-threads-2", 60);
        busy.running(null, 10);
        busy.running("paraflow-1-threads-2", 0);
        assertThat(busy.load(a)).isCloseTo(6 * 5 / 100.0, within(EXACT));
        assertThat(busy.load("paraflow-1-threads-1")).isCloseTo(4 * 5 / 100.0, within(EXACT));
        // a try not started yet (0) is left out; one without a worker too
        assertThat(busy.load("paraflow-1-threads-2")).isCloseTo(40 / 100.0, within(EXACT));
    }

    @Test
    void aWorkerNeverSeenWithATryOrAskedTwiceInOneSampleIsUnknown() {
        WorkerBusy busy = new WorkerBusy(0);
        busy.tryEnded(null, 0, 10);
        busy.tryEnded("a", 0, 10);
        busy.sampleAt(20);
        assertThat(busy.load("jvm:42@host")).isNaN();
        assertThat(busy.load("a")).isCloseTo(0.5, within(EXACT));
        assertThat(busy.load("a")).isNaN();
    }

    @Test
    void aTryReadAfterTheSampleItEndedBeforeCountsAtTheNextAndTheTotalStaysRight() {
        WorkerBusy busy = new WorkerBusy(0);
        busy.tryEnded("a", 0, 20);
        busy.sampleAt(50);
        assertThat(busy.load("a")).isCloseTo(0.4, within(EXACT));
        // ended at 90, read after the sample at 100: that sample sees neither its end nor a running try
        busy.sampleAt(100);
        double first = busy.load("a");
        assertThat(first).isZero();
        busy.tryEnded("a", 60, 90);
        busy.sampleAt(200);
        busy.running("a", 150);
        double second = busy.load("a");
        assertThat(second).isCloseTo((30 + 50) / 100.0, within(EXACT));
        busy.tryEnded("a", 150, 250);
        busy.sampleAt(300);
        double third = busy.load("a");
        assertThat(third).isCloseTo(0.5, within(EXACT));
        assertThat(first * 50 + second * 100 + third * 100).as("busy time over the samples").isCloseTo(30 + 100, within(1e-9));
    }

    @Test
    void aRunningTryThatHadEndedBeforeTheSampleNeverMakesTheLoadNegative() {
        WorkerBusy busy = new WorkerBusy(0);
        // seen running at 100 (counted 90), though it ended at 80: its record says so later
        busy.sampleAt(100);
        busy.running("a", 10);
        assertThat(busy.load("a")).isCloseTo(0.9, within(EXACT));
        busy.tryEnded("a", 10, 80);
        busy.sampleAt(200);
        busy.running("a", 190);
        assertThat(busy.load("a")).as("80 < 90 counted already").isZero();
        busy.tryEnded("a", 190, 230);
        busy.sampleAt(300);
        assertThat(busy.load("a")).as("110 in all, 90 of them counted").isCloseTo(20 / 100.0, within(EXACT));
    }
}
