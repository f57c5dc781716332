package io.paraflow.monitor.jfr;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.testing.NoLeakedThreads;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** While recording, every task try becomes a Flight Recorder event on the worker thread that ran it. */
@ExtendWith(NoLeakedThreads.class)
class JfrTaskEventsTest {

    @TempDir
    Path dir;

    private static final AtomicInteger CALLS = new AtomicInteger();

    static int failsOnce() {
        if (CALLS.incrementAndGet() == 1) {
            throw new IllegalStateException("once");
        }
        return 1;
    }

    @Test
    void triesAreRecordedWithTaskNameIdAttemptWorkerAndOutcome() throws Exception {
        CALLS.set(0);
        Path file = dir.resolve("run.jfr");
        long flowId;
        Task<Integer> plain;
        Task<Integer> retried;
        try (Recording recording = new Recording()) {
            recording.enable(TaskTryEvent.NAME).withThreshold(Duration.ZERO);
            recording.start();
            try (Flow flow = Flow.builder().threads(2).listener(new JfrTaskEvents()).build()) {
                flowId = flow.id();
                plain = flow.task("plain").submit(() -> 1);
                retried = flow.task("retried").retries(1).submit(JfrTaskEventsTest::failsOnce);
                flow.awaitAll();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream()
                .filter(e -> e.getEventType().getName().equals(TaskTryEvent.NAME))
                .filter(e -> e.getLong("flowId") == flowId).toList();
        assertThat(events).extracting(e -> e.getString("taskName") + "#" + e.getLong("taskId") + "/" + e.getInt("attempt")
                        + "/" + e.getString("outcome"))
                .containsExactlyInAnyOrder("plain#" + plain.id() + "/1/finished", "retried#" + retried.id() + "/1/retried",
                        "retried#" + retried.id() + "/2/finished");
        assertThat(events).allSatisfy(e -> {
            assertThat(e.getString("worker")).startsWith("paraflow-threads-");
            assertThat(e.getThread().getJavaName()).isEqualTo(e.getString("worker"));
            assertThat(e.getString("executor")).isEqualTo("threads");
            assertThat(e.getDuration().isNegative()).isFalse();
        });
    }

    @Test
    void aTryThatStartedBeforeTheRecordingHasNoEvent() throws Exception {
        Path file = dir.resolve("late.jfr");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Flow flow = Flow.builder().threads(1).listener(new JfrTaskEvents()).build();
             Recording recording = new Recording()) {
            Task<Integer> early = flow.task("early").submit(() -> {
                started.countDown();
                release.await();
                return 1;
            });
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            recording.enable(TaskTryEvent.NAME).withThreshold(Duration.ZERO);
            recording.start();
            release.countDown();
            early.get();
            Task<Integer> late = flow.task("late").submit(() -> 2);
            late.get();
            flow.awaitAll();
            recording.stop();
            recording.dump(file);
        }
        assertThat(RecordingFile.readAllEvents(file)).filteredOn(e -> e.getEventType().getName().equals(TaskTryEvent.NAME))
                .extracting(e -> e.getString("taskName")).containsExactly("late");
    }
}
