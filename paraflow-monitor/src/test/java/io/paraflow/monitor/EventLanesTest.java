package io.paraflow.monitor;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskEvent.Kind;
import io.paraflow.event.TaskInfo;
import io.paraflow.exec.Resources;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import static io.paraflow.monitor.Collected.assertCollected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lanes turn each end of a task or try into one record holding every field the database needs, count
 * submissions and starts, show every running try whichever threads start and end it, and bound their memory.
 */
@ExtendWith(NoLeakedThreads.class)
class EventLanesTest {

    private static final int TASKS = 20_000;

    /** Records what the consumer is told, one line per record. */
    private static final class Recorder implements EventLanes.Consumer {
        final List<String> lines = new ArrayList<>();
        final List<TaskInfo> submitted = new ArrayList<>();

        @Override
        public void submitted(TaskInfo task) {
            lines.add("submitted " + task.id());
            submitted.add(task);
        }

        @Override
        public void retried(TaskInfo task, int attempt, String worker, long startedNs, long endedNs, Throwable error) {
            lines.add("retried " + task.id() + " " + attempt + " " + worker + " " + startedNs + "-" + endedNs + " "
                    + error.getMessage());
        }

        @Override
        public void ended(TaskEvent.Kind end, long taskId, int attempt, String name, String executor, int cores,
                          int gpus, long memoryBytes, long[] dependencies, long submittedNs, long readyNs, long startedNs,
                          String worker, long endedNs, Throwable error) {
            lines.add(end + " " + taskId + " " + attempt + " " + name + " " + executor + " " + cores + " " + gpus + " " + memoryBytes
                    + " " + dependencies.length + ":" + LongStream.of(dependencies).sum() + " " + submittedNs + " "
                    + readyNs + " " + startedNs + " " + worker + " " + endedNs + " "
                    + (error == null ? "-" : error.getMessage()));
        }
    }

    /**
     * A task of flow 1 named after its id, on executor "threads", asking for 2 cores, 4096 bytes and 3 GPUs, on
     * attempt 2, submitted at 10, ready at 20, its attempt started at 30 on worker-(id % 5) unless
     * {@code started} is false; it has ended once {@link #end} was called. It keeps {@code flow} alive, as a
     * runtime task keeps its flow (and, through the flow's listener, the monitor's lanes), and runs
     * {@code whenAskedIfEnded} each time it is asked whether it ended.
     */
    private record Info(long id, long[] dependencyIds, boolean started, AtomicBoolean hasEnded, Object flow,
                        Runnable whenAskedIfEnded) implements TaskInfo {
        Info(long id) {
            this(id, new long[0], true);
        }

        Info(long id, long[] dependencyIds, boolean started) {
            this(id, dependencyIds, started, new AtomicBoolean(), null, () -> { });
        }

        /** A started task of {@code flow}. */
        Info(long id, Object flow, Runnable whenAskedIfEnded) {
            this(id, new long[0], true, new AtomicBoolean(), flow, whenAskedIfEnded);
        }

        @Override
        public long flowId() {
            return 1;
        }

        @Override
        public String name() {
            return "task" + id % 3;
        }

        @Override
        public String executorLabel() {
            return "threads";
        }

        @Override
        public Resources resources() {
            return new Resources(2, 4096, 3);
        }

        @Override
        public int attempt() {
            return 2;
        }

        @Override
        public long submittedNanos() {
            return 10;
        }

        @Override
        public long readyNanos() {
            return 20;
        }

        @Override
        public long startedNanos() {
            return started ? 30 : 0;
        }

        @Override
        public String worker() {
            return started ? "worker-" + id % 5 : null;
        }

        @Override
        public boolean ended() {
            whenAskedIfEnded.run();
            return hasEnded.get();
        }

        /** Marks the task ended, as the runtime does before its end step is delivered. */
        void end() {
            hasEnded.set(true);
        }
    }

    private static void publish(EventLanes lanes, Kind step, TaskInfo task, Throwable error) {
        lanes.publish(task, step, step == Kind.SUBMITTED || step == Kind.READY ? 0 : 2, 1000 + task.id(), error);
    }

    @Test
    void everyEndBecomesOneRecordWithEveryFieldAndTheOtherStepsAreCounted() {
        EventLanes lanes = new EventLanes(1 << 20);
        long[] many = LongStream.range(0, EventLanes.MAX_INLINE_DEPENDENCIES + 1).toArray();
        IOException error = new IOException("broken");
        Info seven = new Info(7, new long[] {3, 4}, true);
        Info eight = new Info(8, many, true);
        Info nine = new Info(9, new long[0], false);
        publish(lanes, Kind.SUBMITTED, seven, null);
        publish(lanes, Kind.SUBMITTED, eight, null);
        publish(lanes, Kind.READY, seven, null);
        publish(lanes, Kind.STARTED, seven, null);
        assertThat(lanes.running()).containsExactly(seven);
        publish(lanes, Kind.RETRIED, seven, error);
        assertThat(lanes.running()).as("a try that ended on its thread is not running there").isEmpty();
        publish(lanes, Kind.STARTED, seven, null);
        publish(lanes, Kind.FINISHED, seven, null);
        publish(lanes, Kind.STARTED, eight, null);
        publish(lanes, Kind.FAILED, eight, error);
        publish(lanes, Kind.CANCELLED, nine, null);
        Recorder recorder = new Recorder();

        assertThat(lanes.drain(recorder, 100, true)).isEqualTo(6);

        assertThat(recorder.lines).containsExactly(
                "submitted 7",
                "submitted 8",
                "retried 7 2 worker-2 30-1007 broken",
                "FINISHED 7 2 task1 threads 2 3 4096 2:7 10 20 30 worker-2 1007 -",
                "FAILED 8 2 task2 threads 2 3 4096 257:" + (256L * 257 / 2) + " 10 20 30 worker-3 1008 broken",
                "CANCELLED 9 2 task0 threads 2 3 4096 0:0 10 20 0 null 1009 -");
        assertThat(lanes.counts()).as("submitted, started, tries ended, finished, failed, cancelled")
                .containsExactly(2, 3, 3, 1, 1, 1);
        assertThat(lanes.drain(recorder, 100, true)).isZero();
        assertThat(recorder.submitted.get(0)).as("a submission holds the task's view, not a copy").isSameAs(seven);
        assertThat(recorder.submitted.get(1)).isSameAs(eight);
    }

    /** Ends {@code task} as its executor would from a thread of its own: marked ended, then FINISHED published there. */
    private static void finishOnAnotherThread(EventLanes lanes, Info task) throws InterruptedException {
        Thread other = new Thread(() -> {
            task.end();
            publish(lanes, Kind.FINISHED, task, null);
        }, "other");
        other.start();
        other.join();
    }

    @Test
    void triesThatOneThreadStartsAndOthersEndAllRunUntilTheirEnds() throws Exception {
        EventLanes lanes = new EventLanes(1 << 20);
        Info one = new Info(1);
        Info two = new Info(2);
        Info three = new Info(3);
        // as a worker-process executor does: this thread starts every try, the threads reading answers end them
        for (Info task : List.of(one, two, three)) {
            publish(lanes, Kind.STARTED, task, null);
        }
        assertThat(lanes.running()).containsExactlyInAnyOrder(one, two, three);

        finishOnAnotherThread(lanes, two);
        assertThat(lanes.running()).containsExactlyInAnyOrder(one, three);
        finishOnAnotherThread(lanes, three);
        assertThat(lanes.running()).as("the try this thread started last ended elsewhere").containsExactly(one);
        Info four = new Info(4);
        publish(lanes, Kind.STARTED, four, null);
        assertThat(lanes.running()).containsExactlyInAnyOrder(one, four);
        finishOnAnotherThread(lanes, one);
        finishOnAnotherThread(lanes, four);
        assertThat(lanes.running()).isEmpty();
        assertThat(lanes.counts()).as("submitted, started, tries ended, finished, failed, cancelled")
                .containsExactly(0, 4, 4, 4, 0, 0);
    }

    @Test
    void aTaskWaitingForTheTryItsThreadRunsMeanwhileRunsToo() {
        EventLanes lanes = new EventLanes(1 << 20);
        Info outer = new Info(1);
        Info inner = new Info(2);
        publish(lanes, Kind.STARTED, outer, null);
        publish(lanes, Kind.STARTED, inner, null);
        assertThat(lanes.running()).containsExactlyInAnyOrder(outer, inner);

        inner.end();
        publish(lanes, Kind.FINISHED, inner, null);
        assertThat(lanes.running()).as("the outer task goes on once the inner one ended").containsExactly(outer);
        outer.end();
        publish(lanes, Kind.FINISHED, outer, null);
        assertThat(lanes.running()).isEmpty();
    }

    @Test
    void aTaskRetriedElsewhereShowsOnceWhereverItsTriesStart() throws Exception {
        EventLanes lanes = new EventLanes(1 << 20);
        Info retried = new Info(1);
        Info other = new Info(2);
        publish(lanes, Kind.STARTED, retried, null);
        Thread retrier = new Thread(() -> {
            publish(lanes, Kind.RETRIED, retried, new IOException("again"));
            publish(lanes, Kind.STARTED, retried, null);
        }, "retrier");
        retrier.start();
        retrier.join();
        publish(lanes, Kind.STARTED, other, null);
        publish(lanes, Kind.STARTED, retried, null);

        assertThat(lanes.running()).containsExactlyInAnyOrder(retried, other);
        assertThat(lanes.running()).as("asked again").containsExactlyInAnyOrder(retried, other);
    }

    @Test
    void aTryStartedByAThreadThatEndedRunsUntilItEnds() throws Exception {
        EventLanes lanes = new EventLanes(1 << 20);
        Info task = new Info(1);
        Thread starter = new Thread(() -> publish(lanes, Kind.STARTED, task, null), "starter");
        starter.start();
        starter.join();
        lanes.drain(new Recorder(), 100, true);

        assertThat(lanes.running()).containsExactly(task);
        finishOnAnotherThread(lanes, task);
        assertThat(lanes.running()).isEmpty();
        assertThat(lanes.counts()).containsExactly(0, 1, 1, 1, 0, 0);
    }

    @Test
    void lanesThatKeepNoRecordsOnlyCountEveryStep() {
        EventLanes lanes = new EventLanes(1 << 20, false);
        Info one = new Info(1);
        Info two = new Info(2);
        Info three = new Info(3);
        for (Info task : List.of(one, two, three)) {
            publish(lanes, Kind.SUBMITTED, task, null);
            publish(lanes, Kind.STARTED, task, null);
        }
        publish(lanes, Kind.RETRIED, one, new IOException("again"));
        publish(lanes, Kind.FINISHED, one, null);
        publish(lanes, Kind.FAILED, two, new IOException("no"));
        publish(lanes, Kind.CANCELLED, three, new CancellationException());
        Recorder recorder = new Recorder();

        assertThat(lanes.drain(recorder, 100, true)).isZero();
        assertThat(recorder.submitted).isEmpty();
        assertThat(lanes.counts()).as("submitted, started, tries ended, finished, failed, cancelled")
                .containsExactly(3, 3, 4, 1, 1, 1);
        assertThat(lanes.running()).as("every try ended").isEmpty();
    }

    @Test
    void withoutAllOnlyTheChunksAPublisherHasFilledAreRead() {
        EventLanes lanes = new EventLanes(1 << 20);
        Recorder recorder = new Recorder();
        publish(lanes, Kind.FINISHED, new Info(1), null);

        assertThat(lanes.drain(recorder, 100, false)).as("the chunk being filled is left alone").isZero();
        assertThat(lanes.drain(recorder, 100, true)).isEqualTo(1);

        // enough records to fill the first chunk and start a second one
        int tasks = EventLanes.LONGS;
        for (int i = 0; i < tasks; i++) {
            publish(lanes, Kind.FINISHED, new Info(i), null);
        }
        int filled = lanes.drain(recorder, 2 * tasks, false);
        assertThat(filled).isPositive().isLessThan(tasks);
        assertThat(lanes.drain(recorder, 2 * tasks, true)).isEqualTo(tasks - filled);
    }

    @Test
    void theCountsOfThreadsThatEndedAreKeptAndTheirLanesFreed() throws Exception {
        EventLanes lanes = new EventLanes(1 << 24);
        Thread even = new Thread(() -> runEvery(lanes, 0), "even");
        Thread odd = new Thread(() -> runEvery(lanes, 1), "odd");
        even.start();
        odd.start();
        even.join();
        odd.join();
        Recorder recorder = new Recorder();

        assertThat(lanes.drain(recorder, 3 * TASKS, true)).isEqualTo(2 * TASKS);

        assertThat(recorder.lines).filteredOn(line -> line.startsWith("FINISHED ")).hasSize(TASKS);
        assertThat(recorder.submitted).hasSize(TASKS);
        assertThat(lanes.usedBytes()).as("the lanes of threads that ended are freed once drained").isZero();
        assertThat(lanes.counts()).containsExactly(TASKS, TASKS, TASKS, TASKS, 0, 0);
        assertThat(lanes.running()).isEmpty();
    }

    /** Submits, starts and finishes every second task, starting at {@code first}. */
    private static void runEvery(EventLanes lanes, int first) {
        for (int i = first; i < TASKS; i += 2) {
            Info task = new Info(i);
            publish(lanes, Kind.SUBMITTED, task, null);
            publish(lanes, Kind.STARTED, task, null);
            publish(lanes, Kind.FINISHED, task, null);
        }
    }

    @Test
    void aPublisherWaitsWhileTheLanesAreFullAndLosesNothing() throws Exception {
        EventLanes lanes = new EventLanes(2 * EventLanes.CHUNK_BYTES);
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < TASKS; i++) {
                publish(lanes, i % 2 == 0 ? Kind.FINISHED : Kind.RETRIED, new Info(i), new IOException("try " + i));
            }
        }, "publisher");
        publisher.start();
        // the records need many more chunks than the two the lanes may hold: the publisher must wait for us
        while (lanes.usedBytes() < 2 * EventLanes.CHUNK_BYTES) {
            Thread.onSpinWait();
        }
        assertThat(publisher.isAlive()).as("a publisher cannot finish while the lanes are full").isTrue();
        assertThat(lanes.usedBytes()).isLessThanOrEqualTo(2 * EventLanes.CHUNK_BYTES);

        Recorder recorder = new Recorder();
        while (publisher.isAlive() || lanes.drain(recorder, 1, true) > 0) {
            lanes.drain(recorder, 1000, true);
        }
        publisher.join();
        lanes.drain(recorder, TASKS, true);

        assertThat(recorder.lines).hasSize(TASKS);
        for (int i = 0; i < TASKS; i++) {
            assertThat(recorder.lines.get(i)).startsWith((i % 2 == 0 ? "FINISHED " : "retried ") + i + " ")
                    .endsWith(" try " + i);
        }
        assertThat(lanes.usedBytes()).as("the lane of a thread that ended is freed once drained").isZero();
    }

    @Test
    void aPublisherStopsWaitingWhenTheConsumerDied() throws Exception {
        EventLanes lanes = new EventLanes(2 * EventLanes.CHUNK_BYTES);
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < TASKS; i++) {
                publish(lanes, Kind.FINISHED, new Info(i), null);
            }
        }, "publisher");
        publisher.start();
        while (lanes.usedBytes() < 2 * EventLanes.CHUNK_BYTES) {
            Thread.onSpinWait();
        }
        lanes.consumerDied();
        publisher.join();
        assertThat(publisher.isAlive()).isFalse();
    }

    @Test
    void lanesWhoseConsumerDiedKeepNoTaskOfTheirFlowOnThreadsThatLiveOn() throws Exception {
        // this thread lives on, keeping its lanes in its ThreadLocal map: they must not keep the flow's tasks
        assertCollected(startedOnThisThreadThenConsumerDied());
    }

    /** Tries started on this thread and a submission recorded, then the consumer died; the lanes are dropped. */
    private static List<WeakReference<TaskInfo>> startedOnThisThreadThenConsumerDied() {
        EventLanes lanes = new EventLanes(1 << 20);
        Info submitted = new Info(1, lanes, () -> { });
        Info queued = new Info(2, lanes, () -> { });
        Info inSlot = new Info(3, lanes, () -> { });
        publish(lanes, Kind.SUBMITTED, submitted, null);
        publish(lanes, Kind.STARTED, queued, null);
        publish(lanes, Kind.STARTED, inSlot, null);
        lanes.consumerDied();
        return List.of(new WeakReference<>(submitted), new WeakReference<>(queued), new WeakReference<>(inSlot));
    }

    @Test
    void aStartThatLookedBeforeTheConsumerDiedLeavesNoTaskInTheQueueNorInItsSlot() throws Exception {
        assertCollected(startedAsTheConsumerDies());
    }

    /**
     * A try started on this thread while another it started runs elsewhere, and the consumer dies after the
     * start looked whether it lives: while the start asks whether the other try ended.
     */
    private static List<WeakReference<TaskInfo>> startedAsTheConsumerDies() {
        EventLanes lanes = new EventLanes(1 << 20);
        Info elsewhere = new Info(1, lanes, lanes::consumerDied);
        Info started = new Info(2, lanes, () -> { });
        publish(lanes, Kind.STARTED, elsewhere, null);
        publish(lanes, Kind.STARTED, started, null);
        return List.of(new WeakReference<>(elsewhere), new WeakReference<>(started));
    }

    @Test
    void aTryThatEndedOnAnotherThreadIsNotKeptByTheSlotOfTheThreadThatStartedIt() throws Exception {
        EventLanes lanes = new EventLanes(1 << 20);
        WeakReference<TaskInfo> ended = startedHereEndedElsewhere(lanes);
        assertThat(lanes.running()).isEmpty();
        assertCollected(List.of(ended));
        assertThat(lanes.counts()).containsExactly(0, 1, 1, 1, 0, 0);
    }

    private static WeakReference<TaskInfo> startedHereEndedElsewhere(EventLanes lanes) throws InterruptedException {
        Info task = new Info(1);
        publish(lanes, Kind.STARTED, task, null);
        finishOnAnotherThread(lanes, task);
        return new WeakReference<>(task);
    }

    @Test
    void aBufferTooSmallForTwoChunksIsRefused() {
        assertThatThrownBy(() -> new EventLanes(EventLanes.CHUNK_BYTES))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least");
    }
}
