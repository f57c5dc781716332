package io.paraflow.exec.process;

import io.paraflow.Flow;

import java.util.List;

/**
 * A driver for {@link WorkerLifecycleTest}, run in its own JVM: starts two workers busy with long tasks,
 * prints their pids, one per line, and waits to be killed.
 */
final class DyingDriver {
    static final int WORKERS = 2;

    private DyingDriver() {
    }

    public static void main(String[] args) throws Exception {
        ProcessExecutor executor = ProcessExecutor.builder().workers(WORKERS).forwardStderr(false).build();
        Flow flow = Flow.builder().threads(1).executor(executor).build();
        for (int i = 0; i < WORKERS; i++) {
            flow.task("sleeper").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> {
                Thread.sleep(120_000);
                return null;
            });
        }
        List<ProcessHandle> workers = executor.workers();
        while (workers.size() < WORKERS) {
            Thread.sleep(10);
            workers = executor.workers();
        }
        for (ProcessHandle worker : workers) {
            System.out.println(worker.pid());
        }
        System.out.flush();
        Thread.sleep(120_000);
        flow.close();
    }
}
