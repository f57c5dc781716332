package io.paraflow.cluster;

import io.paraflow.testing.ProcessLeaks;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks that cluster tests leave no worker JVM, no Paraflow thread and no Hazelcast thread behind. */
final class ClusterLeaks {
    private ClusterLeaks() {
    }

    static void assertNoneLeft() {
        ProcessLeaks.assertNoneLeft();
        List<String> hazelcast = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(name -> name.startsWith("hz.")).collect(Collectors.toList());
        assertThat(hazelcast).as("Hazelcast threads left behind").isEmpty();
    }
}
