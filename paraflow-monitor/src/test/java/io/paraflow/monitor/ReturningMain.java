package io.paraflow.monitor;

import io.paraflow.Flow;

import java.nio.file.Path;

/**
 * A program that returns from {@code main} without closing its flow, once its tasks have finished: the JVM
 * exits and the monitor's shutdown hook records the run as interrupted. Argument: the database.
 */
public final class ReturningMain {

    static final int TASKS = 20;

    private ReturningMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Flow flow = Flow.builder().threads(2).listener(Monitoring.database(Path.of(args[0]))).build();
        for (int i = 0; i < TASKS; i++) {
            int input = i;
            flow.task("quick").submit(() -> input);
        }
        flow.awaitAll();
    }
}
