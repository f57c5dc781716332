package io.paraflow.monitor;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;
import io.paraflow.exec.Resources;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lanes carry every field of every event, in each thread's order, and bound their memory. */
@ExtendWith(NoLeakedThreads.class)
class EventLanesTest {

    private static final int EVENTS = 20_000;

    /** Records what the consumer is told, one line per record. */
    private static final class Recorder implements EventLanes.Consumer {
        final List<String> lines = new ArrayList<>();

        @Override
        public void submitted(long taskId, long epochNanos, String name, String executor, int cores, long memoryBytes,
                              long[] dependencies) {
            lines.add("submitted " + taskId + " " + epochNanos + " " + name + " " + executor + " " + cores + " "
                    + memoryBytes + " " + dependencies.length + ":" + LongStream.of(dependencies).sum());
        }

        @Override
        public void ready(long taskId, long epochNanos) {
            lines.add("ready " + taskId + " " + epochNanos);
        }

        @Override
        public void started(long taskId, int attempt, long epochNanos, String worker) {
            lines.add("started " + taskId + " " + attempt + " " + epochNanos + " " + worker);
        }

        @Override
        public void ended(TaskEvent.Kind kind, long taskId, int attempt, long epochNanos, String worker, Throwable error) {
            lines.add(kind + " " + taskId + " " + attempt + " " + epochNanos + " " + worker + " "
                    + (error == null ? "-" : error.getMessage()));
        }
    }

    /** A task of flow 1 named after its id, on executor "threads", asking for 2 cores and 4096 bytes. */
    private record Info(long id, long[] dependencyIds) implements TaskInfo {
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
            return new Resources(2, 4096, 0);
        }
    }

    /** Publishes a step of task {@code id} at time 1000 + id, on attempt 2 and worker-(id % 5) unless SUBMITTED. */
    private static void publish(EventLanes lanes, TaskEvent.Kind kind, long id, List<Long> dependencies, Throwable error) {
        boolean submitted = kind == TaskEvent.Kind.SUBMITTED;
        lanes.publish(new Info(id, dependencies.stream().mapToLong(Long::longValue).toArray()), kind, submitted ? 0 : 2,
                submitted ? null : "worker-" + id % 5, 1000 + id, error);
    }

    @Test
    void everyFieldOfEveryKindComesOutAsPublished() {
        EventLanes lanes = new EventLanes(1 << 20);
        List<Long> many = LongStream.range(0, EventLanes.MAX_INLINE_DEPENDENCIES + 1).boxed().toList();
        IOException error = new IOException("broken");
        publish(lanes, TaskEvent.Kind.SUBMITTED, 7, List.of(3L, 4L), null);
        publish(lanes, TaskEvent.Kind.SUBMITTED, 8, many, null);
        publish(lanes, TaskEvent.Kind.READY, 7, List.of(), null);
        publish(lanes, TaskEvent.Kind.STARTED, 7, List.of(), null);
        publish(lanes, TaskEvent.Kind.RETRIED, 7, List.of(), error);
        publish(lanes, TaskEvent.Kind.FINISHED, 7, List.of(), null);
        publish(lanes, TaskEvent.Kind.FAILED, 8, List.of(), error);
        publish(lanes, TaskEvent.Kind.CANCELLED, 9, List.of(), null);
        Recorder recorder = new Recorder();

        assertThat(lanes.drain(recorder, 100)).isEqualTo(8);

        assertThat(recorder.lines).containsExactly(
                "submitted 7 1007 task1 threads 2 4096 2:7",
                "submitted 8 1008 task2 threads 2 4096 257:" + (256L * 257 / 2),
                "ready 7 1007",
                "started 7 2 1007 worker-2",
                "RETRIED 7 2 1007 worker-2 broken",
                "FINISHED 7 2 1007 worker-2 -",
                "FAILED 8 2 1008 worker-3 broken",
                "CANCELLED 9 2 1009 worker-4 -");
        assertThat(lanes.drain(recorder, 100)).isZero();
    }

    @Test
    void lanesAreReadEarliestEventFirst() throws Exception {
        EventLanes lanes = new EventLanes(1 << 24);
        Thread even = new Thread(() -> publishEvery(lanes, 0), "even");
        Thread odd = new Thread(() -> publishEvery(lanes, 1), "odd");
        even.start();
        odd.start();
        even.join();
        odd.join();
        Recorder recorder = new Recorder();

        assertThat(lanes.drain(recorder, 2 * EVENTS)).isEqualTo(EVENTS);

        for (int i = 0; i < EVENTS; i++) {
            assertThat(recorder.lines.get(i)).startsWith("started " + i + " ");
        }
        assertThat(lanes.usedBytes()).as("the lanes of threads that ended are freed once drained").isZero();
    }

    /** Publishes the events of every second task, starting at {@code first}; a task's id is its time. */
    private static void publishEvery(EventLanes lanes, int first) {
        for (int i = first; i < EVENTS; i += 2) {
            publish(lanes, TaskEvent.Kind.STARTED, i, List.of(), null);
        }
    }

    @Test
    void aPublisherWaitsWhileTheLanesAreFullAndLosesNothing() throws Exception {
        EventLanes lanes = new EventLanes(2 * EventLanes.CHUNK_BYTES);
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < EVENTS; i++) {
                publish(lanes, i % 2 == 0 ? TaskEvent.Kind.STARTED : TaskEvent.Kind.FINISHED, i, List.of(), null);
            }
        }, "publisher");
        publisher.start();
        // the events need many more chunks than the two the lanes may hold: the publisher must wait for us
        while (lanes.usedBytes() < 2 * EventLanes.CHUNK_BYTES) {
            Thread.onSpinWait();
        }
        assertThat(publisher.isAlive()).as("a publisher cannot finish while the lanes are full").isTrue();
        assertThat(lanes.usedBytes()).isLessThanOrEqualTo(2 * EventLanes.CHUNK_BYTES);

        Recorder recorder = new Recorder();
        while (publisher.isAlive() || lanes.drain(recorder, 1) > 0) {
            lanes.drain(recorder, 1000);
        }
        publisher.join();
        lanes.drain(recorder, EVENTS);

        assertThat(recorder.lines).hasSize(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            assertThat(recorder.lines.get(i)).startsWith((i % 2 == 0 ? "started " : "FINISHED ") + i + " ");
        }
        assertThat(lanes.usedBytes()).as("the lane of a thread that ended is freed once drained").isZero();
    }

    @Test
    void aPublisherStopsWaitingWhenTheConsumerDied() throws Exception {
        EventLanes lanes = new EventLanes(2 * EventLanes.CHUNK_BYTES);
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < EVENTS; i++) {
                publish(lanes, TaskEvent.Kind.STARTED, i, List.of(), null);
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
    void aBufferTooSmallForTwoChunksIsRefused() {
        assertThatThrownBy(() -> new EventLanes(EventLanes.CHUNK_BYTES))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least");
    }
}
