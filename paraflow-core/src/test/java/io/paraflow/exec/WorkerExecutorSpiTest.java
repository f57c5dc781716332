package io.paraflow.exec;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskCancelledException;
import io.paraflow.TaskFailedException;
import io.paraflow.TaskTimeoutException;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Point 11: the executor SPI as an out-of-process executor uses it (see {@link SerializingWorkerExecutor}):
 * results, failures, retries, timeouts and cancellation all go through invocation(), started(),
 * succeeded(), failed() and stop(), never run().
 */
@ExtendWith(NoLeakedThreads.class)
class WorkerExecutorSpiTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    // Functions shipped to the worker are serialized, so they cannot capture latches or counters:
    // what they share with the test lives in static fields, reset before each test.
    static volatile CountDownLatch remoteStarted;
    static volatile CountDownLatch remoteInterrupted;
    static volatile CountDownLatch never;
    static final AtomicInteger CALLS = new AtomicInteger();

    @BeforeEach
    void reset() {
        remoteStarted = new CountDownLatch(1);
        remoteInterrupted = new CountDownLatch(1);
        never = new CountDownLatch(1);
        CALLS.set(0);
    }

    static int blockUntilInterrupted() throws InterruptedException {
        remoteStarted.countDown();
        try {
            if (!never.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the flow never stopped this task");
            }
        } catch (InterruptedException e) {
            remoteInterrupted.countDown();
            throw e;
        }
        return 0;
    }

    static int failFirstCall(int x) {
        if (CALLS.incrementAndGet() == 1) {
            throw new IllegalStateException("first call fails");
        }
        return x * 2;
    }

    static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(30, TimeUnit.SECONDS)).as("latch opened within the hang guard").isTrue();
    }

    @Test
    void mixedGraphsAcrossTheWorkerAndTheThreadExecutorGiveTheRightResults() {
        assertTimeoutPreemptively(GUARD, () -> {
            SerializingWorkerExecutor remote = new SerializingWorkerExecutor("remote");
            try (Flow flow = Flow.builder().threads(2).executor(remote).build()) {
                Task<Integer> local = flow.submit(() -> 3);
                Task<Integer> squared = flow.task("square").on("remote").submit(x -> x * x, local);
                Task<Integer> back = flow.submit((x, y) -> x + y, squared, local);
                List<Task<Integer>> mapped = flow.task("tenfold").on("remote").map(x -> x * 10, List.of(1, 2, 3));
                Task<Integer> reduced = flow.task("sum").on("remote").reduce(Integer::sum, mapped);
                Task<String> joined = flow.task("join").on("remote")
                        .submit((a, b, c, d) -> a + "|" + b + "|" + c + "|" + d, local, squared, back, reduced);
                Task<List<Integer>> all = flow.all(List.of(squared, back, reduced));

                assertThat(squared.get()).isEqualTo(9);
                assertThat(back.get()).isEqualTo(12);
                assertThat(reduced.get()).isEqualTo(60);
                assertThat(joined.get()).isEqualTo("3|9|12|60");
                assertThat(all.get()).containsExactly(9, 12, 60);
                // the worker really ran them, on argument values shipped to it
                assertThat(remote.attempts).contains(squared.id() + "/1", reduced.id() + "/1", joined.id() + "/1");
                assertThat(remote.shippedArguments).contains(List.of(3), List.of(3, 9, 12, 60));
            }
        });
    }

    @Test
    void failuresOnTheWorkerAreReportedWithTheWorkerNameAndReachDependents() {
        assertTimeoutPreemptively(GUARD, () -> {
            Queue<TaskEvent> events = new ConcurrentLinkedQueue<>();
            SerializingWorkerExecutor remote = new SerializingWorkerExecutor("remote");
            try (Flow flow = Flow.builder().threads(1).executor(remote).listener(TaskListener.ofEvents(events::add)).build()) {
                Task<Integer> failing = flow.task("remote failure").on("remote").submit(x -> {
                    throw new IllegalArgumentException("bad input " + x);
                }, flow.value(7));
                Task<Integer> dependent = flow.task("local dependent").submit(x -> x, failing);

                assertThatThrownBy(failing::get).cause().isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.executor()).isEqualTo("remote");
                    assertThat(e.worker()).isEqualTo(SerializingWorkerExecutor.WORKER);
                    assertThat(e).hasMessageContaining("remote/w1").hasMessageContaining("'remote failure'");
                    assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class).hasMessage("bad input 7");
                });
                assertThatThrownBy(dependent::get).cause().isInstanceOfSatisfying(DependencyFailedException.class,
                        e -> assertThat(e.failedTaskName()).isEqualTo("remote failure"));
                flow.awaitAll();
                assertThat(events).filteredOn(e -> e.taskId() == failing.id())
                        .extracting(TaskEvent::kind)
                        .containsExactly(TaskEvent.Kind.SUBMITTED, TaskEvent.Kind.READY, TaskEvent.Kind.STARTED,
                                TaskEvent.Kind.FAILED);
                assertThat(events).filteredOn(e -> e.taskId() == failing.id() && e.kind() == TaskEvent.Kind.STARTED)
                        .singleElement().satisfies(e -> assertThat(e.worker()).isEqualTo("w1"));
            }
        });
    }

    @Test
    void aFailedAttemptOnTheWorkerIsRetriedWithTheNextAttemptNumber() {
        assertTimeoutPreemptively(GUARD, () -> {
            SerializingWorkerExecutor remote = new SerializingWorkerExecutor("remote");
            try (Flow flow = Flow.builder().threads(1).executor(remote).build()) {
                Task<Integer> task = flow.task("flaky remote").on("remote").retries(2)
                        .submit(WorkerExecutorSpiTest::failFirstCall, flow.value(21));
                assertThat(task.get()).isEqualTo(42);
                assertThat(remote.attempts).containsExactly(task.id() + "/1", task.id() + "/2");
            }
        });
    }

    @Test
    void aTimeoutOnAWorkerTaskStopsItThroughTheExecutor() {
        assertTimeoutPreemptively(GUARD, () -> {
            SerializingWorkerExecutor remote = new SerializingWorkerExecutor("remote");
            try (Flow flow = Flow.builder().threads(1).executor(remote).build()) {
                Task<Integer> slow = flow.task("slow remote").on("remote").timeout(Duration.ofMillis(100))
                        .submit(WorkerExecutorSpiTest::blockUntilInterrupted);

                assertThatThrownBy(slow::get).cause().isInstanceOf(TaskTimeoutException.class)
                        .hasMessageContaining("'slow remote'");
                await(remoteInterrupted);
                assertThat(remote.stopped).containsExactly(slow.id());
            } finally {
                never.countDown();
            }
        });
    }

    @Test
    void cancellingARunningWorkerTaskStopsItThroughTheExecutor() {
        assertTimeoutPreemptively(GUARD, () -> {
            SerializingWorkerExecutor remote = new SerializingWorkerExecutor("remote");
            try (Flow flow = Flow.builder().threads(1).executor(remote).build()) {
                Task<Integer> running = flow.task("running remote").on("remote")
                        .submit(WorkerExecutorSpiTest::blockUntilInterrupted);
                Task<Integer> dependent = flow.submit(x -> x, running);
                await(remoteStarted);

                assertThat(running.cancel(true)).isTrue();

                await(remoteInterrupted);
                assertThat(remote.stopped).containsExactly(running.id());
                assertThatThrownBy(running::get).isInstanceOf(TaskCancelledException.class);
                assertThat(dependent.isCancelled()).isTrue();
            } finally {
                never.countDown();
            }
        });
    }

    @Test
    void cancellingAWorkerTaskThatWaitsForTheWorkerWithdrawsItFromTheExecutor() {
        assertTimeoutPreemptively(GUARD, () -> {
            SerializingWorkerExecutor remote = new SerializingWorkerExecutor("remote");
            try (Flow flow = Flow.builder().threads(1).executor(remote).build()) {
                Task<Integer> running = flow.task("running remote").on("remote")
                        .submit(WorkerExecutorSpiTest::blockUntilInterrupted);
                await(remoteStarted);
                // the worker runs one task at a time: this one waits in the executor's queue
                Task<Integer> waiting = flow.task("waiting remote").on("remote").submit(() -> 1);

                assertThat(waiting.cancel(true)).isTrue();

                assertThat(remote.withdrawn).containsExactly(waiting.id());
                assertThat(remote.stopped).isEmpty();
                assertThatThrownBy(waiting::get).isInstanceOf(TaskCancelledException.class);
                assertThat(running.cancel(true)).isTrue();
                await(remoteInterrupted);
                assertThat(remote.withdrawn).as("a running task is stopped, not withdrawn").containsExactly(waiting.id());
                assertThat(remote.stopped).containsExactly(running.id());
            } finally {
                never.countDown();
            }
        });
    }

    @Test
    void closeWithCancellationInterruptsTheWorkersRunningTask() {
        assertTimeoutPreemptively(GUARD, () -> {
            SerializingWorkerExecutor remote = new SerializingWorkerExecutor("remote");
            Task<Integer> running;
            try (Flow flow = Flow.builder().threads(1).executor(remote).cancelOnClose(true).build()) {
                running = flow.task("running remote").on("remote").submit(WorkerExecutorSpiTest::blockUntilInterrupted);
                await(remoteStarted);
            } finally {
                never.countDown();
            }
            await(remoteInterrupted);
            assertThat(running.isCancelled()).isTrue();
        });
    }

    @Test
    void aLateReportOfAKilledAttemptDoesNotEndTheNextAttempt() {
        assertTimeoutPreemptively(GUARD, () -> {
            BlockingQueue<Integer> handedAttempts = new LinkedBlockingQueue<>();
            BlockingQueue<ReadyTask> handedTasks = new LinkedBlockingQueue<>();
            TaskExecutor remote = new TaskExecutor() {
                public String label() {
                    return "manual";
                }

                public Resources capacity() {
                    return new Resources(1, 0, 0);
                }

                public void execute(ReadyTask task) {
                    handedAttempts.add(task.attempt());
                    handedTasks.add(task);
                }

                public void interruptAll() {
                }

                public void close() {
                }
            };
            try (Flow flow = Flow.builder().threads(1).executor(remote).build()) {
                Task<Object> task = flow.task("job").on("manual").timeout(Duration.ofMillis(50)).retries(1)
                        .submit(() -> "never run here");
                ReadyTask first = handedTasks.take();
                int firstAttempt = handedAttempts.take();
                first.started(firstAttempt, "proc-1");
                // the timeout stops attempt 1 and the retry hands over attempt 2
                ReadyTask second = handedTasks.take();
                int secondAttempt = handedAttempts.take();
                assertThat(secondAttempt).isEqualTo(firstAttempt + 1);

                first.failed(firstAttempt, new IllegalStateException("killed process of attempt 1"), "proc-1");
                assertThat(task.isDone()).as("a stale report of attempt 1 must not end attempt 2").isFalse();

                second.started(secondAttempt, "proc-2");
                second.succeeded(secondAttempt, "result of attempt 2", "proc-2");
                assertThat(task.get()).isEqualTo("result of attempt 2");
            }
        });
    }
}
