package io.paraflow;

import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Point 3 (failure policy): by default dependents fail with a DependencyFailedException that names the
 * task that failed first and carries its original error; with a fallback value dependents go on.
 */
@ExtendWith(NoLeakedThreads.class)
class FailurePolicyTest {

    /** A named frame, so the test can find it in the original stack trace. */
    static int explode() {
        throw new IllegalStateException("boom at the root");
    }

    @Test
    void dependentsThroughSeveralLevelsNameTheRootAndCarryItsOriginalError() {
        try (Flow flow = Flow.builder().threads(2).build()) {
            AtomicInteger dependentRuns = new AtomicInteger();
            Task<Integer> root = flow.task("root").submit(FailurePolicyTest::explode);
            Task<Integer> level1 = flow.task("level1").submit(x -> dependentRuns.incrementAndGet(), root);
            Task<Integer> level2 = flow.task("level2").submit(x -> dependentRuns.incrementAndGet(), level1);
            Task<Integer> level3 = flow.task("level3").submit((x, y) -> dependentRuns.incrementAndGet(), level2,
                    flow.value(1));
            Task<Integer> level4 = flow.task("level4").submit(x -> dependentRuns.incrementAndGet(), level3);

            for (Task<Integer> dependent : Arrays.asList(level1, level2, level3, level4)) {
                assertThatThrownBy(dependent::get).isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOfSatisfying(DependencyFailedException.class, e -> {
                            assertThat(e.taskId()).isEqualTo(dependent.id());
                            assertThat(e.taskName()).isEqualTo(dependent.name());
                            assertThat(e.failedTaskId()).isEqualTo(root.id());
                            assertThat(e.failedTaskName()).isEqualTo("root");
                            assertThat(e).hasMessageContaining("'" + dependent.name() + "'")
                                    .hasMessageContaining("'root'");
                            // one step to the root's failure, two to the original exception
                            assertThat(e.getCause()).isInstanceOfSatisfying(TaskFailedException.class, rootFailure -> {
                                assertThat(rootFailure.taskId()).isEqualTo(root.id());
                                assertThat(rootFailure.getCause()).isInstanceOf(IllegalStateException.class)
                                        .hasMessage("boom at the root");
                                assertThat(rootFailure.getCause().getStackTrace())
                                        .anySatisfy(frame -> assertThat(frame.getMethodName()).isEqualTo("explode"));
                            });
                        });
            }
            assertThat(dependentRuns).hasValue(0);
        }
    }

    @Test
    void theTaskThatFailedFirstIsNamedWhenSeveralArgumentsFail() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                CountDownLatch secondMayFail = new CountDownLatch(1);
                Task<Integer> late = flow.task("fails late").submit(() -> {
                    Sync.block(secondMayFail);
                    throw new IllegalStateException("late");
                });
                Task<Integer> early = flow.task("fails early").submit(() -> {
                    throw new IllegalStateException("early");
                });
                Task<Integer> both = flow.task("both").submit(Integer::sum, late, early);

                // wait until the early failure reached the dependent, then let the other fail
                assertThatThrownBy(both::get).cause().isInstanceOfSatisfying(DependencyFailedException.class,
                        e -> assertThat(e.failedTaskName()).isEqualTo("fails early"));
                secondMayFail.countDown();
                assertThatThrownBy(late::get).cause().isInstanceOf(TaskFailedException.class);
                assertThatThrownBy(both::get).cause().isInstanceOfSatisfying(DependencyFailedException.class, e -> {
                    assertThat(e.failedTaskName()).isEqualTo("fails early");
                    assertThat(e.failedTaskId()).isEqualTo(early.id());
                });
            }
        });
    }

    @Test
    void aFallbackValueLetsDependentsGoOnAndTheFailureIsStillReported() throws Exception {
        Queue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        try (Flow flow = Flow.builder().threads(2).listener(TaskListener.ofEvents(events::add)).build()) {
            Task<Integer> measured = flow.task("measure").fallback(-1).submit(FailurePolicyTest::explode);
            Task<String> report = flow.submit(x -> "value " + x, measured);

            assertThat(measured.get()).isEqualTo(-1);
            assertThat(measured.toCompletableFuture().isCompletedExceptionally()).isFalse();
            assertThat(report.get()).isEqualTo("value -1");
            assertThat(events).filteredOn(e -> e.taskId() == measured.id() && e.kind() == TaskEvent.Kind.FAILED)
                    .singleElement().satisfies(e -> assertThat(causalChain(e.error()))
                            .anySatisfy(t -> assertThat(t).hasMessage("boom at the root")));
        }
    }

    @Test
    void fallbackAppliesOnlyAfterRetriesAreExhausted() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            AtomicInteger calls = new AtomicInteger();
            Task<String> task = flow.task("retry then fall back").retries(2).fallback("fallback").submit(() -> {
                calls.incrementAndGet();
                throw new IllegalStateException();
            });
            assertThat(task.get()).isEqualTo("fallback");
            assertThat(calls).hasValue(3);
        }
    }

    static java.util.List<Throwable> causalChain(Throwable error) {
        java.util.List<Throwable> chain = new java.util.ArrayList<>();
        for (Throwable t = error; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
