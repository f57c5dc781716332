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

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Target 2: a chain of {@value #LENGTH} dependent tasks, each adding one to its predecessor's result;
 * the score is tasks per second. Baseline: a {@code thenApplyAsync} chain on a private
 * {@link ForkJoinPool} with as many threads as the flow.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TaskChainBenchmark {

    static final int LENGTH = 100_000;

    private Flow flow;
    private ForkJoinPool pool;

    @Setup
    public void start() {
        int threads = Runtime.getRuntime().availableProcessors();
        flow = Flow.builder().threads(threads).build();
        pool = new ForkJoinPool(threads);
    }

    @TearDown
    public void stop() {
        flow.close();
        pool.shutdown();
    }

    @Benchmark
    @OperationsPerInvocation(LENGTH)
    public int paraflow() {
        return TaskChain.paraflow(flow, LENGTH);
    }

    @Benchmark
    @OperationsPerInvocation(LENGTH)
    public int completableFuture() {
        return TaskChain.completableFuture(pool, LENGTH);
    }
}
