package io.paraflow.monitor.store;

/**
 * One row of {@code samples}: a periodic measurement of a worker's resources.
 *
 * @param worker          a worker as task events name it (a thread, a worker process, a cluster worker), or
 *                        {@code jvm:PID@HOST} for this whole JVM
 * @param atNs            when it was taken
 * @param cpuLoad         cores kept busy since the previous sample (1.0 = one core), NaN if unknown
 * @param cpuTimeNs       CPU time used so far, -1 if unknown
 * @param memoryUsedBytes memory in use (heap for a JVM), -1 if unknown
 * @param memoryMaxBytes  memory it may use at most, -1 if unknown
 * @param busy            slots kept busy running tries since the previous sample (1.0 = one try all along,
 *                        whether it used the CPU or waited), NaN if unknown (this JVM, which runs no tries itself)
 */
public record SampleRow(String worker, long atNs, double cpuLoad, long cpuTimeNs, long memoryUsedBytes,
                        long memoryMaxBytes, double busy) {

    /** A sample whose busy slots are unknown (yet): see {@link #withBusy}. */
    public SampleRow(String worker, long atNs, double cpuLoad, long cpuTimeNs, long memoryUsedBytes, long memoryMaxBytes) {
        this(worker, atNs, cpuLoad, cpuTimeNs, memoryUsedBytes, memoryMaxBytes, Double.NaN);
    }

    /** This sample with {@code busy} slots kept busy running tries (NaN if unknown). */
    public SampleRow withBusy(double busy) {
        return new SampleRow(worker, atNs, cpuLoad, cpuTimeNs, memoryUsedBytes, memoryMaxBytes, busy);
    }
}
