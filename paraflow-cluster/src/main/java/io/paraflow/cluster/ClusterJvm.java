package io.paraflow.cluster;

import java.util.List;

/** How to start a JVM that runs a cluster member (a worker or a driver), for launchers and tests. */
public final class ClusterJvm {
    /**
     * JVM options for a cluster member: a common {@code ForkJoinPool} wider than one thread (see the README's
     * Hazelcast settings), and the module openings Hazelcast asks for to use its fast internal paths (it
     * warns at every start without them).
     */
    public static final List<String> OPTIONS = List.of("-Djava.util.concurrent.ForkJoinPool.common.parallelism=4",
            "--add-modules", "java.se", "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED");

    private ClusterJvm() {
    }
}
