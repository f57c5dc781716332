package io.paraflow.monitor;

import io.paraflow.monitor.store.SampleRow;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Samples the resources of this JVM (CPU and heap) and the CPU time of its worker threads, named as in
 * task events. CPU load is in cores: CPU time used since the previous sample over the wall time between.
 * Called by the monitor's thread only.
 */
final class LocalSampler {

    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final String jvm;
    private final Map<String, long[]> previous = new HashMap<>();

    LocalSampler(String host) {
        this.jvm = "jvm:" + ProcessHandle.current().pid() + "@" + host;
    }

    /** One sample of the JVM and one of each live thread whose name is in {@code workers}. */
    List<SampleRow> sample(long epochNanos, Set<String> workers) {
        long now = System.nanoTime();
        List<SampleRow> rows = new ArrayList<>();
        long processCpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        rows.add(new SampleRow(jvm, epochNanos, load(jvm, processCpu, now), processCpu, heap.getUsed(), heap.getMax()));
        if (!workers.isEmpty() && threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && workers.contains(info.getThreadName())) {
                    long cpu = threads.getThreadCpuTime(info.getThreadId());
                    if (cpu >= 0) {
                        rows.add(new SampleRow(info.getThreadName(), epochNanos, load(info.getThreadName(), cpu, now),
                                cpu, -1, -1));
                    }
                }
            }
        }
        return rows;
    }

    /** Cores kept busy by {@code who} since its previous sample; NaN for its first sample. */
    private double load(String who, long cpuNanos, long now) {
        long[] before = previous.put(who, new long[] {cpuNanos, now});
        if (before == null || cpuNanos < 0 || now == before[1]) {
            return Double.NaN;
        }
        return (double) (cpuNanos - before[0]) / (now - before[1]);
    }
}
