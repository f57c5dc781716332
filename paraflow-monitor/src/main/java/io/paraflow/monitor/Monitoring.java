package io.paraflow.monitor;

import io.paraflow.event.FlowInfo;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskInfo;
import io.paraflow.event.TaskListener;
import io.paraflow.monitor.dashboard.Dashboard;
import io.paraflow.monitor.progress.ProgressLine;
import io.paraflow.monitor.progress.Terminal;
import io.paraflow.monitor.store.RunWriter;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches one flow: records it in a monitoring database and/or shows a progress line. Attach it when
 * building the flow; it starts with the flow and finishes (database complete and closed, last progress
 * line printed) when the flow closes:
 *
 * <pre>{@code
 * Monitoring monitoring = Monitoring.builder().database(Path.of("runs/sweep.db")).progress(true).build();
 * try (Flow flow = Flow.builder().listener(monitoring).build()) {
 *     ...
 * }   // close() returns when the database is complete
 * }</pre>
 *
 * <p>Cost on the tasks' path: a task's end (and a retried try's) is appended as one compact record of its
 * whole life, read from the task's {@link TaskInfo}, to a buffer of the thread where it ends (no lock, no
 * allocation but a new chunk now and then); a submission appends a reference to the task (to show it while
 * it waits) to another buffer of that thread, and a start is only counted there; without a database (a
 * progress line alone) every step is only counted. One thread of the monitor
 * ({@code paraflow-monitor-<flow id>}) does the rest. The run does not wait for the database: records wait
 * in the buffers, up to {@link Builder#bufferMemory(long)} bytes (256 MB by default, about 84 bytes per
 * task; submissions, read at once, have as much again of their own), and only when that is full do the
 * threads that publish them wait for room (the run slows down rather than fill the heap).
 * {@code Flow.close()} waits until the database holds every record.
 *
 * <p>Errors: a database that cannot be created fails {@code FlowBuilder.build()} with a
 * {@link MonitoringException} (or {@link IllegalArgumentException} if the file exists); one that fails
 * later stops being written (keeping the rows written before), the tasks go on, the live dashboard says so,
 * and {@code Flow.close()} throws the {@link MonitoringException}.
 *
 * <p>A JVM that shuts down before the flow closed (Ctrl-C, SIGTERM, {@code System.exit}) runs a shutdown
 * hook of the monitor: it writes what the buffers hold for up to 5 seconds, gives the tries still running
 * {@code running} rows and records the run's end with the outcome {@code interrupted}. A program whose own
 * shutdown hook closes the flow still gets its real end recorded when that close completes. The hook is
 * removed when the flow closes.
 *
 * <p>Thread-safe. One instance watches one flow; build a new one for each flow.
 */
public final class Monitoring implements TaskListener {

    private static final long DEFAULT_BUFFER_BYTES = 256L << 20;
    private static final long MIN_BUFFER_BYTES = 1L << 20;
    /** How long a JVM that shuts down before the flow closed waits for the database to take what is buffered. */
    private static final long SHUTDOWN_WRITE_NANOS = Duration.ofSeconds(5).toNanos();

    private final Path database;
    private final String name;
    private final boolean progress;
    private final PrintWriter progressOut;
    private final boolean progressInPlace;
    private final Duration progressInterval;
    private final Duration sampleEvery;
    private final int dashboardPort;
    private final InetAddress dashboardBind;
    private final long bufferBytes;
    private final AtomicLong watchedFlow = new AtomicLong(-1);
    private volatile MonitorThread monitor;
    private volatile Dashboard dashboard;
    /** Records the run's end if the JVM shuts down before the flow closes; removed when it closes. */
    private volatile Thread shutdownHook;
    /** The database the dashboard reads when none was chosen: deleted, with its directory, when the flow closes. */
    private volatile Path temporaryDatabase;

    private Monitoring(Builder builder) {
        this.database = builder.database;
        this.name = builder.name;
        this.progress = builder.progress;
        this.progressOut = builder.progressOut;
        this.progressInPlace = builder.progressInPlace;
        this.progressInterval = builder.progressInterval;
        this.sampleEvery = builder.sampleEvery;
        this.dashboardPort = builder.dashboardPort;
        this.dashboardBind = builder.dashboardBind;
        this.bufferBytes = builder.bufferBytes;
    }

    /** A builder; nothing is recorded until you choose a database, a progress line, or both. */
    public static Builder builder() {
        return new Builder();
    }

    /** Only the progress line, on standard error: redrawn in place on a terminal, every 10 s otherwise. */
    public static Monitoring progress() {
        return builder().progress(true).build();
    }

    /**
     * Only the live dashboard, on 127.0.0.1:{@code port} (0: any free port), reading a temporary database
     * deleted when the flow closes; see {@link Builder#dashboard(int)}.
     */
    public static Monitoring dashboard(int port) {
        return builder().dashboard(port).build();
    }

    /** Only the monitoring database, in {@code file}, which must not exist yet. */
    public static Monitoring database(Path file) {
        return builder().database(file).build();
    }

    /**
     * The database file, if one was chosen with {@link Builder#database}; empty otherwise, also when a
     * dashboard without one reads a temporary database.
     */
    public Optional<Path> databaseFile() {
        return Optional.ofNullable(database);
    }

    /** The temporary database a dashboard without a chosen one reads, while the flow runs. */
    Optional<Path> temporaryDatabase() {
        return Optional.ofNullable(temporaryDatabase);
    }

    /** Where the live dashboard is served while the flow runs, if this monitoring has one and the flow started. */
    public Optional<URI> dashboardUri() {
        Dashboard served = dashboard;
        return served == null ? Optional.empty() : Optional.of(served.uri());
    }

    /**
     * Opens the database, starts the monitor's thread and the dashboard. Called by {@code FlowBuilder.build()}.
     *
     * @throws IllegalStateException    if this instance already watches a flow
     * @throws IllegalArgumentException if the database file exists or is a directory
     * @throws MonitoringException      if the database cannot be created or the dashboard's address cannot be bound
     */
    @Override
    public void flowStarted(FlowInfo flow) {
        if (!watchedFlow.compareAndSet(-1, flow.flowId())) {
            throw new IllegalStateException("this Monitoring already watches flow " + watchedFlow.get()
                    + "; build a new Monitoring for each flow");
        }
        Path recording = database;
        if (recording == null && dashboardPort >= 0) {
            try {
                recording = Files.createTempDirectory("paraflow-dashboard-").resolve("run.db");
            } catch (IOException e) {
                throw new MonitoringException("cannot create a temporary database for the dashboard: " + e.getMessage()
                        + "; choose one with database(file)", e);
            }
            temporaryDatabase = recording;
        }
        RunWriter writer = null;
        if (recording != null) {
            try {
                writer = RunWriter.create(recording, name, flow);
            } catch (IOException | SQLException e) {
                deleteTemporaryDatabase(e);
                throw new MonitoringException("cannot create the monitoring database " + recording + ": " + e.getMessage(), e);
            }
        }
        ProgressLine line = null;
        if (progress) {
            boolean inPlace = progressOut != null ? progressInPlace : Terminal.standardErrorIsTerminal();
            line = new ProgressLine(progressOut != null ? progressOut : new PrintWriter(System.err), name, inPlace,
                    inPlace ? Terminal.standardErrorColumns() : 0, progressInterval, System.nanoTime());
        }
        if (dashboardPort >= 0) {
            try {
                dashboard = Dashboard.start(recording, new InetSocketAddress(dashboardBind, dashboardPort));
            } catch (UncheckedIOException e) {
                discard(writer, e);
                deleteTemporaryDatabase(e);
                throw new MonitoringException(e.getMessage(), e);
            }
            System.err.println("paraflow dashboard of " + (name != null ? name : "flow " + flow.flowId()) + ": "
                    + dashboard.uri());
        }
        Dashboard serving = dashboard;
        MonitorThread started = new MonitorThread(flow, writer, line, sampleEvery, RunWriter.hostName(), bufferBytes,
                failure -> {
                    if (serving != null) {
                        serving.recordingStopped(failure.toString());
                    }
                });
        started.start();
        monitor = started;
        Thread hook = new Thread(this::shutDownEarly, "paraflow-monitor-shutdown-" + flow.flowId());
        try {
            Runtime.getRuntime().addShutdownHook(hook);
            shutdownHook = hook;
        } catch (IllegalStateException alreadyShuttingDown) {
            // built while the JVM shuts down: nothing left to write the end for
        }
    }

    /**
     * The JVM shuts down (Ctrl-C, SIGTERM, {@code System.exit}) before the flow closed: records the run's end
     * as {@code interrupted}, with what the buffers held (for a bounded time) and the tries that run, so
     * that the database does not look as if the run still went on. The monitor goes on: if the program's
     * own shutdown hook closes the flow, the real end is recorded over this one.
     */
    private void shutDownEarly() {
        MonitorThread watching = monitor;
        watching.recordInterruption(watching.nowEpochNanos(), "interrupted", SHUTDOWN_WRITE_NANOS);
        if (dashboard != null) {
            dashboard.close();
        }
        deleteTemporaryDatabase(null);
    }

    /** Closes and deletes the database just created for a flow that will not start, so the file can be reused. */
    private static void discard(RunWriter writer, Exception failure) {
        try {
            writer.close();
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(writer.file() + suffix));
            }
        } catch (SQLException | IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Deletes the temporary database of a dashboard without a chosen one, if there is one, and its directory. */
    private void deleteTemporaryDatabase(Exception failure) {
        Path temporary = temporaryDatabase;
        if (temporary == null) {
            return;
        }
        try {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(temporary + suffix));
            }
            Files.deleteIfExists(temporary.getParent());
        } catch (IOException e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                throw new MonitoringException("cannot delete the dashboard's temporary database " + temporary + ": " + e, e);
            }
        }
    }

    /** Hands the step to the monitor's thread; see the class comment for its cost. */
    @Override
    public void onStep(TaskInfo task, TaskEvent.Kind step, int attempt, String worker, long epochNanos, Throwable error) {
        monitor.publish(task, step, attempt, epochNanos, error);
    }

    /**
     * Waits until every event is recorded, then completes and closes the database and prints the last
     * progress line. Called by {@code Flow.close()}.
     *
     * @throws MonitoringException if the database could not be written completely
     */
    @Override
    public void flowClosed(FlowInfo flow, long epochNanos) {
        Thread hook = shutdownHook;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or will: it records the run as interrupted, and the end written below replaces that
            }
        }
        Throwable failure = monitor.stop(epochNanos);
        if (dashboard != null) {
            dashboard.close();
        }
        deleteTemporaryDatabase(null);
        if (failure != null) {
            throw new MonitoringException((database != null ? "the monitoring database " + database + " is incomplete:"
                    + " writing it failed (" + failure + "); the rows written before are kept, the run's end is not"
                    : "monitoring of flow " + flow.flowId() + " stopped: " + failure) + "; the tasks were not affected",
                    failure);
        }
    }

    @Override
    public String toString() {
        return "Monitoring[" + (database != null ? "database=" + database : "") + (progress ? " progress" : "")
                + (dashboardPort >= 0 ? " dashboard=" + dashboardBind.getHostAddress() + ":" + dashboardPort : "") + "]";
    }

    /** Chooses what a {@link Monitoring} records. Not thread-safe. */
    public static final class Builder {
        private Path database;
        private String name;
        private boolean progress;
        private PrintWriter progressOut;
        private boolean progressInPlace;
        private Duration progressInterval = Duration.ofSeconds(10);
        private Duration sampleEvery = Duration.ofSeconds(1);
        private int dashboardPort = -1;
        private InetAddress dashboardBind = InetAddress.getLoopbackAddress();
        private long bufferBytes = DEFAULT_BUFFER_BYTES;

        private Builder() {
        }

        /**
         * How much memory the records waiting for the database may take (default 256 MB, at least 1 MB).
         * A task's life takes about 84 bytes (more with over 256 dependencies, and per retried try), so the
         * default holds about three million tasks that the database has not taken yet; beyond that, the
         * threads where tasks end wait for room. Submissions (kept to show the tasks that wait) have buffers
         * of their own, bounded by as much again, which the monitor reads at once.
         */
        public Builder bufferMemory(long bytes) {
            if (bytes < MIN_BUFFER_BYTES) {
                throw new IllegalArgumentException("bufferMemory must be at least " + MIN_BUFFER_BYTES + " bytes, got "
                        + bytes);
            }
            this.bufferBytes = bytes;
            return this;
        }

        /** Records the run in a new SQLite database {@code file} (its parent directories are created). */
        public Builder database(Path file) {
            this.database = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Names the run: shown before the progress line and stored in {@code run.name}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Shows the progress line on standard error: in place on a terminal (kept within its width), every
         * 10 s otherwise.
         */
        public Builder progress(boolean on) {
            this.progress = on;
            return this;
        }

        /**
         * Shows the progress line on {@code out}: redrawn in place if {@code inPlace} (kept within the width
         * of the terminal standard error is on, which {@code out} should be), otherwise one line per
         * {@code interval}.
         */
        public Builder progress(PrintWriter out, boolean inPlace, Duration interval) {
            this.progressOut = Objects.requireNonNull(out, "out");
            this.progressInPlace = inPlace;
            this.progressInterval = positive(interval, "progress interval");
            this.progress = true;
            return this;
        }

        /**
         * Serves the live dashboard on 127.0.0.1:{@code port} (0: any free port, see
         * {@link Monitoring#dashboardUri()}) while the flow runs; its address is printed on standard error.
         * It reads the run's database: the one chosen with {@link #database}, which
         * {@code paraflow monitor RUN.db} serves after the run, or else a temporary one, deleted when the flow
         * closes.
         */
        public Builder dashboard(int port) {
            return dashboard(InetAddress.getLoopbackAddress(), port);
        }

        /**
         * Serves the live dashboard on {@code bind}:{@code port}, e.g. {@code 0.0.0.0} for every interface;
         * otherwise as {@link #dashboard(int)}. The pages show task names, errors and stack traces: bind
         * beyond the loopback address only on a network you trust.
         *
         * @throws IllegalArgumentException if {@code bind} is not an address or a name that resolves to one
         */
        public Builder dashboard(String bind, int port) {
            Objects.requireNonNull(bind, "bind");
            if (bind.isBlank()) {
                throw new IllegalArgumentException("dashboard bind address '" + bind + "' is blank; give an IP address"
                        + " such as 127.0.0.1 or 0.0.0.0");
            }
            try {
                return dashboard(InetAddress.getByName(bind), port);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("dashboard bind address '" + bind + "' is not an address of this"
                        + " machine (" + e.getMessage() + "); give an IP address such as 127.0.0.1 or 0.0.0.0", e);
            }
        }

        private Builder dashboard(InetAddress bind, int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("dashboard port must be between 0 and 65535, got " + port);
            }
            this.dashboardBind = bind;
            this.dashboardPort = port;
            return this;
        }

        /** How often resources (CPU, memory) are sampled into the database; default 1 s. */
        public Builder sampleEvery(Duration interval) {
            this.sampleEvery = positive(interval, "sampleEvery");
            return this;
        }

        private static Duration positive(Duration interval, String what) {
            Objects.requireNonNull(interval, what);
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + interval);
            }
            return interval;
        }

        /**
         * Builds the monitoring.
         *
         * @throws IllegalStateException if neither a database, nor the progress line, nor a dashboard was chosen
         */
        public Monitoring build() {
            if (database == null && !progress && dashboardPort < 0) {
                throw new IllegalStateException("this Monitoring would record nothing: choose database(file),"
                        + " progress(true), dashboard(port), or several");
            }
            return new Monitoring(this);
        }
    }
}
