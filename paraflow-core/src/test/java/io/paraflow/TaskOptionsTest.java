package io.paraflow;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.exec.ThreadExecutor;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Point 3 (names, priority, executor labels, builder rules). Retries, timeouts, failure policy and
 * resources have their own classes: {@link RetryTest}, {@link TimeoutTest}, {@link FailurePolicyTest},
 * {@link ResourceTest}.
 */
@ExtendWith(NoLeakedThreads.class)
class TaskOptionsTest {

    static int answer() {
        return 42;
    }

    @Test
    void nameIsGivenByTheBuilderOrDerivedFromTheFunction() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThat(flow.task("load input").submit(() -> 1).name()).isEqualTo("load input");
            // a method reference names its method, so unnamed tasks are still recognisable in errors
            Task<Integer> byReference = flow.submit(TaskOptionsTest::answer);
            assertThat(byReference.name()).isEqualTo("TaskOptionsTest.answer");
            assertThat(flow.submit(() -> 2).name()).startsWith("TaskOptionsTest.");
            flow.awaitAll();
        }
    }

    @Test
    void nameAppearsInEventsAndErrors() {
        Queue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        try (Flow flow = Flow.builder().threads(1).listener(TaskListener.ofEvents(events::add)).build()) {
            Task<Integer> task = flow.task("parse config").submit(() -> {
                throw new IllegalStateException("bad line 3");
            });
            assertThatThrownBy(task::get).cause().isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining("'parse config'").hasMessageContaining("#" + task.id());
            assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.taskName()).isEqualTo("parse config"));
        }
    }

    @Test
    void idsIncreaseInSubmissionOrder() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            long previous = Long.MIN_VALUE;
            for (int i = 0; i < 10; i++) {
                long id = flow.submit(() -> 0).id();
                assertThat(id).isGreaterThan(previous);
                previous = id;
            }
        }
    }

    @Test
    void queuedTasksRunInPriorityOrderWithOneThread() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch blockerRunning = new CountDownLatch(1);
                CountDownLatch releaseBlocker = new CountDownLatch(1);
                // the one worker is busy, so everything below waits in the queue
                flow.task("blocker").priority(100).submit(() -> {
                    blockerRunning.countDown();
                    Sync.block(releaseBlocker);
                    return null;
                });
                Sync.await(blockerRunning);

                Queue<String> order = new ConcurrentLinkedQueue<>();
                int[] priorities = {3, -1, 7, 0, 5, 7, -20, 1};
                for (int i = 0; i < priorities.length; i++) {
                    String label = "p" + priorities[i] + "#" + i;
                    flow.task(label).priority(priorities[i]).submit(() -> order.add(label));
                }
                releaseBlocker.countDown();
                flow.awaitAll();

                // highest first; equal priorities in submission order
                assertThat(order).containsExactly("p7#2", "p7#5", "p5#4", "p3#0", "p1#7", "p0#3", "p-1#1", "p-20#6");
            }
        });
    }

    @Test
    void aDefaultPriorityTaskQueuedBeforeTheFirstPrioritizedOneDoesNotOvertakeIt() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch blockerRunning = new CountDownLatch(1);
                CountDownLatch releaseBlocker = new CountDownLatch(1);
                flow.submit(() -> {
                    blockerRunning.countDown();
                    Sync.block(releaseBlocker);
                    return null;
                });
                Sync.await(blockerRunning);

                Queue<String> order = new ConcurrentLinkedQueue<>();
                // "higher runs first among tasks waiting for a slot": both wait, so the urgent one runs first
                flow.task("ordinary").submit(() -> order.add("ordinary"));
                flow.task("urgent").priority(10).submit(() -> order.add("urgent"));
                releaseBlocker.countDown();
                flow.awaitAll();

                assertThat(order).containsExactly("urgent", "ordinary");
            }
        });
    }

    @Test
    void taskChoosesAnotherExecutorByLabelAndRunsOnItsThreads() throws Exception {
        ThreadExecutor other = ThreadExecutor.create("other", 1, 0);
        try (Flow flow = Flow.builder().threads(1).executor(other).build()) {
            Task<String> there = flow.task("elsewhere").on("other").submit(() -> Thread.currentThread().getName());
            Task<String> here = flow.submit(() -> Thread.currentThread().getName());
            Task<Integer> failing = flow.task("fails elsewhere").on("other").submit(() -> {
                throw new IllegalStateException("x");
            });

            assertThat(there.get()).startsWith("paraflow-other-");
            assertThat(here.get()).startsWith("paraflow-" + FlowBuilder.THREADS + "-");
            assertThatThrownBy(failing::get).cause().isInstanceOfSatisfying(TaskFailedException.class,
                    e -> assertThat(e.executor()).isEqualTo("other"));
        }
    }

    @Test
    void defaultExecutorCanBeAnAddedExecutor() throws Exception {
        try (Flow flow = Flow.builder().threads(1).executor(ThreadExecutor.create("other", 1, 0))
                .defaultExecutor("other").build()) {
            assertThat(flow.submit(() -> Thread.currentThread().getName()).get()).startsWith("paraflow-other-");
            assertThat(flow.task("back home").on(FlowBuilder.THREADS).submit(() -> Thread.currentThread().getName())
                    .get()).startsWith("paraflow-threads-");
        }
    }

    @Test
    void builderIsImmutableSoAConfiguredBuilderIsASafeTemplate() throws Exception {
        ThreadExecutor other = ThreadExecutor.create("other", 1, 0);
        try (Flow flow = Flow.builder().threads(1).executor(other).build()) {
            TaskBuilder template = flow.task("step");
            TaskBuilder elsewhere = template.on("other");
            // configuring the copy did not touch the template
            assertThat(template.submit(() -> Thread.currentThread().getName()).get()).startsWith("paraflow-threads-");
            assertThat(elsewhere.submit(() -> Thread.currentThread().getName()).get()).startsWith("paraflow-other-");

            TaskBuilder withRetries = template.retries(3);
            // the template has no retries, so it may still take a retry policy
            assertThat(template.retryPolicy((e, attempt) -> io.paraflow.fault.RetryDecision.giveUp())).isNotNull();
            assertThatThrownBy(() -> withRetries.retryPolicy((e, attempt) -> io.paraflow.fault.RetryDecision.giveUp()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void badOptionValuesAreRejectedAtOnceWithTheSettingNamed() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            TaskBuilder b = flow.task("t");
            List<ThrowingSetter> bad = new ArrayList<>();
            bad.add(() -> b.cores(0));
            bad.add(() -> b.memory(-1));
            bad.add(() -> b.gpus(-1));
            bad.add(() -> b.timeout(Duration.ZERO));
            bad.add(() -> b.timeout(Duration.ofMillis(-5)));
            bad.add(() -> b.retries(-1));
            String[] settings = {"cores", "memory", "gpus", "timeout", "timeout", "retries"};
            for (int i = 0; i < bad.size(); i++) {
                assertThatThrownBy(bad.get(i)::call).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(settings[i]);
            }
            assertThatThrownBy(() -> b.timeout(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> b.on(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> flow.task(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void badFlowSettingsAreRejected() {
        assertThatThrownBy(() -> Flow.builder().threads(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        assertThatThrownBy(() -> Flow.builder().memory(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory");
        assertThatThrownBy(() -> Flow.builder().maxUnfinished(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxUnfinished");
        assertThatThrownBy(() -> Flow.builder().defaultExecutor("nowhere").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nowhere")
                .hasMessageContaining(FlowBuilder.THREADS);
        assertThatThrownBy(() -> Flow.builder().executor(ThreadExecutor.create("twin", 1, 0))
                .executor(ThreadExecutor.create("twin", 1, 0)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twin");
    }

    @FunctionalInterface
    interface ThrowingSetter {
        Object call() throws Exception;
    }

    @Test
    void fallbackOfNullIsAValue() throws ExecutionException, InterruptedException {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<String> t = flow.task("nullable").fallback(null).submit(() -> {
                throw new IllegalStateException();
            });
            assertThat(t.get()).isNull();
        }
    }

    @Test
    void lambdasOfOneMethodGetDistinctDerivedNamesAndEachKeepsItsName() throws Exception {
        // review finding: every lambda of a method was named '<Class>.<method>/lambda1'
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Integer> a = flow.submit(() -> 1);
            Task<Integer> b = flow.submit(() -> 2);
            Task<Integer> c = flow.submit(x -> x + 1, a);
            List<String> names = List.of(a.name(), b.name(), c.name());
            assertThat(names).doesNotHaveDuplicates().allSatisfy(name -> assertThat(name)
                    .startsWith("TaskOptionsTest.lambdasOfOneMethodGetDistinctDerivedNamesAndEachKeepsItsName/lambda"));

            // the same lambda submitted again keeps its name
            List<String> again = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int n = i;
                again.add(flow.submit(() -> n).name());
            }
            assertThat(again.get(1)).isEqualTo(again.get(0));
            assertThat(again.get(0)).isNotIn(names);
            flow.awaitAll();
        }
    }
}
