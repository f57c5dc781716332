package io.paraflow;

import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.Resources;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.fn.Fn0;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Point 9: every kind of failure has its own type, and its message names the task. Misuse fails at once
 * with the JDK's argument and state exceptions; failures of the runtime itself are ParaflowExceptions.
 */
@ExtendWith(NoLeakedThreads.class)
class ErrorTypesTest {

    static String readConfig() throws IOException {
        throw new IOException("config.yaml not found");
    }

    @Test
    void aTasksOwnExceptionIsTheCauseOfTaskFailedExceptionWithItsStackTrace() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<String> task = flow.task("read config").submit(ErrorTypesTest::readConfig);

            assertThatThrownBy(task::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                        assertThat(e.taskId()).isEqualTo(task.id());
                        assertThat(e.taskName()).isEqualTo("read config");
                        assertThat(e.executor()).isEqualTo(FlowBuilder.THREADS);
                        assertThat(e.worker()).startsWith("paraflow-threads-");
                        assertThat(e.attempts()).isEqualTo(1);
                        assertThat(e).hasMessageContaining("'read config'").hasMessageContaining("#" + task.id())
                                .hasMessageContaining(e.worker()).hasMessageContaining("config.yaml not found");
                        assertThat(e.getCause()).isInstanceOf(IOException.class);
                        assertThat(e.getCause().getStackTrace())
                                .anySatisfy(f -> assertThat(f.getMethodName()).isEqualTo("readConfig"));
                    });
            // join() reports the same failure in a CompletionException
            assertThatThrownBy(task::join).hasCauseInstanceOf(TaskFailedException.class);
        }
    }

    /** An exception as some libraries have them: asking for its message fails. */
    static final class BrokenMessageException extends RuntimeException {
        @Override
        public String getMessage() {
            throw new IllegalStateException("no message today");
        }
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a task that never ends hangs close()
    void anExceptionWhoseMessageThrowsStillFailsItsTaskAndItsDependents() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Integer> broken = flow.task("broken").submit(() -> {
                throw new BrokenMessageException();
            });
            Task<Integer> dependent = flow.task("dependent").submit(x -> x + 1, broken);
            assertThatThrownBy(() -> broken.get(10, java.util.concurrent.TimeUnit.SECONDS)).cause()
                    .isInstanceOf(TaskFailedException.class)
                    .hasMessageContaining(BrokenMessageException.class.getName() + " (its toString() threw"
                            + " java.lang.IllegalStateException)")
                    .cause().isInstanceOf(BrokenMessageException.class);
            assertThatThrownBy(() -> dependent.get(10, java.util.concurrent.TimeUnit.SECONDS)).cause()
                    .isInstanceOf(DependencyFailedException.class)
                    .hasMessageContaining("depends on task 'broken'");
        }
    }

    @Test
    void eachKindOfFailureHasItsOwnType() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(2).build()) {
                Task<Integer> failed = flow.task("failed").submit(() -> {
                    throw new IllegalStateException();
                });
                Task<Integer> dependent = flow.task("dependent").submit(x -> x, failed);
                Task<Integer> timedOut = flow.task("timed out").timeout(Duration.ofMillis(50)).submit(() -> {
                    Sync.block(new CountDownLatch(1));
                    return 0;
                });
                CountDownLatch release = new CountDownLatch(1);
                Task<Integer> cancelled = flow.task("cancelled").submit(() -> {
                    Sync.block(release);
                    return 0;
                });
                cancelled.cancel(true);
                release.countDown();

                assertThatThrownBy(failed::get).cause().isExactlyInstanceOf(TaskFailedException.class)
                        .hasMessageContaining("'failed'");
                assertThatThrownBy(dependent::get).cause().isExactlyInstanceOf(DependencyFailedException.class)
                        .hasMessageContaining("'dependent'");
                assertThatThrownBy(timedOut::get).cause().isExactlyInstanceOf(TaskTimeoutException.class)
                        .hasMessageContaining("'timed out'");
                assertThatThrownBy(cancelled::get).isExactlyInstanceOf(TaskCancelledException.class)
                        .isInstanceOf(CancellationException.class).hasMessageContaining("'cancelled'");
                // the three failures share a base type that names the task
                assertThat(TaskException.class).isAssignableFrom(TaskFailedException.class)
                        .isAssignableFrom(DependencyFailedException.class)
                        .isAssignableFrom(TaskTimeoutException.class);
            }
        });
    }

    @Test
    void misuseIsReportedWithTheJdksExceptionsAndNamesTheTask() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Integer> one = flow.value(1);
            assertThatThrownBy(() -> flow.task("loader").submit((Fn0<Integer>) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("loader");
            assertThatThrownBy(() -> flow.task("sum").submit(Integer::sum, one, null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("sum")
                    .hasMessageContaining("argument 2");
            assertThatThrownBy(() -> flow.task("inc").submit((Integer x) -> x + 1, null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("inc")
                    .hasMessageContaining("argument 1");
            assertThatThrownBy(() -> flow.task("joiner").compose((a, b) -> flow.value(1), one, (Task<Integer>) null))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("joiner");
            assertThat(flow.unfinished()).isZero();
        }
        assertThat(ResourceRequestException.class).hasSuperclass(IllegalArgumentException.class);
        assertThat(FlowClosedException.class).hasSuperclass(IllegalStateException.class);
    }

    @Test
    void anExecutorWhoseExecuteThrowsFailsTheTaskWithAParaflowExceptionNamingTheExecutor() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).executor(new BrokenExecutor("broken")).build()) {
                Task<Integer> refused = flow.task("refused").on("broken").submit(() -> 1);
                Task<Integer> dependent = flow.task("after refused").submit(x -> x + 1, refused);

                assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(ParaflowException.class)
                        .isNotInstanceOf(TaskException.class)
                        .hasMessageContaining("broken")
                        .hasMessageContaining("refused")
                        .hasRootCauseMessage("no workers left");
                assertThatThrownBy(dependent::get).cause().isInstanceOfSatisfying(DependencyFailedException.class,
                        e -> assertThat(e.failedTaskName()).isEqualTo("refused"));
                flow.awaitAll();
                assertThat(flow.unfinished()).isZero();
            }
        });
    }

    /** An executor that has lost all its workers: it refuses every task. */
    static final class BrokenExecutor implements TaskExecutor {
        private final String label;

        BrokenExecutor(String label) {
            this.label = label;
        }

        @Override
        public String label() {
            return label;
        }

        @Override
        public Resources capacity() {
            return new Resources(4, 0, 0);
        }

        @Override
        public void execute(ReadyTask task) {
            throw new IllegalStateException("no workers left");
        }

        @Override
        public void interruptAll() {
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theCompletableFutureCompletionMethodsOfATaskAreUnsupported() throws Exception {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                CountDownLatch release = new CountDownLatch(1);
                Task<String> task = flow.submit(() -> {
                    Sync.block(release);
                    return "from the flow";
                });
                CompletableFuture<String> future = task.toCompletableFuture();
                assertThatThrownBy(() -> future.complete("forged")).isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> future.completeExceptionally(new RuntimeException()))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> future.obtrudeValue("forged")).isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> future.obtrudeException(new RuntimeException()))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> future.completeAsync(() -> "forged"))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> future.completeAsync(() -> "forged", Runnable::run))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> future.orTimeout(1, TimeUnit.MILLISECONDS))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> future.completeOnTimeout("forged", 1, TimeUnit.MILLISECONDS))
                        .isInstanceOf(UnsupportedOperationException.class);

                release.countDown();
                // none of the attempts changed the outcome
                assertThat(task.get()).isEqualTo("from the flow");
                // stages derived from a task are ordinary futures
                assertThat(task.thenApply(String::length).toCompletableFuture().get()).isEqualTo(13);
            }
        });
    }

    @Test
    void aNullTaskGivenToAllIsReportedAsAnArgumentOfAll() {
        // review finding: the message named the task after the class of a collected value ('Integer')
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<Integer> one = flow.value(1);
            assertThatThrownBy(() -> flow.all(Arrays.asList(one, null)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("task 'all'")
                    .hasMessageContaining("argument 2");
            assertThatThrownBy(() -> flow.task("collect").all(Arrays.asList(one, null)))
                    .isInstanceOf(NullPointerException.class).hasMessageContaining("task 'collect'")
                    .hasMessageContaining("argument 2");
            assertThat(flow.unfinished()).isZero();
        }
    }
}
