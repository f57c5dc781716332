package io.paraflow.monitor;

import io.paraflow.event.ListenerProvider;
import io.paraflow.event.TaskListener;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gives every flow of a program a {@link Monitoring} configured by system properties, when
 * {@value ListenerProvider#PROPERTY} names {@value #NAME}: this is how {@code paraflow run} shows the progress
 * of, records and serves an unchanged program. The properties:
 *
 * <ul>
 *   <li>{@value #PROGRESS} ({@code true}/{@code false}): the progress line on standard error;</li>
 *   <li>{@value #DATABASE} (a file): the monitoring database of the program's first flow; the n-th flow
 *       gets the same name with {@code -n} before its extension ({@code run.db}, {@code run-2.db}, ...);</li>
 *   <li>{@value #DASHBOARD} (a port, 0 for any free one): the live dashboard of each flow, and
 *       {@value #DASHBOARD_BIND} its address (default 127.0.0.1). With a fixed port, flows open at the same
 *       time cannot all have it: the second one fails to build.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class MonitoringProvider implements ListenerProvider {

    /** The name {@value ListenerProvider#PROPERTY} uses for this provider. */
    public static final String NAME = "monitoring";
    /** The system property that turns the progress line on. */
    public static final String PROGRESS = "paraflow.monitoring.progress";
    /** The system property naming the database of the first flow. */
    public static final String DATABASE = "paraflow.monitoring.database";
    /** The system property with the dashboard's port. */
    public static final String DASHBOARD = "paraflow.monitoring.dashboard";
    /** The system property with the dashboard's address. */
    public static final String DASHBOARD_BIND = "paraflow.monitoring.dashboardBind";

    /** Flows of this program monitored so far: the n-th one's database gets the suffix {@code -n}. */
    private static final AtomicInteger FLOWS = new AtomicInteger();

    /** Public, for {@link java.util.ServiceLoader}. */
    public MonitoringProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * A new {@link Monitoring} as the system properties ask.
     *
     * @throws IllegalArgumentException if a property is malformed, or the flow's database file exists
     * @throws IllegalStateException    if the properties ask for nothing to monitor
     */
    @Override
    public TaskListener create() {
        Monitoring.Builder monitoring = Monitoring.builder().progress(Boolean.getBoolean(PROGRESS));
        String database = System.getProperty(DATABASE);
        if (database != null) {
            monitoring.database(numbered(Path.of(database), FLOWS.incrementAndGet()));
        }
        String port = System.getProperty(DASHBOARD);
        if (port != null) {
            try {
                monitoring.dashboard(System.getProperty(DASHBOARD_BIND, "127.0.0.1"), Integer.parseInt(port.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property " + DASHBOARD + " must be a port number, got '" + port
                        + "'", e);
            }
        }
        return monitoring.build();
    }

    /** {@code file} for the first flow, {@code name-n.ext} for the n-th. */
    static Path numbered(Path file, int flow) {
        if (flow == 1) {
            return file;
        }
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String numbered = dot > 0 ? name.substring(0, dot) + "-" + flow + name.substring(dot) : name + "-" + flow;
        return file.resolveSibling(numbered);
    }
}
