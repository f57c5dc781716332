package io.paraflow.exec;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The embedded executor on its own, driven through the SPI with hand-made ready tasks. */
@ExtendWith(NoLeakedThreads.class)
class ThreadExecutorTest {

    private static final Duration GUARD = Duration.ofSeconds(60);

    /** A ready task whose run() is a plain Runnable; the outcome methods are not used by this executor. */
    static ReadyTask task(long id, int cores, int priority, Runnable body) {
        return new ReadyTask() {
            public long id() { return id; }
            public String name() { return "t" + id; }
            public int attempt() { return 1; }
            public Resources resources() { return new Resources(cores, 0, 0); }
            public int priority() { return priority; }
            public void run() { body.run(); }
            public Invocation invocation() { throw new UnsupportedOperationException(); }
            public void started(int attempt, String worker) { }
            public void succeeded(int attempt, Object result, String worker) { throw new AssertionError("run() expected"); }
            public void failed(int attempt, Throwable error, String worker) { throw new AssertionError("run() expected"); }
        };
    }

    static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(30, TimeUnit.SECONDS)).as("latch opened within the hang guard").isTrue();
    }

    @Test
    void createValidatesItsArguments() {
        assertThatThrownBy(() -> ThreadExecutor.create(" ", 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("label");
        assertThatThrownBy(() -> ThreadExecutor.create(null, 1, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ThreadExecutor.create("x", 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("threads");
        assertThatThrownBy(() -> ThreadExecutor.create("x", 1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memory");
    }

    @Test
    void runsReadyTasksOnItsOwnNamedWorkerThreadsAndStopsThemOnClose() {
        assertTimeoutPreemptively(GUARD, () -> {
            ThreadExecutor executor = ThreadExecutor.create("unit", 2, 1024);
            assertThat(executor.label()).isEqualTo("unit");
            assertThat(executor.capacity()).isEqualTo(new Resources(2, 1024, 0));
            assertThat(ThreadExecutor.isWorkerThread()).isFalse();

            AtomicReference<String> thread = new AtomicReference<>();
            AtomicBoolean onWorker = new AtomicBoolean();
            CountDownLatch ran = new CountDownLatch(1);
            executor.execute(task(1, 1, 0, () -> {
                thread.set(Thread.currentThread().getName());
                onWorker.set(ThreadExecutor.isWorkerThread());
                ran.countDown();
            }));
            await(ran);
            executor.close();

            assertThat(thread.get()).startsWith("paraflow-unit-");
            assertThat(onWorker).isTrue();
            assertThat(NoLeakedThreads.paraflowThreads()).isEmpty();
        });
    }

    @Test
    void interruptAllInterruptsRunningTasksOnly() {
        assertTimeoutPreemptively(GUARD, () -> {
            ThreadExecutor executor = ThreadExecutor.create("unit", 1, 0);
            try {
                CountDownLatch started = new CountDownLatch(1);
                CountDownLatch interrupted = new CountDownLatch(1);
                executor.execute(task(1, 1, 0, () -> {
                    started.countDown();
                    try {
                        new CountDownLatch(1).await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                    }
                }));
                await(started);
                executor.interruptAll();
                await(interrupted);
            } finally {
                executor.close();
            }
        });
    }

    @Test
    void aTwoCoreTaskOccupiesBothThreadsOfATwoThreadExecutor() {
        assertTimeoutPreemptively(GUARD, () -> {
            ThreadExecutor executor = ThreadExecutor.create("unit", 2, 0);
            try {
                AtomicInteger inUse = new AtomicInteger();
                AtomicInteger max = new AtomicInteger();
                CountDownLatch wideStarted = new CountDownLatch(1);
                CountDownLatch allDone = new CountDownLatch(5);
                CountDownLatch narrowDuringWide = new CountDownLatch(1);
                executor.execute(task(1, 2, 0, () -> {
                    max.accumulateAndGet(inUse.addAndGet(2), Math::max);
                    wideStarted.countDown();
                    try {
                        narrowDuringWide.await(200, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    inUse.addAndGet(-2);
                    allDone.countDown();
                }));
                await(wideStarted);
                for (int i = 0; i < 4; i++) {
                    executor.execute(task(2 + i, 1, 0, () -> {
                        if (max.accumulateAndGet(inUse.incrementAndGet(), Math::max) > 2) {
                            narrowDuringWide.countDown();
                        }
                        inUse.decrementAndGet();
                        allDone.countDown();
                    }));
                }
                await(allDone);
                assertThat(max.get()).isEqualTo(2);
            } finally {
                executor.close();
            }
        });
    }

    @Test
    void awaitHelpingOutsideAWorkerReturnsAtOnceSoTheCallerBlocksAsUsual() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> ThreadExecutor.awaitHelping(() -> false, true));
    }
}
