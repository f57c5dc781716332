package io.paraflow.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Fails a test that leaves a Paraflow thread alive after it ended (every flow it built must be closed,
 * and closing must stop every thread). Use with {@code @ExtendWith(NoLeakedThreads.class)}.
 */
public final class NoLeakedThreads implements AfterEachCallback {

    @Override
    public void afterEach(ExtensionContext context) {
        List<Thread> leaked = paraflowThreads();
        if (!leaked.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " leaked threads: "
                    + leaked.stream().map(Thread::getName).collect(Collectors.joining(", ")));
        }
    }

    /** Live threads whose name starts with {@code paraflow-}. */
    public static List<Thread> paraflowThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("paraflow-"))
                .collect(Collectors.toList());
    }
}
