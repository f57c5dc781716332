package io.paraflow.cluster;

import io.paraflow.testing.NoLeakedThreads;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks that cluster tests leave no worker JVM, no Paraflow thread and no Hazelcast thread behind. */
final class ClusterLeaks {
    private ClusterLeaks() {
    }

    static void assertNoneLeft() {
        List<String> children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).collect(Collectors.toList());
        assertThat(children).as("child processes left behind").isEmpty();
        assertThat(NoLeakedThreads.paraflowThreads()).extracting(Thread::getName).as("threads left behind").isEmpty();
        List<String> hazelcast = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(name -> name.startsWith("hz.")).collect(Collectors.toList());
        assertThat(hazelcast).as("Hazelcast threads left behind").isEmpty();
    }
}
