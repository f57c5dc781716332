package io.paraflow.monitor;

import io.paraflow.Flow;
import io.paraflow.FlowBuilder;
import io.paraflow.exec.process.ProcessExecutor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A program that a test stops with SIGTERM while its flow runs: 100 tasks finish, two keep running, then it
 * writes {@code args[1]} and waits to be stopped. Arguments: the database, the file that says it is ready,
 * and where the two run: {@code threads} (the flow's threads) or {@code processes} (two worker processes,
 * given both tries by this thread: their ends would come on the threads reading the workers' answers; two
 * of the 100 are the workers' warm-up tries, see {@link WorkerWarmUp}).
 */
public final class InterruptedRunMain {

    static final int FINISHED = 100;
    static final int RUNNING = 2;

    private InterruptedRunMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean inProcesses = switch (args[2]) {
            case "threads" -> false;
            case "processes" -> true;
            default -> throw new IllegalArgumentException("threads or processes, not " + args[2]);
        };
        // a single sample, at the start: the running rows are those written as the program is stopped, which
        // show every try that runs then, not only those a sample happened to see while they were the latest
        Monitoring monitoring = Monitoring.builder().database(Path.of(args[0])).sampleEvery(Duration.ofHours(1)).build();
        FlowBuilder builder = Flow.builder().threads(RUNNING).listener(monitoring);
        if (inProcesses) {
            builder.executor(ProcessExecutor.builder().workers(RUNNING).forwardStderr(false)
                    .allow("io.paraflow.monitor.**").build());
        }
        Flow flow = builder.build();
        for (int i = 0; i < FINISHED - (inProcesses ? RUNNING : 0); i++) {
            int input = i;
            flow.task("quick").submit(() -> input);
        }
        if (inProcesses) {
            // every worker started and idle, so that the endless tries go to them as this thread submits them
            WorkerWarmUp.startEveryWorker(flow, RUNNING, Files.createDirectory(Path.of(args[1] + ".warm-up")));
        }
        flow.awaitAll();
        if (inProcesses) {
            List<Path> started = new ArrayList<>();
            for (int i = 0; i < RUNNING; i++) {
                String marker = args[1] + ".started-" + i;
                started.add(Path.of(marker));
                flow.task("endless").on(ProcessExecutor.DEFAULT_LABEL).submit(() -> startEndless(marker));
            }
            for (Path marker : started) {
                while (!Files.exists(marker)) {
                    Thread.sleep(5);
                }
            }
        } else {
            CountDownLatch started = new CountDownLatch(RUNNING);
            for (int i = 0; i < RUNNING; i++) {
                flow.task("endless").submit(() -> {
                    started.countDown();
                    Thread.sleep(600_000);
                    return null;
                });
            }
            started.await();
        }
        Files.writeString(Path.of(args[1]), "ready");
        Thread.sleep(600_000);
    }

    /** Writes {@code marker} and sleeps, in a worker process, until the process ends with this program. */
    static Object startEndless(String marker) throws Exception {
        Files.writeString(Path.of(marker), "started");
        Thread.sleep(600_000);
        return null;
    }
}
