package io.paraflow.cluster.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records the messages a class logs (through {@link System.Logger}, which goes to {@code java.util.logging})
 * until closed, for tests: {@code try (Warnings warnings = Warnings.of(Envelopes.class)) { ... }}.
 */
public final class Warnings implements AutoCloseable {
    /** Held here: {@code java.util.logging} keeps its loggers only weakly, and with them their handlers. */
    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            messages.add(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private Warnings(Logger logger) {
        this.logger = logger;
        logger.addHandler(handler);
    }

    /** Starts recording what {@code source} logs. */
    public static Warnings of(Class<?> source) {
        return new Warnings(Logger.getLogger(source.getName()));
    }

    /** The messages logged so far, oldest first. */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
    }
}
