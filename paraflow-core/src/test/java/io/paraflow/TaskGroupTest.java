package io.paraflow;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 4: groups are awaited and cancelled together; cancel-on-failure stops the rest of the group. */
@ExtendWith(NoLeakedThreads.class)
class TaskGroupTest {

    @Test
    void awaitReturnsOnlyAfterEveryTaskOfTheGroupEnded() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                TaskGroup group = flow.group("batch");
                CountDownLatch release = new CountDownLatch(1);
                List<Task<Integer>> tasks = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    int n = i;
                    tasks.add(group.task("member " + i).submit(() -> {
                        Sync.block(release);
                        return n;
                    }));
                }
                assertThat(group.name()).isEqualTo("batch");
                assertThat(group.unfinished()).isEqualTo(5);

                AtomicBoolean awaitReturned = new AtomicBoolean();
                Thread waiter = new Thread(() -> {
                    try {
                        group.await();
                        awaitReturned.set(true);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "group-waiter");
                waiter.start();
                Sync.awaitParkedOrTerminated(waiter);
                assertThat(awaitReturned).as("await returned while members still run").isFalse();

                release.countDown();
                Sync.join(waiter);
                assertThat(awaitReturned).isTrue();
                assertThat(tasks).allSatisfy(t -> assertThat(t.isDone()).isTrue());
                assertThat(group.unfinished()).isZero();
                assertThat(group.failed()).isZero();
            }
        });
    }

    @Test
    void awaitReportsTheFirstFailureAndHowManyFailed() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                TaskGroup group = flow.group("mixed");
                // one thread: members run in submission order, so "first" is well defined
                Task<Integer> firstFailure = group.task("first failure").submit(() -> {
                    throw new IllegalStateException("first");
                });
                group.task("fine").submit(() -> 1);
                group.task("second failure").submit(() -> {
                    throw new IllegalStateException("second");
                });
                group.task("third failure").submit(() -> {
                    throw new IllegalStateException("third");
                });
                Task<Integer> outside = flow.submit(() -> {
                    throw new IllegalStateException("not in the group");
                });

                assertThatThrownBy(group::await).isInstanceOfSatisfying(TaskGroupException.class, e -> {
                    assertThat(e.failedCount()).isEqualTo(3);
                    assertThat(e).hasMessageContaining("mixed");
                    assertThat(e.getCause()).isInstanceOfSatisfying(TaskFailedException.class, cause -> {
                        assertThat(cause.taskId()).isEqualTo(firstFailure.id());
                        assertThat(cause.getCause()).hasMessage("first");
                    });
                });
                assertThat(group.failed()).isEqualTo(3);
                assertThatThrownBy(outside::get).cause().isInstanceOf(TaskFailedException.class);
            }
        });
    }

    @Test
    void failuresInAPlainGroupDoNotAffectItsOtherTasks() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            TaskGroup group = flow.group("independent");
            group.task("fails").submit(() -> {
                throw new IllegalStateException();
            });
            Task<String> after = group.task("after").submit(() -> "still runs");
            assertThatThrownBy(group::await).isInstanceOf(TaskGroupException.class);
            assertThat(after.get()).isEqualTo("still runs");
        }
    }

    @Test
    void cancellationsDoNotCountAsFailures() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                TaskGroup group = flow.group("with cancellation");
                CountDownLatch release = new CountDownLatch(1);
                group.task("blocker").submit(() -> {
                    Sync.block(release);
                    return 1;
                });
                Task<Integer> queued = group.task("queued").submit(() -> 2);
                assertThat(queued.cancel(true)).isTrue();
                release.countDown();
                group.await();
                assertThat(group.failed()).isZero();
            }
        });
    }

    @Test
    void withCancelOnFailureTheFirstFailureCancelsTheRestOfTheGroup() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                TaskGroup group = flow.groupCancelOnFailure("all or nothing");
                CountDownLatch runningStarted = new CountDownLatch(1);
                CountDownLatch failerStarted = new CountDownLatch(1);
                CountDownLatch fail = new CountDownLatch(1);
                CountDownLatch never = new CountDownLatch(1);
                CountDownLatch runningInterrupted = new CountDownLatch(1);
                AtomicInteger queuedRuns = new AtomicInteger();

                Task<Integer> running = group.task("running").submit(() -> {
                    runningStarted.countDown();
                    try {
                        Sync.block(never);
                    } catch (InterruptedException e) {
                        runningInterrupted.countDown();
                        throw e;
                    }
                    return 1;
                });
                Task<Integer> failer = group.task("failer").submit(() -> {
                    failerStarted.countDown();
                    Sync.block(fail);
                    throw new IllegalStateException("member failed");
                });
                Sync.await(runningStarted);
                Sync.await(failerStarted);
                // both threads are busy: these wait in the queue
                List<Task<Integer>> queued = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    queued.add(group.task("queued " + i).submit(queuedRuns::incrementAndGet));
                }
                // outside the group, submitted the same way: must not be touched
                Task<String> outsider = flow.task("outsider").submit(() -> "unaffected");
                Task<Integer> dependentOutside = flow.task("dependent outside").submit(x -> x, queued.get(0));

                fail.countDown();

                assertThatThrownBy(group::await).isInstanceOfSatisfying(TaskGroupException.class, e -> {
                    assertThat(e.failedCount()).isEqualTo(1);
                    assertThat(e.getCause()).isInstanceOf(TaskFailedException.class).cause().hasMessage("member failed");
                });
                Sync.await(runningInterrupted);
                assertThat(running.isCancelled()).isTrue();
                assertThat(queued).allSatisfy(t -> assertThat(t.isCancelled()).isTrue());
                assertThat(failer.isCancelled()).isFalse();
                assertThat(outsider.get()).isEqualTo("unaffected");
                assertThat(dependentOutside.isCancelled()).isTrue();
                flow.awaitAll();
                assertThat(queuedRuns).hasValue(0);
            }
        });
    }

    @Test
    void cancelStopsEveryUnfinishedTaskOfTheGroupAndKeepsFinishedResults() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                TaskGroup group = flow.group("cancel me");
                Task<String> finished = group.task("finished").submit(() -> "kept");
                assertThat(finished.get()).isEqualTo("kept");

                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch interrupted = new CountDownLatch(1);
                Task<Integer> running = group.task("running").submit(Sync.blockUntilInterrupted(started, interrupted));
                AtomicInteger queuedRuns = new AtomicInteger();
                Task<Integer> queued = group.task("queued").submit(queuedRuns::incrementAndGet);
                Sync.await(started);

                group.cancel();

                group.await();
                flow.awaitAll();
                assertThat(running.isCancelled()).isTrue();
                assertThat(queued.isCancelled()).isTrue();
                // the task ended when cancelled; its function sees the interrupt soon after
                Sync.await(interrupted);
                // one thread, FIFO: once this later task ran, the cancelled one had its turn
                flow.submit(() -> null).get();
                assertThat(queuedRuns).hasValue(0);
                assertThat(finished.get()).isEqualTo("kept");
                assertThat(group.unfinished()).isZero();
            }
        });
    }

    @Test
    void aGroupOfAnotherFlowIsRejected() {
        try (Flow one = Flow.builder().threads(1).build(); Flow other = Flow.builder().threads(1).build()) {
            TaskGroup foreign = other.group("foreign");
            assertThatThrownBy(() -> one.task("t").group(foreign)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("foreign");
            assertThat(foreign.unfinished()).isZero();
        }
    }

    @Test
    void aBuilderJoinsAGroupWithGroup() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            TaskGroup group = flow.group("joined later");
            AtomicReference<String> ran = new AtomicReference<>();
            flow.task("member").group(group).submit(() -> {
                ran.set("yes");
                throw new IllegalStateException("counted");
            });
            assertThatThrownBy(group::await).isInstanceOf(TaskGroupException.class);
            assertThat(ran).hasValue("yes");
        }
    }

    @Test
    void awaitInsideATaskRunsTheGroupsTasksMeanwhileOnOneThread() {
        // review finding: TaskGroup.await() inside a task blocked the only thread its members needed
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                AtomicInteger ran = new AtomicInteger();
                Task<Integer> parent = flow.task("parent").submit(() -> {
                    TaskGroup children = flow.group("children");
                    for (int i = 0; i < 3; i++) {
                        children.task("child").submit(ran::incrementAndGet);
                    }
                    children.await();
                    return ran.get();
                });
                assertThat(parent.get()).isEqualTo(3);
            }
        });
    }

    @Test
    void aGroupCancelledWhileATaskJoinsItCancelsThatTaskAndTheSubmitSucceeds() {
        // review finding: a group cancel between the task joining the group and its wiring dropped the
        // inputs under wire(), whose submit then threw NullPointerException; CANCELLED came before SUBMITTED
        assertTimeoutPreemptively(GUARD, () -> {
            List<TaskEvent.Kind> events = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch inSubmit = new CountDownLatch(1);
            CountDownLatch groupCancelled = new CountDownLatch(1);
            try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(e -> {
                if (e.taskName().equals("member")) {
                    events.add(e.kind());
                    if (e.kind() == TaskEvent.Kind.SUBMITTED) {
                        // hold the submission here until the group was cancelled
                        inSubmit.countDown();
                        Sync.await(groupCancelled);
                    }
                }
            })).build()) {
                TaskGroup group = flow.group("g");
                Task<Integer> input = flow.value(1);
                Thread canceller = new Thread(() -> {
                    Sync.await(inSubmit);
                    group.cancel();
                    groupCancelled.countDown();
                }, "group-canceller");
                canceller.start();

                Task<Integer> member = group.task("member").submit(x -> x + 1, input);
                Sync.join(canceller);

                assertThat(member.isCancelled()).as("a task joining a cancelled group is cancelled").isTrue();
                assertThatThrownBy(member::get).isInstanceOf(TaskCancelledException.class);
                group.await();
                assertThat(events).containsExactly(TaskEvent.Kind.SUBMITTED, TaskEvent.Kind.CANCELLED);
                assertThat(flow.unfinished()).isZero();
            }
        });
    }
}
