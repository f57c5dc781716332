package io.paraflow.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * Patterns target 1: a 3-stage pipeline (source, a stage that passes items on, a summing sink) carrying
 * {@value #ITEMS} items; the score is items per second. Baseline: the same three stages on platform
 * threads connected by {@code ArrayBlockingQueue}s of the same capacity. Each invocation starts and
 * joins its threads, as a user's program would; the result is checked.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PipelineBenchmark {

    static final int ITEMS = 1_000_000;
    private static final long EXPECTED = StreamWorkloads.expectedSum(ITEMS);

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long paraflow() {
        return checked(StreamWorkloads.pipeline(ITEMS));
    }

    @Benchmark
    @OperationsPerInvocation(ITEMS)
    public long arrayBlockingQueue() throws InterruptedException {
        return checked(StreamWorkloads.queuePipeline(ITEMS));
    }

    private static long checked(long sum) {
        if (sum != EXPECTED) {
            throw new IllegalStateException("sum at the sink is " + sum + ", expected " + EXPECTED);
        }
        return sum;
    }
}
