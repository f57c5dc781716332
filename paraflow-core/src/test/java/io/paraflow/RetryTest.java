package io.paraflow;

import io.paraflow.fault.RetryDecision;
import io.paraflow.fault.RetryPolicy;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 3 (retries): attempt counts, policies that weigh the error and the attempt, delays, validation. */
@ExtendWith(NoLeakedThreads.class)
class RetryTest {

    @Test
    void retriesRunTheFunctionAgainUntilItSucceeds() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            AtomicInteger calls = new AtomicInteger();
            Task<String> flaky = flow.task("flaky").retries(3).submit(() -> {
                if (calls.incrementAndGet() < 3) {
                    throw new IOException("transient " + calls.get());
                }
                return "ok on call " + calls.get();
            });
            assertThat(flaky.get()).isEqualTo("ok on call 3");
            assertThat(calls).hasValue(3);
        }
    }

    @Test
    void afterTheLastRetryTheTaskFailsWithTheLastErrorAndTheAttemptCount() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            AtomicInteger calls = new AtomicInteger();
            Task<String> broken = flow.task("broken").retries(2).submit(() -> {
                throw new IOException("failure " + calls.incrementAndGet());
            });
            assertThatThrownBy(broken::get).cause().isInstanceOfSatisfying(TaskFailedException.class, e -> {
                assertThat(e.attempts()).isEqualTo(3);
                assertThat(e.getCause()).isInstanceOf(IOException.class).hasMessage("failure 3");
                assertThat(e).hasMessageContaining("3 attempts");
            });
            assertThat(calls).hasValue(3);
        }
    }

    @Test
    void withoutRetriesATaskRunsOnce() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            AtomicInteger calls = new AtomicInteger();
            Task<Object> once = flow.task("once").submit(() -> {
                calls.incrementAndGet();
                throw new IOException();
            });
            Task<Object> zero = flow.task("zero").retries(0).submit(() -> {
                calls.incrementAndGet();
                throw new IOException();
            });
            assertThatThrownBy(once::get).cause().isInstanceOfSatisfying(TaskFailedException.class,
                    e -> assertThat(e.attempts()).isEqualTo(1));
            assertThatThrownBy(zero::get).cause().isInstanceOf(TaskFailedException.class);
            assertThat(calls).hasValue(2);
        }
    }

    @Test
    void policySeesEachErrorAndAttemptNumberAndDecidesPerKindOfError() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Queue<String> seen = new ConcurrentLinkedQueue<>();
            AtomicInteger calls = new AtomicInteger();
            RetryPolicy ioOnly = (error, attempt) -> {
                seen.add(error.getClass().getSimpleName() + ":" + error.getMessage() + "@" + attempt);
                return error instanceof IOException ? RetryDecision.retryNow() : RetryDecision.giveUp();
            };
            Task<Integer> task = flow.task("weighs errors").retryPolicy(ioOnly).submit(() -> {
                int call = calls.incrementAndGet();
                if (call < 3) {
                    throw new IOException("io" + call);
                }
                throw new IllegalArgumentException("fatal" + call);
            });

            assertThatThrownBy(task::get).cause().isInstanceOfSatisfying(TaskFailedException.class, e -> {
                assertThat(e.attempts()).isEqualTo(3);
                assertThat(e.getCause()).isInstanceOf(IllegalArgumentException.class);
            });
            assertThat(seen).containsExactly("IOException:io1@1", "IOException:io2@2",
                    "IllegalArgumentException:fatal3@3");
        }
    }

    @Test
    void retryAfterADelayStartsTheNextAttemptNotBeforeTheDelay() {
        assertTimeoutPreemptively(GUARD, () -> {
            Duration delay = Duration.ofMillis(150);
            try (Flow flow = Flow.builder().threads(1).build()) {
                AtomicLong failedAt = new AtomicLong();
                AtomicLong retriedAt = new AtomicLong();
                AtomicInteger calls = new AtomicInteger();
                RetryPolicy later = (error, attempt) -> attempt == 1 ? RetryDecision.retryAfter(delay)
                        : RetryDecision.giveUp();
                Task<String> task = flow.task("later").retryPolicy(later).submit(() -> {
                    if (calls.incrementAndGet() == 1) {
                        failedAt.set(System.nanoTime());
                        throw new IOException("first");
                    }
                    retriedAt.set(System.nanoTime());
                    return "second";
                });
                assertThat(task.get()).isEqualTo("second");
                // a lower bound only: the runtime may be late, never early
                assertThat(retriedAt.get() - failedAt.get()).isGreaterThanOrEqualTo(delay.toNanos());
            }
        });
    }

    @Test
    void aWaitingRetryHoldsNoSlot() {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(1).build()) {
                AtomicInteger calls = new AtomicInteger();
                Queue<String> order = new ConcurrentLinkedQueue<>();
                // a long delay, so the other task can run while the first one waits
                Task<String> patient = flow.task("patient")
                        .retryPolicy((e, attempt) -> attempt == 1 ? RetryDecision.retryAfter(Duration.ofMillis(300))
                                : RetryDecision.giveUp())
                        .submit(() -> {
                            if (calls.incrementAndGet() == 1) {
                                order.add("patient fails");
                                throw new IOException();
                            }
                            order.add("patient retried");
                            return "done";
                        });
                Task<String> other = flow.submit(() -> {
                    order.add("other");
                    return "other";
                });
                assertThat(other.get()).isEqualTo("other");
                assertThat(patient.get()).isEqualTo("done");
                assertThat(order).containsExactly("patient fails", "other", "patient retried");
            }
        });
    }

    @Test
    void upToWithTypesRetriesOnlyThoseTypesAndTheirSubtypes() {
        RetryPolicy policy = RetryPolicy.upTo(2, IOException.class);
        assertThat(policy.decide(new IOException(), 1).retry()).isTrue();
        assertThat(policy.decide(new FileNotFoundException(), 2).retry()).isTrue();
        assertThat(policy.decide(new IOException(), 3).retry()).isFalse();
        assertThat(policy.decide(new IllegalStateException(), 1).retry()).isFalse();
        assertThat(policy.decide(new IOException(), 1).delay()).isZero();

        try (Flow flow = Flow.builder().threads(1).build()) {
            AtomicInteger ioCalls = new AtomicInteger();
            AtomicInteger stateCalls = new AtomicInteger();
            Task<Object> io = flow.task("io").retryPolicy(policy).submit(() -> {
                throw new FileNotFoundException("call " + ioCalls.incrementAndGet());
            });
            Task<Object> state = flow.task("state").retryPolicy(policy).submit(() -> {
                throw new IllegalStateException("call " + stateCalls.incrementAndGet());
            });
            assertThatThrownBy(io::get).cause().isInstanceOfSatisfying(TaskFailedException.class,
                    e -> assertThat(e.attempts()).isEqualTo(3));
            assertThatThrownBy(state::get).cause().isInstanceOfSatisfying(TaskFailedException.class,
                    e -> assertThat(e.attempts()).isEqualTo(1));
            assertThat(ioCalls).hasValue(3);
            assertThat(stateCalls).hasValue(1);
        }
    }

    @Test
    void upToRetriesAnyErrorTheGivenNumberOfTimes() {
        RetryPolicy policy = RetryPolicy.upTo(2);
        assertThat(policy.decide(new Error(), 1)).isSameAs(RetryDecision.retryNow());
        assertThat(policy.decide(new RuntimeException(), 2).retry()).isTrue();
        assertThat(policy.decide(new RuntimeException(), 3).retry()).isFalse();
        assertThat(RetryPolicy.never().decide(new RuntimeException(), 1).retry()).isFalse();
        assertThatThrownBy(() -> RetryPolicy.upTo(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryPolicy.upTo(-1, IOException.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exponentialBackoffDoublesTheDelayUpToTheMaximumThenGivesUp() {
        RetryPolicy policy = RetryPolicy.exponentialBackoff(5, Duration.ofMillis(10), Duration.ofMillis(50));
        assertThat(policy.decide(new IOException(), 1).delay()).isEqualTo(Duration.ofMillis(10));
        assertThat(policy.decide(new IOException(), 2).delay()).isEqualTo(Duration.ofMillis(20));
        assertThat(policy.decide(new IOException(), 3).delay()).isEqualTo(Duration.ofMillis(40));
        assertThat(policy.decide(new IOException(), 4).delay()).isEqualTo(Duration.ofMillis(50));
        assertThat(policy.decide(new IOException(), 5).retry()).isTrue();
        assertThat(policy.decide(new IOException(), 6).retry()).isFalse();
        // very late attempts must not overflow the delay
        RetryPolicy many = RetryPolicy.exponentialBackoff(1000, Duration.ofMillis(1), Duration.ofHours(1));
        assertThat(many.decide(new IOException(), 999).delay()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void exponentialBackoffValidatesItsArguments() {
        Duration ms = Duration.ofMillis(1);
        assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(-1, ms, ms))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retries");
        assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(1, Duration.ofMillis(-1), ms))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("initialDelay");
        assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(1, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(1, null, ms)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> RetryPolicy.exponentialBackoff(1, ms, null)).isInstanceOf(NullPointerException.class);
        assertThat(RetryPolicy.exponentialBackoff(0, Duration.ZERO, Duration.ZERO).decide(new IOException(), 1).retry())
                .isFalse();
    }

    @Test
    void retryDecisionValidatesTheDelay() {
        assertThatThrownBy(() -> RetryDecision.retryAfter(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RetryDecision.retryAfter(null)).isInstanceOf(NullPointerException.class);
        assertThat(RetryDecision.retryAfter(Duration.ZERO).delay()).isZero();
        assertThat(RetryDecision.retryAfter(Duration.ofSeconds(1)).retry()).isTrue();
        assertThat(RetryDecision.giveUp().retry()).isFalse();
    }

    @Test
    void retriesAndRetryPolicyTogetherAreRejectedInEitherOrder() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThatThrownBy(() -> flow.task("both").retries(2).retryPolicy(RetryPolicy.upTo(1)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("both");
            assertThatThrownBy(() -> flow.task("both").retryPolicy(RetryPolicy.upTo(1)).retries(2))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("both");
        }
    }

    @Test
    void aPolicyThatThrowsGivesUpAndIsAttachedToTheFailure() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            AtomicInteger calls = new AtomicInteger();
            Task<Object> task = flow.task("bad policy").retryPolicy((e, attempt) -> {
                throw new IllegalStateException("policy broke");
            }).submit(() -> {
                calls.incrementAndGet();
                throw new IOException("original");
            });
            assertThatThrownBy(task::get).cause().isInstanceOf(TaskFailedException.class).cause()
                    .isInstanceOf(IOException.class)
                    .satisfies(original -> assertThat(original.getSuppressed())
                            .anySatisfy(s -> assertThat(s).hasMessage("policy broke")));
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void failedDependenciesAreNeverOfferedToTheRetryPolicy() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Queue<Throwable> offered = new ConcurrentLinkedQueue<>();
            Task<Integer> root = flow.task("root").submit(() -> {
                throw new IOException("root");
            });
            Task<Integer> dependent = flow.task("dependent").retryPolicy((e, attempt) -> {
                offered.add(e);
                return RetryDecision.retryNow();
            }).submit(x -> x, root);
            assertThatThrownBy(dependent::get).cause().isInstanceOf(DependencyFailedException.class);
            assertThat(offered).isEmpty();
        }
    }
}
