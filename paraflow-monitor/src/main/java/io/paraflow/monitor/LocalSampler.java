package io.paraflow.monitor;

import io.paraflow.monitor.store.SampleRow;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Samples the resources of this JVM (CPU and heap), the CPU time of its worker threads, and the CPU time
 * and resident memory of worker processes (workers named {@code "... (pid N)"}, as the worker-process
 * executor names them), each named as in task events. CPU load is in cores: CPU time used since the
 * previous sample over the wall time between; a first sample takes the CPU time used since the start of
 * the JVM or of the worker process, or, for a thread, since this sampler was made (the threads of a flow's
 * workers start with it), so that even a run shorter than the sampling interval shows a load. A process's
 * memory is read from {@code /proc} (Linux); elsewhere it is unknown. Called by the monitor's thread only.
 */
final class LocalSampler {

    private static final Pattern PROCESS_WORKER = Pattern.compile("\\(pid (\\d+)\\)$");
    private static final Pattern RESIDENT_KB = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB$");

    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final String jvm;
    private final Map<String, long[]> previous = new HashMap<>();
    /** When this sampler was made, on the {@link System#nanoTime()} clock. */
    private final long createdNanos = System.nanoTime();

    LocalSampler(String host) {
        this.jvm = "jvm:" + ProcessHandle.current().pid() + "@" + host;
    }

    /** One sample of the JVM and one of each live thread whose name is in {@code workers}. */
    List<SampleRow> sample(long epochNanos, Set<String> workers) {
        long now = System.nanoTime();
        List<SampleRow> rows = new ArrayList<>();
        long processCpu = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long jvmStarted = now - ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;
        rows.add(new SampleRow(jvm, epochNanos, load(jvm, processCpu, now, jvmStarted), processCpu, heap.getUsed(),
                heap.getMax()));
        for (String worker : workers) {
            Matcher process = PROCESS_WORKER.matcher(worker);
            if (process.find()) {
                ProcessHandle.of(Long.parseLong(process.group(1))).filter(ProcessHandle::isAlive).ifPresent(handle -> {
                    ProcessHandle.Info info = handle.info();
                    long cpu = info.totalCpuDuration().map(Duration::toNanos).orElse(-1L);
                    long started = info.startInstant().map(at -> now - Duration.between(at, Instant.now()).toNanos())
                            .orElse(createdNanos);
                    rows.add(new SampleRow(worker, epochNanos, load(worker, cpu, now, started), cpu,
                            residentBytes(handle.pid()), -1));
                });
            }
        }
        if (!workers.isEmpty() && threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
            for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
                if (info != null && workers.contains(info.getThreadName())) {
                    long cpu = threads.getThreadCpuTime(info.getThreadId());
                    if (cpu >= 0) {
                        rows.add(new SampleRow(info.getThreadName(), epochNanos,
                                load(info.getThreadName(), cpu, now, createdNanos), cpu, -1, -1));
                    }
                }
            }
        }
        return rows;
    }

    /** The resident memory of process {@code pid}, or -1 where {@code /proc} does not tell. */
    private static long residentBytes(long pid) {
        try {
            Matcher resident = RESIDENT_KB.matcher(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
            return resident.find() ? Long.parseLong(resident.group(1)) * 1024 : -1;
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process ended since it was found alive
            return -1;
        }
    }

    /**
     * Cores kept busy by {@code who} since its previous sample, or for its first sample since
     * {@code startedNanos} (when it had used no CPU yet); NaN if its CPU time is unknown.
     */
    private double load(String who, long cpuNanos, long now, long startedNanos) {
        long[] before = previous.put(who, new long[] {cpuNanos, now});
        if (before == null) {
            before = new long[] {0, startedNanos};
        }
        if (cpuNanos < 0 || now <= before[1]) {
            return Double.NaN;
        }
        return (double) (cpuNanos - before[0]) / (now - before[1]);
    }
}
