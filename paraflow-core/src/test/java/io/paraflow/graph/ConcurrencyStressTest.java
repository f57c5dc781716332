package io.paraflow.graph;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskTimeoutException;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import io.paraflow.event.TaskEvent.Kind;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Stress tests of the runtime's concurrency: many threads submitting at once under back-pressure,
 * cancellation racing with completion, timeouts racing with completion. They look for lost wakeups and
 * hangs (every wait runs under a {@link HangGuard} that fails only when nothing moves for seconds),
 * double execution, leaked interrupts and malformed event sequences. Each round draws its choices from a
 * seed that failure messages name.
 */
@ExtendWith(NoLeakedThreads.class)
class ConcurrencyStressTest {

    private static final Duration IDLE_GUARD = Duration.ofSeconds(15);
    private static final Duration CAP_GUARD = Duration.ofSeconds(180);
    private static final long BASE_SEED = Long.getLong("paraflow.stress.seed", 0xC0FFEEL);

    // ------------------------------------------------------------------------------------------------
    // Concurrent submission

    private static final int SUBMITTERS = 8;
    private static final int PER_SUBMITTER = 1_500;

    @Test
    void eightThreadsSubmittingDependentTasksAndSubtasksUnderBackPressureRunEveryTaskExactlyOnce() {
        int[] threadCounts = {2, 4, 1, 3};
        for (int round = 0; round < threadCounts.length; round++) {
            long seed = BASE_SEED + round;
            new SubmissionRound(seed, threadCounts[round]).run();
        }
    }

    /**
     * One round: {@link #SUBMITTERS} threads each submit {@link #PER_SUBMITTER} tasks of four kinds:
     * independent; depending on a task another thread submitted; a join task whose function submits two
     * subtasks and returns the second; a task that submits two subtasks and waits for them (helping).
     * The flow's bound is tiny, so submitters block and wake all the time.
     */
    private static final class SubmissionRound {
        private static final int TOTAL = SUBMITTERS * PER_SUBMITTER;
        private final long seed;
        private final int threads;
        private final AtomicIntegerArray runs = new AtomicIntegerArray(3 * TOTAL);
        private final AtomicReferenceArray<Task<Long>> published = new AtomicReferenceArray<>(TOTAL);
        private final AtomicIntegerArray progress = new AtomicIntegerArray(SUBMITTERS);
        private final int[] kind = new int[TOTAL];
        private final int[] dependency = new int[TOTAL];
        /** Ids in the order they were published: a dependency is always published before its dependent. */
        private final int[] publishOrder = new int[TOTAL];
        private final AtomicInteger publishedCount = new AtomicInteger();
        private final AtomicLong steps = new AtomicLong();

        SubmissionRound(long seed, int threads) {
            this.seed = seed;
            this.threads = threads;
        }

        void run() {
            String where = "submission round seed " + seed + " on " + threads + " thread(s)";
            Flow flow = Flow.builder().threads(threads).maxUnfinished(16).build();
            boolean ended = false;
            try {
                HangGuard.run(where, () -> {
                    List<Thread> submitters = new ArrayList<>();
                    CyclicBarrier start = new CyclicBarrier(SUBMITTERS);
                    AtomicReference<Throwable> failure = new AtomicReference<>();
                    for (int t = 0; t < SUBMITTERS; t++) {
                        int submitter = t;
                        Thread thread = new Thread(() -> {
                            try {
                                start.await();
                                submitAll(flow, submitter);
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                            }
                        }, "submitter-" + t);
                        submitters.add(thread);
                        thread.start();
                    }
                    for (Thread thread : submitters) {
                        thread.join();
                    }
                    if (failure.get() != null) {
                        throw new AssertionError(where + ": a submitter failed", failure.get());
                    }
                    flow.awaitAll();
                }, () -> steps.get() + flow.unfinished(), IDLE_GUARD, CAP_GUARD,
                        () -> "unfinished: " + flow.unfinished() + ", published: " + publishedCount.get());
                ended = true;
                check(where, flow);
            } finally {
                if (ended) {
                    flow.close();
                }
            }
        }

        private static long base(int id) {
            return RandomGraph.mix(id, 0xABCDEF);
        }

        private long record(int id) {
            runs.incrementAndGet(id);
            steps.incrementAndGet();
            return base(id);
        }

        private void submitAll(Flow flow, int submitter) {
            Random random = new Random(seed * 31 + submitter);
            for (int i = 0; i < PER_SUBMITTER; i++) {
                int id = submitter * PER_SUBMITTER + i;
                int sub1 = TOTAL + 2 * id;
                int sub2 = sub1 + 1;
                int k = random.nextInt(4);
                dependency[id] = -1;
                Task<Long> task;
                if (k == 1) {
                    int other = random.nextInt(SUBMITTERS);
                    int available = progress.get(other);
                    if (other == submitter || available == 0) {
                        k = 0;
                    } else {
                        dependency[id] = other * PER_SUBMITTER + random.nextInt(available);
                    }
                }
                kind[id] = k;
                switch (k) {
                    case 0 -> task = flow.submit(() -> record(id));
                    case 1 -> task = flow.submit((Long x) -> record(id) + x, published.get(dependency[id]));
                    case 2 -> task = flow.compose(() -> {
                        record(id);
                        Task<Long> first = flow.submit(() -> record(sub1));
                        return flow.submit((Long y) -> y + record(sub2), first);
                    });
                    default -> task = flow.submit(() -> {
                        record(id);
                        Task<Long> first = flow.submit(() -> record(sub1));
                        Task<Long> second = flow.submit(() -> record(sub2));
                        return first.join() + second.join();
                    });
                }
                published.set(id, task);
                publishOrder[publishedCount.getAndIncrement()] = id;
                progress.set(submitter, i + 1);
            }
        }

        private void check(String where, Flow flow) {
            List<String> problems = new ArrayList<>();
            if (flow.unfinished() != 0) {
                problems.add("unfinished after awaitAll: " + flow.unfinished());
            }
            long[] expected = new long[TOTAL];
            for (int n = 0; n < TOTAL; n++) {
                int id = publishOrder[n];
                expected[id] = switch (kind[id]) {
                    case 0 -> base(id);
                    case 1 -> base(id) + expected[dependency[id]];
                    default -> base(TOTAL + 2 * id) + base(TOTAL + 2 * id + 1);
                };
            }
            for (int id = 0; id < TOTAL; id++) {
                Task<Long> task = published.get(id);
                if (runs.get(id) != 1) {
                    problems.add("task " + id + " (kind " + kind[id] + ") ran " + runs.get(id) + " times");
                }
                int subRuns = kind[id] >= 2 ? 1 : 0;
                for (int s = TOTAL + 2 * id; s < TOTAL + 2 * id + 2; s++) {
                    if (runs.get(s) != subRuns) {
                        problems.add("subtask " + s + " of task " + id + " ran " + runs.get(s) + " times");
                    }
                }
                if (!task.isDone()) {
                    problems.add("task " + id + " not done after awaitAll: " + task);
                } else if (Outcomes.failureOf(task) != null || task.join() != expected[id]) {
                    problems.add("task " + id + " (kind " + kind[id] + "): expected " + expected[id] + ", got "
                            + outcome(task));
                }
            }
            failIfAny(where, problems);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Cancellation racing with completion

    @Test
    void cancelRacingWithCompletionCancelsExactlyWhenItReturnsTrueAndNeverLeaksAnInterrupt() {
        for (int round = 0; round < 3; round++) {
            new CancelRound(BASE_SEED + 100 + round, 1 + round % 2 + round / 2).run();
        }
    }

    /**
     * One round of {@code n} gated tasks, each with a dependent, interleaved with probe tasks. Tasks
     * fall in groups: cancelled before their gate opens (cancel must win and interrupt a started
     * function), cancelled while the gate opens (either may win, consistently), quick functions cancelled
     * while they finish, dependents cancelled while their argument finishes, and never cancelled. Probes
     * and never-cancelled tasks must never observe an interrupt.
     */
    private static final class CancelRound {
        private static final int N = 600;
        private static final int BEFORE_GATE = 0;
        private static final int RACE_GATE = 1;
        private static final int RACE_QUICK = 2;
        private static final int RACE_DEPENDENT = 3;
        private static final int NEVER = 4;

        private final long seed;
        private final int threads;
        private final int[] group = new int[N];
        private final CountDownLatch[] gates = new CountDownLatch[N];
        private final AtomicIntegerArray entered = new AtomicIntegerArray(N);
        private final AtomicIntegerArray interruptedAtEntry = new AtomicIntegerArray(N);
        /** Whether the function saw an interrupt: InterruptedException, or the status still set after its wait. */
        private final AtomicIntegerArray interrupted = new AtomicIntegerArray(N);
        private final AtomicIntegerArray exited = new AtomicIntegerArray(N);
        private final AtomicIntegerArray dependentSawInterrupt = new AtomicIntegerArray(N);
        private final AtomicIntegerArray cancelResult = new AtomicIntegerArray(N);
        private final ConcurrentLinkedQueue<Integer> interruptedProbes = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        private final AtomicLong steps = new AtomicLong();
        private final List<Task<Integer>> tasks = new ArrayList<>();
        private final List<Task<Integer>> dependents = new ArrayList<>();
        private final List<Task<Integer>> probes = new ArrayList<>();

        CancelRound(long seed, int threads) {
            this.seed = seed;
            this.threads = threads;
        }

        void run() {
            String where = "cancel round seed " + seed + " on " + threads + " thread(s)";
            Random random = new Random(seed);
            Flow flow = Flow.builder().threads(threads).listener(TaskListener.ofEvents(e -> {
                events.add(e);
                steps.incrementAndGet();
            })).build();
            boolean ended = false;
            try {
                for (int i = 0; i < N; i++) {
                    group[i] = random.nextInt(5);
                    gates[i] = new CountDownLatch(group[i] == RACE_QUICK ? 0 : 1);
                    int id = i;
                    int spin = random.nextInt(3000);
                    tasks.add(flow.submit(() -> gatedBody(id, spin)));
                    dependents.add(flow.submit((Integer x) -> {
                        if (Thread.currentThread().isInterrupted()) {
                            dependentSawInterrupt.set(id, 1);
                        }
                        return x + 1;
                    }, tasks.get(i)));
                    probes.add(flow.submit(() -> {
                        if (Thread.currentThread().isInterrupted()) {
                            interruptedProbes.add(id);
                        }
                        return id;
                    }));
                }
                List<Integer> toCancel = new ArrayList<>();
                List<Integer> toOpen = new ArrayList<>();
                for (int i = 0; i < N; i++) {
                    if (group[i] != NEVER) {
                        toCancel.add(i);
                    }
                    if (group[i] != BEFORE_GATE) {
                        toOpen.add(i);
                    }
                }
                Collections.shuffle(toCancel, random);
                Collections.shuffle(toOpen, random);
                HangGuard.run(where, () -> {
                    CyclicBarrier start = new CyclicBarrier(2);
                    Thread canceller = new Thread(() -> {
                        await(start);
                        for (int i : toCancel) {
                            boolean cancelled = group[i] == RACE_DEPENDENT ? dependents.get(i).cancel(true)
                                    : tasks.get(i).cancel(true);
                            cancelResult.set(i, cancelled ? 1 : 2);
                            if (group[i] == BEFORE_GATE) {
                                gates[i].countDown();
                            }
                            steps.incrementAndGet();
                        }
                    }, "canceller");
                    Thread opener = new Thread(() -> {
                        await(start);
                        for (int i : toOpen) {
                            gates[i].countDown();
                            steps.incrementAndGet();
                        }
                    }, "opener");
                    canceller.start();
                    opener.start();
                    canceller.join();
                    opener.join();
                    flow.awaitAll();
                    awaitFunctionsExited();
                }, steps::get, IDLE_GUARD, CAP_GUARD, () -> "unfinished: " + flow.unfinished());
                ended = true;
                check(where, flow);
            } finally {
                if (ended) {
                    flow.close();
                }
            }
        }

        private int gatedBody(int id, int spin) throws InterruptedException {
            entered.incrementAndGet(id);
            if (Thread.currentThread().isInterrupted()) {
                interruptedAtEntry.set(id, 1);
            }
            try {
                long sink = 0;
                for (int k = 0; k < spin; k++) {
                    sink += k * 31L;
                }
                gates[id].await();
                // an interrupt that lands while await() is about to park, just before the gate opens, may
                // let it return normally: it checks the latch before the interrupt status, which stays set
                if (Thread.currentThread().isInterrupted()) {
                    interrupted.set(id, 1);
                }
                return id + (int) (sink & 0);
            } catch (InterruptedException e) {
                interrupted.set(id, 1);
                throw e;
            } finally {
                exited.incrementAndGet(id);
                steps.incrementAndGet();
            }
        }

        /** A cancelled task is DONE before its interrupted function has returned: wait for the functions too. */
        private void awaitFunctionsExited() throws InterruptedException {
            for (int i = 0; i < N; i++) {
                while (exited.get(i) != entered.get(i)) {
                    Thread.sleep(1);
                }
            }
        }

        private void check(String where, Flow flow) {
            List<String> problems = new ArrayList<>();
            for (int i = 0; i < N; i++) {
                Task<Integer> task = tasks.get(i);
                Task<Integer> dependent = dependents.get(i);
                String what = "task " + i + " (group " + group[i] + ", cancel " + (cancelResult.get(i) == 1 ? "true"
                        : cancelResult.get(i) == 2 ? "false" : "not called") + ")";
                if (entered.get(i) > 1) {
                    problems.add(what + ": function ran " + entered.get(i) + " times");
                }
                boolean taskCancelled = task.isCancelled();
                boolean dependentCancelled = dependent.isCancelled();
                switch (group[i]) {
                    case BEFORE_GATE -> {
                        if (cancelResult.get(i) != 1 || !taskCancelled) {
                            problems.add(what + ": cancelled before its gate opened, so it must end cancelled;"
                                    + " it ended " + outcome(task));
                        }
                        if (entered.get(i) > 0 && interrupted.get(i) == 0) {
                            problems.add(what + ": cancelled while running (its gate opened only after cancel"
                                    + " returned), but its function never saw the interrupt");
                        }
                    }
                    case RACE_GATE, RACE_QUICK -> {
                        if ((cancelResult.get(i) == 1) != taskCancelled) {
                            problems.add(what + ": cancel returned " + (cancelResult.get(i) == 1)
                                    + " but the task ended " + outcome(task));
                        }
                    }
                    case RACE_DEPENDENT -> {
                        if ((cancelResult.get(i) == 1) != dependentCancelled) {
                            problems.add(what + ": cancel of the dependent returned " + (cancelResult.get(i) == 1)
                                    + " but the dependent ended " + outcome(dependent));
                        }
                    }
                    default -> {
                    }
                }
                if (taskCancelled) {
                    if (!dependentCancelled) {
                        problems.add(what + ": cancelled, but its dependent ended " + outcome(dependent));
                    }
                } else {
                    if (Outcomes.failureOf(task) != null || task.join() != i) {
                        problems.add(what + ": not cancelled, so it must succeed with " + i + "; ended "
                                + outcome(task));
                    }
                    if (interruptedAtEntry.get(i) != 0 || interrupted.get(i) != 0) {
                        problems.add(what + ": not cancelled, yet its function saw an interrupt");
                    }
                    if (!dependentCancelled && (Outcomes.failureOf(dependent) != null || dependent.join() != i + 1)) {
                        problems.add(what + ": its dependent must succeed with " + (i + 1) + "; ended "
                                + outcome(dependent));
                    }
                }
                if (!dependentCancelled && dependentSawInterrupt.get(i) != 0) {
                    problems.add(what + ": its dependent (not cancelled) started with the interrupt flag set");
                }
                Task<Integer> probe = probes.get(i);
                if (Outcomes.failureOf(probe) != null || probe.join() != i) {
                    problems.add("probe " + i + " ended " + outcome(probe));
                }
            }
            if (!interruptedProbes.isEmpty()) {
                problems.add("probe tasks started with the interrupt flag set (leaked interrupt): "
                        + interruptedProbes.stream().sorted().limit(20).collect(Collectors.toList()));
            }
            problems.addAll(EventRules.check(events));
            failIfAny(where, problems);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Timeouts racing with completion

    @Test
    void timeoutsRacingWithCompletionEndEachTaskOnceAndNeverLeakAnInterrupt() {
        for (int round = 0; round < 2; round++) {
            new TimeoutRound(BASE_SEED + 200 + round, 2 + round).run();
        }
    }

    /**
     * Tasks with timeouts of 1-3 ms whose functions take about as long (sleeping, which an interrupt
     * stops, or spinning, which ignores it), some with retries; each has a dependent, and probe tasks run
     * between them. Whichever wins, each task ends once: with its value, or with a timeout that its
     * dependent reports; a spinning attempt that timed out must not leave its interrupt to the next task.
     */
    private static final class TimeoutRound {
        private static final int N = 400;
        private final long seed;
        private final int threads;
        private final AtomicIntegerArray entries = new AtomicIntegerArray(N);
        private final AtomicIntegerArray interruptedEntries = new AtomicIntegerArray(N);
        private final ConcurrentLinkedQueue<String> interruptedStarts = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<TaskEvent> events = new ConcurrentLinkedQueue<>();
        private final AtomicLong steps = new AtomicLong();

        TimeoutRound(long seed, int threads) {
            this.seed = seed;
            this.threads = threads;
        }

        void run() {
            String where = "timeout round seed " + seed + " on " + threads + " thread(s)";
            Random random = new Random(seed);
            Flow flow = Flow.builder().threads(threads).listener(TaskListener.ofEvents(e -> {
                events.add(e);
                steps.incrementAndGet();
            })).build();
            List<Task<Integer>> tasks = new ArrayList<>();
            List<Task<Integer>> dependents = new ArrayList<>();
            List<Task<Integer>> probes = new ArrayList<>();
            int[] retries = new int[N];
            boolean ended = false;
            try {
                HangGuard.run(where, () -> {
                    for (int i = 0; i < N; i++) {
                        int id = i;
                        retries[i] = random.nextInt(3) == 0 ? 1 : 0;
                        long workMicros = random.nextInt(3000);
                        boolean sleeps = random.nextBoolean();
                        Duration timeout = Duration.ofMillis(1 + random.nextInt(3));
                        tasks.add(flow.task("timed-" + i).timeout(timeout).retries(retries[i]).submit(() -> {
                            entries.incrementAndGet(id);
                            if (Thread.currentThread().isInterrupted()) {
                                // Legitimate only if this attempt's own timeout fired before the function
                                // began; so each such entry must be matched by a timeout (checked below).
                                // Entries cannot be matched to attempt numbers: a retry may enter its
                                // function before the descheduled attempt it replaces does.
                                interruptedEntries.incrementAndGet(id);
                            }
                            if (sleeps) {
                                TimeUnit.MICROSECONDS.sleep(workMicros);
                            } else {
                                long until = System.nanoTime() + workMicros * 1000;
                                while (System.nanoTime() < until) {
                                    Thread.onSpinWait();
                                }
                            }
                            return id;
                        }));
                        dependents.add(flow.submit((Integer x) -> {
                            if (Thread.currentThread().isInterrupted()) {
                                interruptedStarts.add("dependent " + id);
                            }
                            return x + 1;
                        }, tasks.get(i)));
                        probes.add(flow.submit(() -> {
                            if (Thread.currentThread().isInterrupted()) {
                                interruptedStarts.add("probe " + id);
                            }
                            return id;
                        }));
                    }
                    flow.awaitAll();
                }, steps::get, IDLE_GUARD, CAP_GUARD, () -> "unfinished: " + flow.unfinished());
                ended = true;
                List<String> problems = new ArrayList<>();
                Map<Long, Long> startsByTask = events.stream().filter(e -> e.kind() == Kind.STARTED)
                        .collect(Collectors.groupingBy(TaskEvent::taskId, HashMap::new, Collectors.counting()));
                for (int i = 0; i < N; i++) {
                    Task<Integer> task = tasks.get(i);
                    Task<Integer> dependent = dependents.get(i);
                    Throwable failure = Outcomes.failureOf(task);
                    long starts = startsByTask.getOrDefault(task.id(), 0L);
                    if (entries.get(i) != starts || starts < 1 || starts > retries[i] + 1) {
                        problems.add("timed task " + i + ": function entered " + entries.get(i) + " times, "
                                + starts + " STARTED events, retries " + retries[i]);
                    }
                    long timeouts = events.stream().filter(e -> e.taskId() == task.id())
                            .filter(e -> e.error() instanceof TaskTimeoutException).count();
                    if (interruptedEntries.get(i) > timeouts) {
                        problems.add("timed task " + i + ": " + interruptedEntries.get(i) + " attempt(s) entered"
                                + " the function with the interrupt flag set, but only " + timeouts + " timed out"
                                + " (an interrupt leaked from elsewhere)");
                    }
                    if (failure == null) {
                        if (task.join() != i || Outcomes.failureOf(dependent) != null || dependent.join() != i + 1) {
                            problems.add("timed task " + i + " succeeded with " + task.join() + ", dependent "
                                    + outcome(dependent));
                        }
                    } else if (!(failure instanceof TaskTimeoutException)) {
                        problems.add("timed task " + i + " failed with " + failure + ", expected only a timeout");
                    } else if (!(Outcomes.failureOf(dependent) instanceof DependencyFailedException dfe)
                            || dfe.getCause() != failure || dfe.failedTaskId() != task.id()) {
                        problems.add("timed task " + i + " timed out, its dependent ended " + outcome(dependent));
                    }
                    if (Outcomes.failureOf(probes.get(i)) != null) {
                        problems.add("probe " + i + " ended " + outcome(probes.get(i)));
                    }
                }
                if (!interruptedStarts.isEmpty()) {
                    problems.add("functions started with the interrupt flag set (leaked interrupt): "
                            + interruptedStarts.stream().limit(20).collect(Collectors.toList()));
                }
                problems.addAll(EventRules.check(events));
                failIfAny(where, problems);
            } finally {
                if (ended) {
                    flow.close();
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Waiting inside a task runs other tasks on the same thread: interrupts must stay with their task

    @Test
    void cancellingATaskThatWaitsForASubtaskDoesNotInterruptTheSubtaskItRunsMeanwhile() throws Exception {
        // One thread: the outer task's join() runs the subtask nested on the same thread (helping).
        try (Flow flow = Flow.builder().threads(1).build()) {
            CountDownLatch innerStarted = new CountDownLatch(1);
            CountDownLatch releaseInner = new CountDownLatch(1);
            AtomicReference<Task<Integer>> inner = new AtomicReference<>();
            Task<Integer> outer = flow.submit(() -> {
                Task<Integer> sub = flow.submit(() -> {
                    innerStarted.countDown();
                    releaseInner.await();
                    return 42;
                });
                inner.set(sub);
                return sub.join();
            });
            awaitLatch(innerStarted);

            assertThat(outer.cancel(true)).isTrue();
            releaseInner.countDown();

            Throwable innerFailure = failureOfWithin(inner.get());
            assertThat(innerFailure).as("the subtask was not cancelled; cancelling the task that waited for it"
                    + " must not interrupt it").isNull();
            assertThat(inner.get().join()).isEqualTo(42);
        }
    }

    @Test
    void aTimeoutOfATaskThatWaitsForASubtaskDoesNotInterruptTheSubtaskItRunsMeanwhile() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            CountDownLatch innerStarted = new CountDownLatch(1);
            CountDownLatch releaseInner = new CountDownLatch(1);
            AtomicReference<Task<Integer>> inner = new AtomicReference<>();
            Task<Integer> outer = flow.task("outer").timeout(Duration.ofMillis(50)).submit(() -> {
                Task<Integer> sub = flow.submit(() -> {
                    innerStarted.countDown();
                    releaseInner.await();
                    return 42;
                });
                inner.set(sub);
                return sub.join();
            });
            awaitLatch(innerStarted);
            // The subtask holds the only thread until released, so the outer task can only time out.
            assertThat(failureOfWithin(outer)).isInstanceOf(TaskTimeoutException.class);
            releaseInner.countDown();

            assertThat(failureOfWithin(inner.get())).as("the subtask has no timeout; the outer task's timeout"
                    + " must not interrupt it").isNull();
        }
    }

    // ------------------------------------------------------------------------------------------------

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void awaitLatch(CountDownLatch latch) throws InterruptedException {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            fail("hang guard: latch not opened within 30 s");
        }
    }

    /** The failure of a task that must end; waits within a hang guard only. */
    private static Throwable failureOfWithin(Task<?> task) throws InterruptedException {
        try {
            task.get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("hang guard: " + task + " did not end within 30 s");
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        }
    }


    static String outcome(Task<?> task) {
        if (!task.isDone()) {
            return "not done: " + task;
        }
        Throwable t = Outcomes.failureOf(task);
        return t == null ? "with value " + task.join() : "with " + t;
    }

    private static void failIfAny(String where, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(where + ": " + problems.size() + " problem(s):\n  "
                    + problems.stream().limit(30).collect(Collectors.joining("\n  ")));
        }
    }
}
