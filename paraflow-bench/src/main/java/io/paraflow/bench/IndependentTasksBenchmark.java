package io.paraflow.bench;

import io.paraflow.Flow;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Target 1: independent no-op tasks from one thread, in batches of {@value #BATCH}; the score is tasks
 * per second. Baselines: {@code CompletableFuture.supplyAsync} on a private {@link ForkJoinPool} with as
 * many threads as the flow (not the common pool, whose parallelism is 1 on a 2-CPU machine).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IndependentTasksBenchmark {

    static final int BATCH = 100_000;

    private Flow flow;
    private ForkJoinPool pool;
    private CompletableFuture<?>[] futures;

    @Setup
    public void start() {
        int threads = Runtime.getRuntime().availableProcessors();
        flow = Flow.builder().threads(threads).build();
        pool = new ForkJoinPool(threads);
        futures = new CompletableFuture<?>[BATCH];
    }

    @TearDown
    public void stop() {
        flow.close();
        pool.shutdown();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void paraflow() throws InterruptedException {
        IndependentTasks.paraflow(flow, BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void completableFutureAllOf() {
        IndependentTasks.completableFutureAllOf(pool, futures);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void completableFutureLatch() throws InterruptedException {
        IndependentTasks.completableFutureLatch(pool, BATCH);
    }
}
