package io.paraflow.graph;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskFailedException;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * Minimal reproductions of what the property test first ran into: submitting a task whose argument has
 * already failed. The task then ends inside {@code submit}, while it is still being wired, which is a
 * path that a fast-failing argument can hit with any submission order.
 */
@ExtendWith(NoLeakedThreads.class)
class FailedArgumentAtSubmissionTest {

    @Test
    void aTaskWhoseFirstOfTwoArgumentsAlreadyFailedFailsWithDependencyFailure() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Integer> failed = failedTask(flow);
            Task<Integer> fine = flow.value(1);

            Task<Integer> sum = flow.submit((Integer a, Integer b) -> a + b, failed, fine);

            Throwable outcome = catchThrowable(sum::get);
            assertThat(outcome).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(DependencyFailedException.class);
            assertThat(((DependencyFailedException) outcome.getCause()).failedTaskId()).isEqualTo(failed.id());
        }
    }

    @Test
    void aDependentOfATaskThatFailedDuringItsSubmissionAlsoEnds() throws Exception {
        Flow flow = Flow.builder().threads(2).build();
        Task<Integer> second = null;
        try {
            Task<Integer> failed = failedTask(flow);
            Task<Integer> first = flow.submit(x -> x + 1, failed);
            assertThat(first.isDone()).as("a dependent of a failed task fails at once").isTrue();

            second = flow.submit(x -> x + 1, first);

            // Hang guard only: the outcome is decided already, so any wait that times out means never.
            Throwable outcome;
            try {
                second.get(10, TimeUnit.SECONDS);
                outcome = null;
            } catch (ExecutionException e) {
                outcome = e.getCause();
            } catch (TimeoutException e) {
                fail("the dependent of a task that failed during its own submission never ends: " + second);
                return;
            }
            assertThat(outcome).isInstanceOf(DependencyFailedException.class);
            assertThat(((DependencyFailedException) outcome).failedTaskId()).isEqualTo(failed.id());
        } finally {
            if (second != null && !second.isDone()) {
                second.cancel(true); // lets the flow close after the failure above
            }
            flow.close();
        }
    }

    private static Task<Integer> failedTask(Flow flow) {
        Task<Integer> failed = flow.submit(() -> {
            throw new IllegalStateException("fails on purpose");
        });
        Throwable t = catchThrowable(failed::join);
        assertThat(t).isInstanceOf(CompletionException.class).hasCauseInstanceOf(TaskFailedException.class);
        // A task's future completes just before its successors are notified; once a dependent has ended,
        // the failed task has closed its successor list, so later dependents meet it as already ended.
        Task<Integer> probe = flow.submit(x -> x, failed);
        assertThat(catchThrowable(probe::join)).hasCauseInstanceOf(DependencyFailedException.class);
        return failed;
    }
}
