package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.event.TaskEvent;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A driver for {@link WorkerLossTest}, run in its own JVM: {@code join-addresses tasks}. Keeps one result in
 * the data grid, occupies every core of the workers with long tasks (each asks for 2 cores), prints
 * {@code BUSY <its member uuid>} once they were all sent, and waits to be killed.
 */
public final class DyingDriver {
    private DyingDriver() {
    }

    public static void main(String[] args) throws Exception {
        int tasks = Integer.parseInt(args[1]);
        CountDownLatch started = new CountDownLatch(tasks);
        ClusterExecutor executor = ClusterExecutor.builder().join(args[0].split(",")).detection(Duration.ofSeconds(3))
                .awaitWorkers(tasks, Duration.ofSeconds(30)).gridThreshold(0).build();
        Flow flow = Flow.builder().threads(1).executor(executor).listener((task, step, attempt, worker, epochNanos, error) -> {
            if (step == TaskEvent.Kind.STARTED) {
                started.countDown();
            }
        }).build();
        flow.task("kept").on("cluster").submit(() -> 1);
        flow.awaitAll();
        for (int i = 0; i < tasks; i++) {
            flow.task("sleeper").on("cluster").cores(2).submit(() -> {
                Thread.sleep(120_000);
                return null;
            });
        }
        started.await();
        Thread.sleep(500);
        System.out.println("BUSY " + executor.driverUuid());
        System.out.flush();
        Thread.sleep(120_000);
        flow.close();
    }
}
