package io.paraflow.testing;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks that tests leave neither child processes nor Paraflow threads behind. */
public final class ProcessLeaks {
    private ProcessLeaks() {
    }

    /** Fails if this JVM has a live descendant process or a live Paraflow thread. */
    public static void assertNoneLeft() {
        List<String> children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().commandLine().orElse("?")).collect(Collectors.toList());
        assertThat(children).as("child processes left behind").isEmpty();
        assertThat(NoLeakedThreads.paraflowThreads()).extracting(Thread::getName).as("threads left behind").isEmpty();
    }
}
