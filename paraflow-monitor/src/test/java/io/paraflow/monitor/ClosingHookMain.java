package io.paraflow.monitor;

import io.paraflow.Flow;

import java.nio.file.Path;

/**
 * A program that closes its flow in its own shutdown hook and calls {@code System.exit} while its tasks
 * run: the monitor's hook must not cut the run short. Argument: the database.
 */
public final class ClosingHookMain {

    static final int TASKS = 10;

    private ClosingHookMain() {
    }

    public static void main(String[] args) {
        Flow flow = Flow.builder().threads(2).listener(Monitoring.database(Path.of(args[0]))).build();
        Runtime.getRuntime().addShutdownHook(new Thread(flow::close));
        for (int i = 0; i < TASKS; i++) {
            flow.task("slow").submit(() -> {
                Thread.sleep(200);
                return null;
            });
        }
        System.exit(0);
    }
}
