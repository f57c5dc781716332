package io.paraflow;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.exec.ReadyTask;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 5: cancel() stops queued and running tasks and their dependents, and leaves no interrupt behind. */
@ExtendWith(NoLeakedThreads.class)
class CancelTest {

    @Test
    void aQueuedTaskThatIsCancelledNeverRuns() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch blockerRunning = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                flow.submit(() -> {
                    blockerRunning.countDown();
                    Sync.block(release);
                    return null;
                });
                Sync.await(blockerRunning);
                AtomicInteger runs = new AtomicInteger();
                Task<Integer> queued = flow.task("queued").submit(runs::incrementAndGet);

                assertThat(queued.cancel(false)).isTrue();
                release.countDown();
                // one thread, FIFO: when this later task has run, the cancelled one had its turn
                flow.submit(() -> null).get();

                assertThat(runs).hasValue(0);
                assertThat(queued.isCancelled()).isTrue();
                assertThat(queued.isDone()).isTrue();
                assertThatThrownBy(queued::get).isInstanceOfSatisfying(TaskCancelledException.class, e -> {
                    assertThat(e.taskId()).isEqualTo(queued.id());
                    assertThat(e.taskName()).isEqualTo("queued");
                    assertThat(e).hasMessageContaining("'queued'");
                });
                assertThatThrownBy(queued::join).isInstanceOf(CancellationException.class);
            }
        });
    }

    @Test
    void aRunningTaskIsInterrupted() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch interrupted = new CountDownLatch(1);
                Task<String> running = flow.task("running").submit(Sync.blockUntilInterrupted(started, interrupted));
                Sync.await(started);

                assertThat(running.cancel(true)).isTrue();

                Sync.await(interrupted);
                assertThat(running.isCancelled()).isTrue();
                assertThatThrownBy(running::get).isInstanceOf(TaskCancelledException.class);
            }
        });
    }

    @Test
    void cancelWithoutInterruptLetsTheFunctionRunOnButTheTaskStaysCancelled() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                AtomicBoolean sawInterrupt = new AtomicBoolean();
                CountDownLatch functionReturned = new CountDownLatch(1);
                Task<String> running = flow.submit(() -> {
                    started.countDown();
                    try {
                        Sync.block(release);
                    } catch (InterruptedException e) {
                        sawInterrupt.set(true);
                    }
                    functionReturned.countDown();
                    return "late result";
                });
                Sync.await(started);

                assertThat(running.cancel(false)).isTrue();
                release.countDown();
                Sync.await(functionReturned);
                flow.awaitAll();

                assertThat(sawInterrupt).isFalse();
                assertThat(running.isCancelled()).isTrue();
                assertThatThrownBy(running::get).isInstanceOf(TaskCancelledException.class);
            }
        });
    }

    @Test
    void dependentsOfACancelledTaskAreCancelledAndNeverRun() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch never = new CountDownLatch(1);
                AtomicInteger dependentRuns = new AtomicInteger();
                Task<Integer> root = flow.task("root").submit(() -> {
                    started.countDown();
                    Sync.block(never);
                    return 1;
                });
                Task<Integer> child = flow.task("child").submit(x -> dependentRuns.incrementAndGet(), root);
                Task<Integer> grandchild = flow.task("grandchild").submit((x, y) -> dependentRuns.incrementAndGet(),
                        child, flow.value(2));
                Sync.await(started);

                assertThat(root.cancel(true)).isTrue();

                for (Task<Integer> t : java.util.List.of(child, grandchild)) {
                    assertThat(t.isCancelled()).isTrue();
                    assertThatThrownBy(t::get).isInstanceOfSatisfying(TaskCancelledException.class, e -> {
                        assertThat(e.taskId()).isEqualTo(t.id());
                        assertThat(e).hasMessageContaining("'" + t.name() + "'");
                    });
                }
                flow.awaitAll();
                assertThat(dependentRuns).hasValue(0);
            }
        });
    }

    @Test
    void cancellingAPendingTaskLeavesItsArgumentsRunning() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            CountDownLatch release = new CountDownLatch(1);
            Task<Integer> argument = flow.submit(() -> {
                Sync.block(release);
                return 1;
            });
            AtomicInteger runs = new AtomicInteger();
            Task<Integer> pending = flow.submit(x -> runs.incrementAndGet(), argument);
            assertThat(pending.cancel(true)).isTrue();
            release.countDown();

            assertThat(argument.get()).isEqualTo(1);
            flow.awaitAll();
            assertThat(runs).hasValue(0);
            assertThat(pending.isCancelled()).isTrue();
        }
    }

    @Test
    void cancelAfterCompletionReturnsFalseAndKeepsTheOutcome() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<String> done = flow.submit(() -> "result");
            assertThat(done.get()).isEqualTo("result");
            Task<String> failed = flow.submit(() -> {
                throw new IllegalStateException();
            });
            assertThatThrownBy(failed::get).cause().isInstanceOf(TaskFailedException.class);

            assertThat(done.cancel(true)).isFalse();
            assertThat(failed.cancel(true)).isFalse();
            assertThat(done.isCancelled()).isFalse();
            assertThat(done.get()).isEqualTo("result");
            assertThatThrownBy(failed::get).cause().isInstanceOf(TaskFailedException.class);

            Task<String> cancelled = flow.value("v");
            assertThat(cancelled.cancel(true)).isFalse();
        }
    }

    @Test
    void cancellingTwiceReturnsFalseTheSecondTime() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch release = new CountDownLatch(1);
                flow.submit(() -> {
                    Sync.block(release);
                    return null;
                });
                Task<Integer> queued = flow.submit(() -> 1);
                assertThat(queued.cancel(true)).isTrue();
                assertThat(queued.cancel(true)).isFalse();
                release.countDown();
            }
        });
    }

    @Test
    void theThreadThatRanACancelledTaskRunsTheNextTaskWithoutAPendingInterrupt() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch never = new CountDownLatch(1);
                AtomicReference<String> cancelledOn = new AtomicReference<>();
                Task<Object> cancelled = flow.submit(() -> {
                    cancelledOn.set(Thread.currentThread().getName());
                    started.countDown();
                    try {
                        Sync.block(never);
                    } catch (InterruptedException e) {
                        // restore the status, as well-behaved code does, and return normally
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
                // queued behind the cancelled task on the same (only) thread
                Task<Boolean> next = flow.submit(() -> Thread.currentThread().isInterrupted());
                Task<String> nextThread = flow.submit(() -> Thread.currentThread().getName());
                Sync.await(started);

                assertThat(cancelled.cancel(true)).isTrue();

                assertThat(next.get()).as("next task saw an interrupt meant for the cancelled one").isFalse();
                assertThat(nextThread.get()).isEqualTo(cancelledOn.get());
            }
        });
    }

    @Test
    void cancellingATaskThatWaitsForASubtaskDoesNotInterruptTheSubtask() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch innerStarted = new CountDownLatch(1);
                CountDownLatch releaseInner = new CountDownLatch(1);
                AtomicReference<Task<String>> innerRef = new AtomicReference<>();
                AtomicBoolean innerInterrupted = new AtomicBoolean();
                CountDownLatch outerInterrupted = new CountDownLatch(1);
                // with one thread, the outer task's wait runs the inner task on the same thread
                Task<String> outer = flow.task("outer").submit(() -> {
                    Task<String> inner = flow.task("inner").submit(() -> {
                        innerStarted.countDown();
                        try {
                            Sync.block(releaseInner);
                        } catch (InterruptedException e) {
                            innerInterrupted.set(true);
                            throw e;
                        }
                        return "inner done";
                    });
                    innerRef.set(inner);
                    String result = inner.get();
                    try {
                        // the next blocking call after the wait sees the cancellation's interrupt
                        Sync.block(new CountDownLatch(1));
                    } catch (InterruptedException e) {
                        outerInterrupted.countDown();
                        throw e;
                    }
                    return result;
                });
                Sync.await(innerStarted);

                assertThat(outer.cancel(true)).isTrue();
                releaseInner.countDown();

                // the inner task is not a dependent of the outer one: it finishes normally
                assertThat(innerRef.get().get()).isEqualTo("inner done");
                assertThat(innerInterrupted).isFalse();
                // and the interrupt meant for the outer task reaches it once the inner one returned
                Sync.await(outerInterrupted);
                assertThat(outer.isCancelled()).isTrue();
            }
        });
    }

    @Test
    void getAndJoinOfACancelledTaskThrowTheTaskCancelledExceptionOnEveryJdk() {
        // Task documents TaskCancelledException (naming the task) for get() and join(); newer JDKs'
        // CompletableFuture.get()/join() wrap a stored CancellationException in a new, anonymous one
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch release = new CountDownLatch(1);
                flow.submit(() -> {
                    Sync.block(release);
                    return null;
                });
                Task<Integer> cancelled = flow.task("cancelled by test").submit(() -> 1);
                assertThat(cancelled.cancel(false)).isTrue();
                release.countDown();

                assertThatThrownBy(cancelled::get).isInstanceOfSatisfying(TaskCancelledException.class,
                        e -> assertThat(e.taskName()).isEqualTo("cancelled by test"));
                assertThatThrownBy(cancelled::join).isInstanceOfSatisfying(TaskCancelledException.class,
                        e -> assertThat(e.taskName()).isEqualTo("cancelled by test"));
            }
        });
    }

    @Test
    void cancellingATaskThatRunsACallbackWhileItWaitsDoesNotInterruptTheCallback() {
        // review finding: a waiting task ran a queued *Async callback on its thread, and the interrupt
        // that cancelled the task hit the callback instead
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                // the flow's own callback executor; see DynamicGraphTest for why the test keeps the entries
                ReleasableCallbacks callbacks = new ReleasableCallbacks(flow);
                CountDownLatch inCallback = new CountDownLatch(1);
                CountDownLatch releaseCallback = new CountDownLatch(1);
                AtomicBoolean callbackInterrupted = new AtomicBoolean();
                AtomicReference<CompletableFuture<Void>> callback = new AtomicReference<>();
                Task<Integer> waiter = flow.task("waiter").submit(() -> {
                    Task<Integer> sub = flow.task("sub").submit(() -> 7);
                    // queued on this worker after 'sub': the wait below runs it first (newest first)
                    callback.set(flow.value(0).thenRunAsync(() -> {
                        inCallback.countDown();
                        try {
                            Sync.block(releaseCallback);
                        } catch (InterruptedException e) {
                            callbackInterrupted.set(true);
                        }
                    }, callbacks).toCompletableFuture());
                    return sub.join();
                });
                try {
                    Sync.await(inCallback);

                    assertThat(waiter.cancel(true)).as("'waiter' still waits while the callback runs").isTrue();
                    releaseCallback.countDown();
                    callback.get().get();

                    assertThat(callbackInterrupted).as("the interrupt meant for 'waiter' hit the callback").isFalse();
                    assertThat(waiter.isCancelled()).isTrue();
                } finally {
                    callbacks.releaseStuckWorkers();
                }
            }
        });
    }

    @Test
    void aCancellationRacingTheStartNeverHandsTheFunctionMissingArguments() {
        // review finding: once the start succeeded, a cancellation (without interrupt) dropped the
        // inputs before the function read them, and the function ran with null
        assertTimeoutPreemptively(GUARD, () -> {
            CountDownLatch taskKnown = new CountDownLatch(1);
            AtomicReference<Task<String>> taskRef = new AtomicReference<>();
            AtomicReference<Thread> canceller = new AtomicReference<>();
            AtomicBoolean cancelled = new AtomicBoolean();
            CompletableFuture<Object> argument = new CompletableFuture<>();
            try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(e -> {
                if (e.kind() == TaskEvent.Kind.STARTED && e.taskName().equals("delete")) {
                    // between the start and the call of the function: cancel from another thread
                    Sync.await(taskKnown);
                    Thread t = new Thread(() -> cancelled.set(taskRef.get().cancel(false)), "canceller");
                    canceller.set(t);
                    t.start();
                    // the cancellation waits, parked, while this step is delivered, and lands right after
                    // it: before or after the function read its arguments
                    Sync.awaitParkedOrTerminated(t);
                }
            })).build()) {
                List<Task<String>> tasks = flow.task("delete").map(path -> {
                    argument.complete(path);
                    // the function outlives the cancellation, so it never wins the race by ending first
                    Sync.join(canceller.get());
                    return "deleted " + path;
                }, List.of("run-42"));
                taskRef.set(tasks.get(0));
                taskKnown.countDown();

                assertThat(argument.get()).isEqualTo("run-42");
                Sync.join(canceller.get());
                assertThat(cancelled).isTrue();
                assertThat(tasks.get(0).isCancelled()).isTrue();
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"one task argument", "no argument", "map input"})
    void aTaskCancelledBeforeItsExecutorShippedItGivesNoInvocation(String shape) {
        // the fix of the start race above: invocation() refuses a task that ended, instead of shipping
        // a function with missing (or null) arguments
        assertTimeoutPreemptively(GUARD, () -> {
            HandOffExecutor remote = new HandOffExecutor("remote");
            try (Flow flow = Flow.builder().threads(1).executor(remote).build()) {
                TaskBuilder builder = flow.task("shipped").on("remote");
                Task<?> task = switch (shape) {
                    case "one task argument" -> builder.submit(x -> x + 1, flow.value(1));
                    case "no argument" -> builder.submit(() -> 1);
                    default -> builder.map(x -> x + 1, List.of(1)).get(0);
                };
                ReadyTask handed = remote.take();
                assertThat(task.cancel(true)).isTrue();

                assertThatThrownBy(handed::invocation).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("shipped");
            }
        });
    }
}
