package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.Task;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A monitored run that {@link MonitoringCrashTest} kills: on one thread, a task that never ends, three
 * that wait for its slot and two that wait for its result. Prints {@code READY} once all are submitted,
 * then waits to be killed (and exits after a minute if nobody does).
 */
public final class KilledRun {

    static final int FOR_A_SLOT = 3;
    static final int FOR_INPUTS = 2;

    private KilledRun() {
    }

    public static void main(String[] args) throws Exception {
        Monitoring monitoring = Monitoring.builder().database(Path.of(args[0])).sampleEvery(Duration.ofMillis(20))
                .build();
        Flow flow = Flow.builder().threads(1).listener(monitoring).build();
        Task<Integer> forever = flow.task("forever").submit(() -> {
            Thread.sleep(Duration.ofMinutes(1).toMillis());
            return 1;
        });
        for (int i = 0; i < FOR_A_SLOT; i++) {
            flow.task("for-a-slot").submit(() -> 2);
        }
        for (int i = 0; i < FOR_INPUTS; i++) {
            flow.task("for-inputs").submit(x -> x + 1, forever);
        }
        System.out.println("READY");
        Thread.sleep(Duration.ofMinutes(1).toMillis());
        System.exit(1);
    }
}
