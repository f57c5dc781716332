package io.paraflow.monitor;

import io.paraflow.Flow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A program that a test stops with SIGTERM while its flow runs: 100 tasks finish, two keep running, then it
 * writes {@code args[1]} and waits to be stopped. Arguments: the database, the file that says it is ready.
 */
public final class InterruptedRunMain {

    static final int FINISHED = 100;
    static final int RUNNING = 2;

    private InterruptedRunMain() {
    }

    public static void main(String[] args) throws Exception {
        Flow flow = Flow.builder().threads(RUNNING).listener(Monitoring.database(Path.of(args[0]))).build();
        for (int i = 0; i < FINISHED; i++) {
            int input = i;
            flow.task("quick").submit(() -> input);
        }
        flow.awaitAll();
        CountDownLatch started = new CountDownLatch(RUNNING);
        for (int i = 0; i < RUNNING; i++) {
            flow.task("endless").submit(() -> {
                started.countDown();
                Thread.sleep(600_000);
                return null;
            });
        }
        started.await();
        Files.writeString(Path.of(args[1]), "ready");
        Thread.sleep(600_000);
    }
}
