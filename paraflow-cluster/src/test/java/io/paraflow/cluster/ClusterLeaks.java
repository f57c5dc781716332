package io.paraflow.cluster;

import io.paraflow.testing.ProcessLeaks;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks that cluster tests leave no worker JVM, no Paraflow thread and no Hazelcast thread behind. */
final class ClusterLeaks {
    private ClusterLeaks() {
    }

    static void assertNoneLeft() {
        ProcessLeaks.assertNoneLeft();
        // a shut-down member's last scheduler threads may take a moment to end
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> hazelcast = hazelcastThreads();
        while (!hazelcast.isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            hazelcast = hazelcastThreads();
        }
        assertThat(hazelcast).as("Hazelcast threads left behind").isEmpty();
    }

    private static List<String> hazelcastThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("hz.")).collect(Collectors.toList());
    }
}
