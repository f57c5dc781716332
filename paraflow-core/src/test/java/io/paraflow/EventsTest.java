package io.paraflow;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskEvent.Kind;
import io.paraflow.event.TaskInfo;
import io.paraflow.event.TaskListener;
import io.paraflow.exec.Resources;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 10: listeners see each task's life in order, with times, workers, dependencies and errors. */
@ExtendWith(NoLeakedThreads.class)
class EventsTest {

    private final Queue<TaskEvent> events = new ConcurrentLinkedQueue<>();

    private List<TaskEvent> of(Task<?> task) {
        return events.stream().filter(e -> e.taskId() == task.id()).collect(Collectors.toList());
    }

    private List<Kind> kinds(Task<?> task) {
        return of(task).stream().map(TaskEvent::kind).collect(Collectors.toList());
    }

    @Test
    void aSuccessfulTaskGoesThroughSubmittedReadyStartedFinishedWithTimesAndWorker() throws Exception {
        long before = Instant.now().getEpochSecond();
        try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(events::add)).build()) {
            AtomicReference<String> ranOn = new AtomicReference<>();
            Task<Integer> task = flow.task("observed").cores(1).submit(() -> {
                ranOn.set(Thread.currentThread().getName());
                return 1;
            });
            task.get();
            flow.awaitAll();

            List<TaskEvent> life = of(task);
            assertThat(life).extracting(TaskEvent::kind)
                    .containsExactly(Kind.SUBMITTED, Kind.READY, Kind.STARTED, Kind.FINISHED);
            assertThat(life).allSatisfy(e -> {
                assertThat(e.flowId()).isEqualTo(flow.id());
                assertThat(e.taskName()).isEqualTo("observed");
                assertThat(e.executor()).isEqualTo(FlowBuilder.THREADS);
                assertThat(e.cores()).isEqualTo(1);
                assertThat(e.memoryBytes()).isZero();
                assertThat(e.error()).isNull();
                // plausible wall-clock times (not a speed check: a minute either way)
                assertThat(e.epochNanos() / 1_000_000_000L).isBetween(before - 60, before + 60);
            });
            for (int i = 1; i < life.size(); i++) {
                assertThat(life.get(i).epochNanos()).isGreaterThanOrEqualTo(life.get(i - 1).epochNanos());
            }
            assertThat(life.get(2).worker()).isEqualTo(ranOn.get());
            assertThat(life.get(3).worker()).isEqualTo(ranOn.get());
            assertThat(life.get(2).attempt()).isEqualTo(1);
            assertThat(life.get(3).attempt()).isEqualTo(1);
            assertThat(life.get(0).attempt()).isZero();
        }
    }

    @Test
    void submittedListsTheDependencies() throws Exception {
        try (Flow flow = Flow.builder().threads(2).listener(TaskListener.ofEvents(events::add)).build()) {
            Task<Integer> a = flow.submit(() -> 1);
            Task<Integer> b = flow.value(2);
            Task<Integer> c = flow.submit(Integer::sum, a, b);
            Task<List<Integer>> all = flow.all(List.of(a, c));
            all.get();
            flow.awaitAll();

            assertThat(of(a).get(0).dependencies()).isEmpty();
            assertThat(of(c).get(0).kind()).isEqualTo(Kind.SUBMITTED);
            assertThat(of(c).get(0).dependencies()).containsExactly(a.id(), b.id());
            assertThat(of(all).get(0).dependencies()).containsExactly(a.id(), c.id());
            // only SUBMITTED carries them
            assertThat(of(c).subList(1, of(c).size())).allSatisfy(e -> assertThat(e.dependencies()).isEmpty());
        }
    }

    @Test
    void aListenerOfStepsReadsTheTaskThroughItsViewAndATaskWithoutDependenciesIsReadyWhenSubmitted() throws Exception {
        List<String> steps = new CopyOnWriteArrayList<>();
        List<Long> times = new CopyOnWriteArrayList<>();
        List<String> lifeAtTheEnd = new CopyOnWriteArrayList<>();
        TaskListener listener = (task, step, attempt, worker, epochNanos, error) -> {
            steps.add(step + " " + task.flowId() + " #" + task.id() + " " + task.name() + " " + task.executorLabel()
                    + " " + task.resources().cores() + " " + Arrays.toString(task.dependencyIds()) + " " + attempt
                    + (task.ended() ? " ended" : ""));
            if (task.name().equals("first")) {
                times.add(epochNanos);
                if (step == Kind.FINISHED) {
                    lifeAtTheEnd.addAll(List.of(task.submittedNanos() + " " + task.readyNanos() + " "
                            + task.startedNanos(), task.worker(), worker, String.valueOf(task.attempt())));
                }
            }
        };
        try (Flow flow = Flow.builder().threads(1).listener(listener).build()) {
            Task<Integer> first = flow.task("first").submit(() -> 1);
            first.get();
            flow.awaitAll();
            Task<Integer> second = flow.task("second").cores(1).submit(x -> x + 1, first);
            second.get();
            flow.awaitAll();

            String f = flow.id() + " #" + first.id() + " first threads 1 ";
            String s = flow.id() + " #" + second.id() + " second threads 1 ";
            assertThat(steps).containsExactly("SUBMITTED " + f + "[] 0", "READY " + f + "[] 0", "STARTED " + f + "[] 1",
                    "FINISHED " + f + "[] 1 ended", "SUBMITTED " + s + "[" + first.id() + "] 0",
                    "READY " + s + "[" + first.id() + "] 0", "STARTED " + s + "[" + first.id() + "] 1",
                    // a task drops its inputs after its last step
                    "FINISHED " + s + "[" + first.id() + "] 1 ended");
            assertThat(((TaskInfo) second).dependencyIds()).as("dropped once ended").isEmpty();
            assertThat(((TaskInfo) second).ended()).as("for good").isTrue();
            assertThat(times.get(1)).as("one clock reading for SUBMITTED and READY").isEqualTo(times.get(0));
            assertThat(times.get(2)).isGreaterThanOrEqualTo(times.get(1));
            assertThat(times.get(3)).isGreaterThanOrEqualTo(times.get(2));
            assertThat(lifeAtTheEnd.get(0)).as("the task keeps the times of its steps")
                    .isEqualTo(times.get(0) + " " + times.get(1) + " " + times.get(2));
            assertThat(lifeAtTheEnd.get(1)).isEqualTo(lifeAtTheEnd.get(2)).startsWith("paraflow-threads-");
            assertThat(lifeAtTheEnd.get(3)).isEqualTo("1");
        }
    }

    @Test
    void cancellingATaskFromItsOwnStartedStepDoesNothingInsteadOfWaitingForItself() throws Exception {
        AtomicReference<Boolean> cancelledFromListener = new AtomicReference<>();
        try (Flow flow = Flow.builder().threads(1).listener((task, step, attempt, worker, epochNanos, error) -> {
            if (step == Kind.STARTED) {
                cancelledFromListener.set(((Task<?>) task).cancel(true));
            }
        }).listener(TaskListener.ofEvents(events::add)).build()) {
            Task<Integer> task = flow.submit(() -> 7);

            assertThat(task.get()).isEqualTo(7);
            flow.awaitAll();
            assertThat(cancelledFromListener.get()).isFalse();
            assertThat(kinds(task)).containsExactly(Kind.SUBMITTED, Kind.READY, Kind.STARTED, Kind.FINISHED);
        }
    }

    @Test
    void aRetriedTaskReportsRetriedWithTheErrorThenStartsAgain() throws Exception {
        try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(events::add)).build()) {
            IOException transientError = new IOException("transient");
            AtomicInteger calls = new AtomicInteger();
            Task<String> task = flow.task("retried").retries(1).submit(() -> {
                if (calls.incrementAndGet() == 1) {
                    throw transientError;
                }
                return "ok";
            });
            task.get();
            flow.awaitAll();

            List<TaskEvent> life = of(task);
            assertThat(life).extracting(TaskEvent::kind).containsExactly(Kind.SUBMITTED, Kind.READY, Kind.STARTED,
                    Kind.RETRIED, Kind.STARTED, Kind.FINISHED);
            assertThat(life.get(3).error()).isSameAs(transientError);
            assertThat(life.get(3).attempt()).isEqualTo(1);
            assertThat(life.get(3).worker()).startsWith("paraflow-");
            assertThat(life.get(4).attempt()).isEqualTo(2);
            assertThat(life.get(5).attempt()).isEqualTo(2);
        }
    }

    @Test
    void failuresAreReportedAsFailedWithTheErrorAndDependentsFailWithoutStarting() {
        try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(events::add)).build()) {
            Task<Integer> root = flow.task("root").submit(() -> {
                throw new IllegalStateException("root broke");
            });
            Task<Integer> dependent = flow.task("dependent").submit(x -> x, root);
            assertThatThrownBy(dependent::get).cause().isInstanceOf(DependencyFailedException.class);
            assertThatThrownBy(root::get).cause().isInstanceOf(TaskFailedException.class);

            assertThat(kinds(root)).containsExactly(Kind.SUBMITTED, Kind.READY, Kind.STARTED, Kind.FAILED);
            assertThat(of(root).get(3).error()).isInstanceOf(TaskFailedException.class);
            assertThat(of(root).get(3).worker()).startsWith("paraflow-threads-");
            assertThat(kinds(dependent)).containsExactly(Kind.SUBMITTED, Kind.FAILED);
            assertThat(of(dependent).get(1).error()).isInstanceOf(DependencyFailedException.class);
        }
    }

    @Test
    void cancelledTasksReportCancelledWithTheCancellation() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(events::add)).build()) {
                CountDownLatch started = new CountDownLatch(1);
                Task<Integer> running = flow.task("running").submit(() -> {
                    started.countDown();
                    Sync.block(new CountDownLatch(1));
                    return 1;
                });
                Task<Integer> queued = flow.task("queued").submit(() -> 2);
                Sync.await(started);
                // the queued task first: cancelling the running one frees the only worker for it
                queued.cancel(true);
                running.cancel(true);
                flow.awaitAll();

                assertThat(kinds(running)).containsExactly(Kind.SUBMITTED, Kind.READY, Kind.STARTED, Kind.CANCELLED);
                assertThat(kinds(queued)).containsExactly(Kind.SUBMITTED, Kind.READY, Kind.CANCELLED);
                assertThat(of(running).get(3).error()).isInstanceOf(TaskCancelledException.class);
                assertThat(of(queued).get(2).error()).isInstanceOf(TaskCancelledException.class);
            }
        });
    }

    @Test
    void aListenerThatThrowsDoesNotAffectTasksOrOtherListeners() throws Exception {
        AtomicInteger thrown = new AtomicInteger();
        try (Flow flow = Flow.builder().threads(2)
                .listener(TaskListener.ofEvents(e -> {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("listener bug");
                }))
                .listener(TaskListener.ofEvents(events::add))
                .build()) {
            Task<Integer> a = flow.submit(() -> 20);
            Task<Integer> b = flow.submit(x -> x + 1, a);
            Task<Integer> c = flow.task("fails").retries(1).submit(() -> {
                throw new IOException();
            });
            assertThat(b.get()).isEqualTo(21);
            assertThatThrownBy(c::get).cause().isInstanceOf(TaskFailedException.class);
            flow.awaitAll();

            assertThat(kinds(b)).containsExactly(Kind.SUBMITTED, Kind.READY, Kind.STARTED, Kind.FINISHED);
            assertThat(kinds(c)).endsWith(Kind.RETRIED, Kind.STARTED, Kind.FAILED);
            assertThat(thrown.get()).isEqualTo(events.size());
        }
    }

    /** Records lifecycle calls and events in one list, so that their order can be checked. */
    private static final class LifecycleRecorder implements TaskListener {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final AtomicReference<FlowInfo> started = new AtomicReference<>();
        final RuntimeException refuseStart;
        final RuntimeException refuseClose;

        LifecycleRecorder(RuntimeException refuseStart, RuntimeException refuseClose) {
            this.refuseStart = refuseStart;
            this.refuseClose = refuseClose;
        }

        @Override
        public void flowStarted(FlowInfo flow) {
            calls.add("started");
            started.set(flow);
            if (refuseStart != null) {
                throw refuseStart;
            }
        }

        @Override
        public void onStep(TaskInfo task, Kind step, int attempt, String worker, long epochNanos, Throwable error) {
            calls.add(step.name());
        }

        @Override
        public void flowClosed(FlowInfo flow, long epochNanos) {
            assertThat(flow).isSameAs(started.get());
            assertThat(epochNanos).isGreaterThanOrEqualTo(flow.epochNanos());
            calls.add("closed");
            if (refuseClose != null) {
                throw refuseClose;
            }
        }
    }

    @Test
    void listenersHearThatTheFlowStartedBeforeAnyEventAndClosedOnceAfterTheLast() throws Exception {
        LifecycleRecorder recorder = new LifecycleRecorder(null, null);
        Flow flow = Flow.builder().threads(2).maxUnfinished(1000).listener(recorder).build();
        FlowInfo info = recorder.started.get();
        assertThat(info.flowId()).isEqualTo(flow.id());
        assertThat(info.executors()).containsEntry(FlowBuilder.THREADS, new Resources(2, Runtime.getRuntime().maxMemory(), 0));
        assertThat(info.defaultExecutor()).isEqualTo(FlowBuilder.THREADS);
        assertThat(info.maxUnfinished()).isEqualTo(1000);
        assertThat(recorder.calls).containsExactly("started");
        flow.submit(() -> 1).get();
        flow.close();
        flow.close();
        assertThat(recorder.calls).containsExactly("started", "SUBMITTED", "READY", "STARTED", "FINISHED", "closed");
    }

    @Test
    void aListenerThatRefusesTheStartFailsTheBuildAndLeavesNoThreads() {
        LifecycleRecorder first = new LifecycleRecorder(null, null);
        LifecycleRecorder refusing = new LifecycleRecorder(new IllegalStateException("database is not writable"), null);
        LifecycleRecorder never = new LifecycleRecorder(null, null);
        assertThatThrownBy(() -> Flow.builder().listener(first).listener(refusing).listener(never).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("database is not writable");
        assertThat(first.calls).containsExactly("started", "closed");
        assertThat(refusing.calls).containsExactly("started");
        assertThat(never.calls).isEmpty();
    }

    @Test
    void aListenerThatFailsAtCloseMakesCloseThrowAfterTheOthersHeardIt() {
        LifecycleRecorder failing = new LifecycleRecorder(null, new IllegalStateException("disk full"));
        LifecycleRecorder other = new LifecycleRecorder(null, null);
        Flow flow = Flow.builder().listener(failing).listener(other).build();
        assertThatThrownBy(flow::close).isInstanceOf(IllegalStateException.class).hasMessage("disk full");
        assertThat(other.calls).containsExactly("started", "closed");
    }
}
