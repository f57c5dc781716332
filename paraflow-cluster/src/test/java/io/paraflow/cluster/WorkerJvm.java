package io.paraflow.cluster;

import io.paraflow.Flow;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.testing.Ports;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link WorkerMain} JVM started by a test on 127.0.0.1 with a free port. */
final class WorkerJvm implements AutoCloseable {
    /** The secret of the tests' clusters, given to worker JVMs in their environment. */
    static final ClusterSecret SECRET = ClusterSecret.generate();
    final int port;
    final Process process;

    private WorkerJvm(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Starts a worker joining {@code join} (none: it is the seed) and returns once it has joined.
     *
     * @param classpath the worker's classpath; null for the test JVM's
     */
    static WorkerJvm start(List<WorkerJvm> join, int cores, String label, int detectionSeconds, String classpath) {
        return start(join, cores, label, detectionSeconds, classpath, null);
    }

    /** Like the above, with {@code applicationClasses} loaded by the worker's application class loader. */
    static WorkerJvm start(List<WorkerJvm> join, int cores, String label, int detectionSeconds, String classpath,
                           Path applicationClasses) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        command.addAll(ClusterJvm.OPTIONS);
        command.addAll(List.of("-cp", classpath != null ? classpath : System.getProperty("java.class.path"), WorkerMain.class.getName(),
                Integer.toString(port), join.isEmpty() ? "-" : addresses(join), Integer.toString(cores), label,
                Integer.toString(detectionSeconds)));
        if (applicationClasses != null) {
            command.add(applicationClasses.toString());
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().put(ClusterSecret.ENVIRONMENT_VARIABLE, SECRET.encoded());
            Process process = builder.start();
            WorkerJvm worker = new WorkerJvm(port, process);
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("READY")) {
                worker.kill();
                throw new IllegalStateException("worker on port " + port + " did not start: " + line);
            }
            return worker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code count} workers of 2 cores with label "cluster", the seed first, the others joining it. */
    static List<WorkerJvm> startCluster(int count, int detectionSeconds) {
        List<WorkerJvm> workers = new ArrayList<>();
        workers.add(start(List.of(), 2, "cluster", detectionSeconds, null));
        for (int i = 1; i < count; i++) {
            workers.add(start(List.of(workers.get(0)), 2, "cluster", detectionSeconds, null));
        }
        return workers;
    }

    /** A driver of {@code workers}, with the tests' secret and a free port, waiting for all of them. */
    static ClusterExecutor.Builder driverOf(List<WorkerJvm> workers) {
        return ClusterExecutor.builder().join(addresses(workers).split(",")).bind("127.0.0.1").port(freePort())
                .secret(SECRET).awaitWorkers(workers.size(), Duration.ofSeconds(30));
    }

    /**
     * A worker of one core in this JVM (its messages can be tapped, see {@code Wiretap}), with the tests' secret,
     * named {@code name}, and a driver builder that joins it and waits for it.
     */
    record InJvm(ClusterWorker worker, ClusterExecutor.Builder driver) {
        static InJvm named(String name) {
            ClusterWorker worker = ClusterWorker.builder().secret(SECRET).port(freePort()).cores(1).name(name)
                    .detection(Duration.ofSeconds(5)).drainTime(Duration.ofSeconds(5)).start();
            return new InJvm(worker, ClusterExecutor.builder().join(worker.address()).port(freePort()).secret(SECRET)
                    .awaitWorkers(1, Duration.ofSeconds(20)));
        }
    }

    /** Closes {@code flow} (if built) and the workers, then checks that nothing is left behind. */
    static void stopAll(Flow flow, List<WorkerJvm> workers) {
        if (flow != null) {
            flow.close();
        }
        workers.forEach(WorkerJvm::close);
        ClusterLeaks.assertNoneLeft();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String addresses(List<WorkerJvm> workers) {
        List<String> addresses = new ArrayList<>();
        for (WorkerJvm worker : workers) {
            addresses.add(worker.address());
        }
        return String.join(",", addresses);
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() {
        process.destroyForcibly();
        awaitExit();
    }

    /** SIGTERM: the worker leaves cleanly. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        }
    }

    private void awaitExit() {
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        return Ports.unused();
    }
}
