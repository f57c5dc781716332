package io.paraflow.exec;

import java.util.Objects;

/**
 * The latest resource figures of one worker that runs outside this JVM (a cluster worker), as its executor
 * last heard them: what a monitor records for workers it cannot measure itself ({@link TaskExecutor#workerLoads}).
 *
 * @param worker          the worker's name, exactly as the executor gives it in task events ({@code worker})
 * @param epochNanos      when the figures were measured, in nanoseconds since the epoch on this JVM's clock (an
 *                        executor whose workers are on other hosts gives the time the figures reached it, so
 *                        that they line up with the flow's events whatever the workers' clocks say)
 * @param cpuLoad         cores the worker's process kept busy since its previous figures (1.0 = one core), NaN
 *                        if unknown
 * @param cpuTimeNanos    CPU time the worker's process used so far, -1 if unknown
 * @param memoryUsedBytes memory in use (heap for a JVM), -1 if unknown
 * @param memoryMaxBytes  memory it may use at most, -1 if unknown
 */
public record WorkerLoad(String worker, long epochNanos, double cpuLoad, long cpuTimeNanos, long memoryUsedBytes,
                         long memoryMaxBytes) {

    /** Checks that the worker is named. */
    public WorkerLoad {
        Objects.requireNonNull(worker, "worker");
    }
}
