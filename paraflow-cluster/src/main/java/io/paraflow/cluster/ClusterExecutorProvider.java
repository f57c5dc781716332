package io.paraflow.cluster;

import io.paraflow.exec.ExecutorProvider;
import io.paraflow.exec.TaskExecutor;
import io.paraflow.cluster.security.ClusterSecret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Gives every flow of an unchanged program a {@link ClusterExecutor} labelled
 * {@value ClusterExecutor#DEFAULT_LABEL}, when the system property
 * {@value ExecutorProvider#PROPERTY} lists that label ({@code paraflow run --cluster} sets these
 * properties). Its configuration, from system properties:
 * <ul>
 *   <li>{@value #JOIN} (required): workers to join, {@code HOST:PORT}, comma-separated;</li>
 *   <li>{@value #BIND}: this machine's interface on the cluster's network (default 127.0.0.1);</li>
 *   <li>{@value #SECRET_FILE}: the cluster secret's file (default: the environment variable
 *       {@value ClusterSecret#ENVIRONMENT_VARIABLE});</li>
 *   <li>{@value #ALLOW}: the application's classes that travel, comma-separated patterns as for
 *       {@link ClusterExecutor.Builder#allow}.</li>
 * </ul>
 * Each flow joins the cluster with its own executor and leaves it when it closes; building one waits for
 * a worker as {@link ClusterExecutor.Builder#build()} does.
 */
public final class ClusterExecutorProvider implements ExecutorProvider {
    /** System property: the workers to join. */
    public static final String JOIN = "paraflow.cluster.join";
    /** System property: the interface address to bind to. */
    public static final String BIND = "paraflow.cluster.bind";
    /** System property: the cluster secret's file. */
    public static final String SECRET_FILE = "paraflow.cluster.secretFile";
    /** System property: the allow-list patterns. */
    public static final String ALLOW = "paraflow.cluster.allow";
    /** System property: the size in bytes from which results stay in the data grid (see {@link ClusterExecutor.Builder#gridThreshold}). */
    public static final String GRID_THRESHOLD = "paraflow.cluster.gridThreshold";

    /** Created by {@link java.util.ServiceLoader}. */
    public ClusterExecutorProvider() {
    }

    @Override
    public String label() {
        return ClusterExecutor.DEFAULT_LABEL;
    }

    /**
     * Joins the cluster the system properties name.
     *
     * @throws IllegalStateException    if {@value #JOIN} is not set, or no worker joined in time
     * @throws IllegalArgumentException if there is no secret, or a property holds a bad value (it is named)
     * @throws UncheckedIOException     if the secret file cannot be read
     */
    @Override
    public TaskExecutor create() {
        String join = System.getProperty(JOIN);
        if (join == null || join.isBlank()) {
            throw new IllegalStateException("system property " + ExecutorProvider.PROPERTY + " asks every flow for a '"
                    + label() + "' executor, but " + JOIN + " names no worker to join; set it to HOST:PORT[,HOST:PORT...]"
                    + " (paraflow run --cluster HOST:PORT does)");
        }
        ClusterExecutor.Builder builder = ClusterExecutor.builder().join(list(join)).secret(secret());
        String bind = System.getProperty(BIND);
        if (bind != null && !bind.isBlank()) {
            builder.bind(bind.strip());
        }
        String allow = System.getProperty(ALLOW);
        if (allow != null && !allow.isBlank()) {
            builder.allow(list(allow));
        }
        String threshold = System.getProperty(GRID_THRESHOLD);
        if (threshold != null && !threshold.isBlank()) {
            try {
                builder.gridThreshold(Long.parseLong(threshold.strip()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(GRID_THRESHOLD + " must be a size in bytes, at least 0, got '"
                        + threshold + "'", e);
            }
        }
        return builder.build();
    }

    private static ClusterSecret secret() {
        String file = System.getProperty(SECRET_FILE);
        try {
            return ClusterSecret.resolve(file == null || file.isBlank() ? null : Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster secret (" + SECRET_FILE + "): " + e.getMessage(), e);
        }
    }

    private static String[] list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }
}
