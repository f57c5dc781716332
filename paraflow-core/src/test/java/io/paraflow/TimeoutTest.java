package io.paraflow;

import io.paraflow.fault.RetryPolicy;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 3 (timeout): an attempt that runs too long is interrupted and fails with TaskTimeoutException. */
@ExtendWith(NoLeakedThreads.class)
class TimeoutTest {

    private static final Duration SHORT = Duration.ofMillis(100);

    @Test
    void aRunningTaskIsInterruptedAndFailsWithTaskTimeoutException() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch never = new CountDownLatch(1);
                CountDownLatch interrupted = new CountDownLatch(1);
                Task<String> slow = flow.task("slow").timeout(SHORT).submit(() -> {
                    try {
                        Sync.block(never);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return "never";
                });

                assertThatThrownBy(slow::get).isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOfSatisfying(TaskTimeoutException.class, e -> {
                            assertThat(e.taskId()).isEqualTo(slow.id());
                            assertThat(e.taskName()).isEqualTo("slow");
                            assertThat(e).hasMessageContaining("'slow'").hasMessageContaining("timed out");
                        });
                assertThat(slow.isCancelled()).isFalse();
                Sync.await(interrupted);
            }
        });
    }

    @Test
    void aTaskThatIgnoresTheInterruptStillFailsWithTheTimeout() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch timedOut = new CountDownLatch(1);
                // busy until the test saw the timeout: the interrupt alone cannot stop it
                Task<String> stubborn = flow.task("stubborn").timeout(SHORT).submit(() -> {
                    while (timedOut.getCount() > 0) {
                        Thread.onSpinWait();
                    }
                    return "finished late";
                });
                assertThatThrownBy(stubborn::get).cause().isInstanceOf(TaskTimeoutException.class);
                timedOut.countDown();
                flow.awaitAll();
                // the late result does not replace the timeout
                assertThatThrownBy(stubborn::get).cause().isInstanceOf(TaskTimeoutException.class);
            }
        });
    }

    @Test
    void aTimedOutAttemptIsRetried() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                AtomicInteger attempts = new AtomicInteger();
                CountDownLatch never = new CountDownLatch(1);
                Task<String> task = flow.task("second try").timeout(SHORT)
                        .retryPolicy(RetryPolicy.upTo(1, TaskTimeoutException.class))
                        .submit(() -> {
                            if (attempts.incrementAndGet() == 1) {
                                Sync.block(never);
                            }
                            return "attempt " + attempts.get();
                        });
                assertThat(task.get()).isEqualTo("attempt 2");
            }
        });
    }

    @Test
    void everyAttemptGetsItsOwnTimeoutAndTheLastTimeoutIsReported() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                AtomicInteger attempts = new AtomicInteger();
                CountDownLatch never = new CountDownLatch(1);
                Task<String> task = flow.task("always slow").timeout(SHORT).retries(2).submit(() -> {
                    attempts.incrementAndGet();
                    Sync.block(never);
                    return "never";
                });
                assertThatThrownBy(task::get).cause().isInstanceOf(TaskTimeoutException.class)
                        .hasMessageContaining("attempt 3");
                flow.awaitAll();
                assertThat(attempts).hasValue(3);
            }
        });
    }

    @Test
    void aTaskThatEndsInTimeIsNotAffected() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Integer> quick = flow.task("quick").timeout(Duration.ofMinutes(5)).submit(() -> 7);
            assertThat(quick.get()).isEqualTo(7);
        }
        // the flow's timer thread is gone too (checked by NoLeakedThreads)
    }

    @Test
    void theThreadOfATimedOutTaskRunsTheNextTaskWithoutAPendingInterrupt() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch never = new CountDownLatch(1);
                AtomicReference<String> timedOutThread = new AtomicReference<>();
                flow.task("swallows").timeout(SHORT).submit(() -> {
                    timedOutThread.set(Thread.currentThread().getName());
                    try {
                        Sync.block(never);
                    } catch (InterruptedException e) {
                        // a polite task restores the status and returns
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
                AtomicBoolean nextSawInterrupt = new AtomicBoolean(true);
                AtomicReference<String> nextThread = new AtomicReference<>();
                Task<Object> next = flow.submit(() -> {
                    nextThread.set(Thread.currentThread().getName());
                    nextSawInterrupt.set(Thread.currentThread().isInterrupted());
                    return null;
                });
                next.get();
                assertThat(nextThread.get()).isEqualTo(timedOutThread.get());
                assertThat(nextSawInterrupt).isFalse();
            }
        });
    }

    @Test
    void nonPositiveTimeoutsAreRejected() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThatThrownBy(() -> flow.task("t").timeout(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
            assertThatThrownBy(() -> flow.task("t").timeout(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        }
    }
}
