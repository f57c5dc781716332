package io.paraflow.cluster;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A cluster worker JVM for tests: {@code port join|- cores label detectionSeconds [applicationClassDirectory]}
 * (the last one loaded as {@code paraflow worker --classpath} does). Prints
 * {@code READY address} once it has joined, leaves cleanly on SIGTERM, and halts when the test JVM that
 * started it is gone, so no worker outlives its test.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        ProcessHandle parent = ProcessHandle.current().parent().orElseThrow();
        parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3));
        ClusterWorker.Builder builder = ClusterWorker.builder().bind("127.0.0.1").port(Integer.parseInt(args[0]))
                .cores(Integer.parseInt(args[2])).label(args[3]).detection(Duration.ofSeconds(Long.parseLong(args[4])))
                .drainTime(Duration.ofSeconds(5));
        if (!args[1].equals("-")) {
            builder.join(args[1].split(","));
        }
        if (args.length > 5) {
            builder.classLoader(new URLClassLoader(new URL[] {Path.of(args[5]).toUri().toURL()},
                    WorkerMain.class.getClassLoader()));
        }
        ClusterWorker worker = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "worker-shutdown"));
        System.out.println("READY " + worker.address());
        System.out.flush();
        worker.awaitClosed();
    }
}
