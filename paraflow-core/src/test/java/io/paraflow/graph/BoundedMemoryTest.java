package io.paraflow.graph;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Bounded memory and back-pressure: a run of ten million tasks in a 256 MiB heap; finished tasks that no
 * one references are garbage while the flow is still open; {@code submit} blocks at {@code maxUnfinished}
 * outside tasks and never inside them.
 */
@ExtendWith(NoLeakedThreads.class)
class BoundedMemoryTest {

    private static final long TEN_MILLION = 10_000_000L;
    private static final int CHAIN_LENGTH = 50;

    @Test
    void tenMillionTasksRunInA256MiBHeap(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), TenMillionTasksMain.class.getName(),
                Long.toString(TEN_MILLION), Integer.toString(CHAIN_LENGTH))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Process child = builder.start();
        try {
            // Hang guard only (the run takes seconds); a hung child is killed in finally.
            if (!child.waitFor(10, TimeUnit.MINUTES)) {
                fail("hang guard: the child JVM did not end within 10 minutes; stderr:\n" + tail(err));
            }
            assertThat(child.exitValue()).as("exit code; stderr:\n%s", tail(err)).isZero();

            long[] expected = new long[2];
            TenMillionTasksMain.plan(TEN_MILLION, CHAIN_LENGTH, new TenMillionTasksMain.Visitor() {
                @Override
                public void independent(long value) {
                    expected[0]++;
                    expected[1] += value;
                }

                @Override
                public void chain(long start, int length) {
                    expected[0] += length;
                    expected[1] += start + (long) (length - 2) * (length - 1) / 2;
                }
            });
            assertThat(expected[0]).isEqualTo(TEN_MILLION);
            assertThat(Files.readString(out, StandardCharsets.UTF_8).trim())
                    .isEqualTo("runs=" + expected[0] + " checksum=" + expected[1]);
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String tail(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.length() <= 4000 ? text : text.substring(text.length() - 4000);
    }

    // ------------------------------------------------------------------------------------------------

    /** The only strong reference the test keeps: the last task of a chain, still referenced by the user. */
    private Task<Long> tail;

    @Test
    void finishedTasksThatNoOneReferencesAreCollectedWhileTheFlowIsOpen() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            List<WeakReference<Task<?>>> released = submitAndForget(flow);
            assertThat(tail.join()).isEqualTo(expectedTail());

            int cleared = 0;
            for (int gc = 0; gc < 50 && cleared < released.size(); gc++) {
                System.gc();
                Thread.sleep(20);
                cleared = (int) released.stream().filter(r -> r.get() == null).count();
            }
            List<String> retained = new ArrayList<>();
            for (WeakReference<Task<?>> r : released) {
                Task<?> t = r.get();
                if (t != null) {
                    retained.add(t.toString());
                }
            }
            assertThat(retained).as("finished tasks still reachable although only %s is referenced", tail)
                    .isEmpty();
            assertThat(flow.unfinished()).isZero();
            assertThat(tail.join()).isEqualTo(expectedTail());
        }
    }

    private static final int CHAIN = 1_000;

    private static long expectedTail() {
        long v = 0;
        for (int k = 1; k < CHAIN; k++) {
            v += k;
        }
        return v;
    }

    /**
     * Submits a chain (keeping only its last task in {@link #tail}), a join task with its inner task, an
     * {@code all}, a {@code map} and a failed task with a dependent, waits for them, and returns weak
     * references to everything except the tail. A separate method so that no local variable of the test
     * keeps a task alive.
     */
    private List<WeakReference<Task<?>>> submitAndForget(Flow flow) {
        List<WeakReference<Task<?>>> refs = new ArrayList<>();
        Task<Long> t = flow.submit(() -> 0L);
        for (int k = 1; k < CHAIN; k++) {
            refs.add(new WeakReference<>(t));
            long step = k;
            t = flow.submit(x -> x + step, t);
        }
        tail = t;
        AtomicReference<Task<Integer>> inner = new AtomicReference<>();
        Task<Integer> join = flow.compose(() -> {
            Task<Integer> sub = flow.submit(() -> 7);
            inner.set(sub);
            return sub;
        });
        Task<List<Integer>> all = flow.all(List.of(flow.submit(() -> 1), flow.submit(() -> 2)));
        List<Task<Integer>> mapped = flow.map(x -> x * 2, List.of(1, 2, 3));
        Task<Integer> failed = flow.submit(() -> {
            throw new IllegalStateException("fails on purpose");
        });
        Task<Integer> dependent = flow.submit(x -> x + 1, failed);
        assertThat(join.join()).isEqualTo(7);
        assertThat((List<Integer>) all.join()).containsExactly(1, 2);
        assertThat(mapped.get(2).join()).isEqualTo(6);
        assertThat(dependent.isDone() || awaitDone(dependent)).isTrue();
        refs.add(new WeakReference<>(join));
        refs.add(new WeakReference<>(inner.getAndSet(null)));
        refs.add(new WeakReference<>(all));
        mapped.forEach(m -> refs.add(new WeakReference<>(m)));
        refs.add(new WeakReference<>(failed));
        refs.add(new WeakReference<>(dependent));
        return refs;
    }

    private static boolean awaitDone(Task<?> task) {
        try {
            task.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            fail("hang guard: " + task + " did not end within 30 s");
        } catch (Exception e) {
            // failed, as expected
        }
        return task.isDone();
    }

    // ------------------------------------------------------------------------------------------------

    @Test
    void submitFromOutsideATaskBlocksWhileMaxUnfinishedTasksAreUnfinished() throws Exception {
        try (Flow flow = Flow.builder().threads(2).maxUnfinished(2).build()) {
            CountDownLatch gate = new CountDownLatch(1);
            Task<Integer> first = flow.submit(() -> {
                gate.await();
                return 1;
            });
            Task<Integer> second = flow.submit(() -> {
                gate.await();
                return 2;
            });
            AtomicReference<Task<Integer>> third = new AtomicReference<>();
            Thread submitter = new Thread(() -> third.set(flow.submit(() -> 3)), "blocked-submitter");
            submitter.start();

            awaitParkedOrTerminated(submitter);
            assertThat(third.get() == null).as("submit returned although 2 of at most 2 tasks were unfinished").isTrue();
            assertThat(submitter.isAlive()).isTrue();
            assertThat(flow.unfinished()).isEqualTo(2);

            gate.countDown();
            submitter.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(submitter.isAlive()).as("hang guard: submit still blocked after room was made").isFalse();
            assertThat(first.join() + second.join() + third.get().join()).isEqualTo(6);
        }
    }

    @Test
    void concurrentSubmittersTogetherNeverPassMaxUnfinished() throws Exception {
        int bound = 4;
        int submitters = 8;
        try (Flow flow = Flow.builder().threads(2).maxUnfinished(bound).build()) {
            for (int round = 0; round < 30; round++) {
                CountDownLatch gate = new CountDownLatch(1);
                CyclicBarrier start = new CyclicBarrier(submitters);
                AtomicInteger returned = new AtomicInteger();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < submitters; t++) {
                    Thread thread = new Thread(() -> {
                        try {
                            start.await();
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                        flow.submit(() -> {
                            gate.await();
                            return 0;
                        });
                        returned.incrementAndGet();
                    }, "submitter-" + t);
                    threads.add(thread);
                    thread.start();
                }
                for (Thread thread : threads) {
                    awaitParkedOrTerminated(thread);
                }
                // Nothing ends before the gate opens, so whatever passed submit is still unfinished.
                long unfinished = flow.unfinished();
                int passed = returned.get();
                gate.countDown();
                for (Thread thread : threads) {
                    thread.join(TimeUnit.SECONDS.toMillis(30));
                    assertThat(thread.isAlive()).as("hang guard: a submitter is still blocked").isFalse();
                }
                flow.awaitAll();
                assertThat(passed).as("round %d: submits that returned while %d tasks were blocked", round, bound)
                        .isLessThanOrEqualTo(bound);
                assertThat(unfinished).as("round %d: unfinished tasks with maxUnfinished %d", round, bound)
                        .isLessThanOrEqualTo(bound);
            }
        }
    }

    @Test
    void recursiveSubmissionFromInsideTasksDoesNotDeadlockWithATinyBound() {
        for (int threads : new int[] {1, 2}) {
            AtomicLong calls = new AtomicLong();
            try (Flow flow = Flow.builder().threads(threads).maxUnfinished(1).build()) {
                AtomicReference<Task<Integer>> root = new AtomicReference<>();
                HangGuard.run("recursive fib on " + threads + " thread(s)", () -> {
                    root.set(flow.submit(() -> fib(flow, 15, calls)));
                    Task<Integer> composed = flow.compose(() -> fibComposed(flow, 12, calls));
                    assertThat(root.get().join()).isEqualTo(plainFib(15));
                    assertThat(composed.join()).isEqualTo(plainFib(12));
                }, calls::get, Duration.ofSeconds(15), Duration.ofSeconds(120),
                        () -> "unfinished: " + flow.unfinished() + ", root " + root.get());
            }
        }
    }

    /** Divide and conquer that submits its halves from inside a task and waits for them. */
    private static int fib(Flow flow, int n, AtomicLong calls) {
        calls.incrementAndGet();
        if (n < 2) {
            return n;
        }
        Task<Integer> a = flow.submit(() -> fib(flow, n - 1, calls));
        Task<Integer> b = flow.submit(() -> fib(flow, n - 2, calls));
        return a.join() + b.join();
    }

    /** The same without waiting inside tasks: join tasks return the task that adds the halves. */
    private static Task<Integer> fibComposed(Flow flow, int n, AtomicLong calls) {
        calls.incrementAndGet();
        if (n < 2) {
            return flow.value(n);
        }
        Task<Integer> a = flow.compose(() -> fibComposed(flow, n - 1, calls));
        Task<Integer> b = flow.compose(() -> fibComposed(flow, n - 2, calls));
        return flow.submit((Integer x, Integer y) -> x + y, a, b);
    }

    private static int plainFib(int n) {
        return n < 2 ? n : plainFib(n - 1) + plainFib(n - 2);
    }

    /**
     * Waits until {@code thread} is parked or has ended: a thread that only calls submit reaches this
     * state when submit blocks, or when it returned. Hang guard: 30 s.
     */
    private static void awaitParkedOrTerminated(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Thread.State state = thread.getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                    || state == Thread.State.TERMINATED) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("hang guard: " + thread.getName() + " neither blocked nor ended; state " + state);
            }
            Thread.sleep(1);
        }
    }
}
