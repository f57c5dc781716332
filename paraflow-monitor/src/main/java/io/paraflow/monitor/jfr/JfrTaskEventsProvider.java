package io.paraflow.monitor.jfr;

import io.paraflow.event.ListenerProvider;
import io.paraflow.event.TaskListener;

/**
 * Gives every flow of a program a {@link JfrTaskEvents}, when {@value ListenerProvider#PROPERTY} names
 * {@value #NAME}: this is how {@code paraflow run --jfr FILE} records an unchanged program's task tries
 * beside the JVM's own events. It takes no configuration; the events are written only while a Flight
 * Recorder recording that enables them runs. Thread-safe.
 */
public final class JfrTaskEventsProvider implements ListenerProvider {

    /** The name {@value ListenerProvider#PROPERTY} uses for this provider. */
    public static final String NAME = "jfr";

    /** Public, for {@link java.util.ServiceLoader}. */
    public JfrTaskEventsProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A new {@link JfrTaskEvents} for one flow. */
    @Override
    public TaskListener create() {
        return new JfrTaskEvents();
    }
}
