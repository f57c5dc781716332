package io.paraflow.monitor.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.paraflow.monitor.internal.Json;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.internal.Threads;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The web dashboard of a run: an embedded HTTP server (the JDK's) that serves a page and JSON endpoints
 * read from the run's database, so it shows a run that is still going (the database is flushed every
 * 250 ms) and a finished one alike. The page polls the endpoints every second.
 *
 * <p>Pages: overview (counts of tasks by state, counts over time, throughput, workers and their CPU load),
 * a timeline of the latest tries per worker, the task graph (grouped by task name above 2,000 tasks, see
 * {@link io.paraflow.monitor.trace.TaskGraph}),
 * failed tasks with their error, a task table filtered by state and name, and a task's tries, errors with
 * stack traces and dependencies. Endpoints: {@code /api/overview}, {@code /api/failures},
 * {@code /api/tasks?state=&name=&limit=}, {@code /api/task?id=}, {@code /api/graph?max=},
 * {@code /api/timeline?limit=}; a bad parameter is answered with status
 * 400 and {@code {"error": ...}}. Downloads: {@code /api/trace} (the run as a Chrome trace, see
 * {@link io.paraflow.monitor.trace.ChromeTrace}) and {@code /api/graph.dot?max=} (the task graph in DOT, see
 * {@link io.paraflow.monitor.trace.TaskGraphDot}).
 *
 * <p>Binds to the loopback address unless told otherwise: the pages show task names, errors and stack
 * traces. Requests are answered one at a time on one thread ({@code paraflow-dashboard-<port>}), which opens
 * the database read-only for each request and closes it after: between requests the dashboard holds nothing
 * of the file, so the run's writer, closing last, leaves the whole run in the file alone (SQLite folds its
 * write-ahead log in and removes it). Thread-safe; {@link #close()} stops the server and its thread.
 */
public final class Dashboard implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Dashboard.class.getName());

    private static final Map<String, String> PAGES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/dashboard.js", "dashboard.js", "/dashboard.css", "dashboard.css");

    /** Files to download, by path: the run's Chrome trace and its task graph in DOT. */
    private static final Map<String, String> DOWNLOADS = Map.of(
            "/api/trace", "application/json", "/api/graph.dot", "text/vnd.graphviz; charset=utf-8");

    private final HttpServer server;
    private final String runName;
    private final ExecutorService thread;
    /** The executor's one thread, joined on close: a terminated executor's thread may still be exiting. */
    private final AtomicReference<Thread> worker;
    private final DashboardApi api;
    private final URI uri;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Why the run's database is no longer written, once the monitor said so; null while it is. */
    private volatile String recordingStopped;

    private Dashboard(HttpServer server, ExecutorService thread, AtomicReference<Thread> worker, DashboardApi api) {
        this.server = server;
        this.thread = thread;
        this.worker = worker;
        this.api = api;
        String fileName = api.file().getFileName().toString();
        // the name of downloads, in a header: only characters that need no quoting or escaping there
        this.runName = (fileName.endsWith(".db") ? fileName.substring(0, fileName.length() - 3) : fileName)
                .replaceAll("[^A-Za-z0-9._-]", "_");
        InetSocketAddress address = server.getAddress();
        this.uri = URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort() + "/");
    }

    /**
     * Serves the dashboard of the run database {@code file} on 127.0.0.1.
     *
     * @param port the port, or 0 for any free one (see {@link #uri()})
     * @throws IllegalArgumentException if {@code file} does not exist or is not a run database of this version
     *                                  (see {@link RunDatabase#open}; the message says which)
     * @throws UncheckedIOException     if the port cannot be bound (the message names it and what to change)
     */
    public static Dashboard start(Path file, int port) {
        return start(file, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Serves the dashboard of {@code file} on {@code address}; see {@link #start(Path, int)}. */
    public static Dashboard start(Path file, InetSocketAddress address) {
        try {
            // refuses, saying why, what is not a run database of this version: not one request at a time later
            RunDatabase.open(file).close();
        } catch (SQLException e) {
            throw new IllegalArgumentException("cannot read the run database " + file + ": " + e.getMessage(), e);
        }
        if (address.getPort() < 0 || address.getPort() > 65_535) {
            throw new IllegalArgumentException("dashboard port must be between 0 and 65535, got " + address.getPort());
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
            throw new UncheckedIOException("cannot serve the dashboard on " + host + ":" + address.getPort() + ": "
                    + e.getMessage() + "; " + remedy(address.getAddress()), e);
        }
        int port = server.getAddress().getPort();
        AtomicReference<Thread> worker = new AtomicReference<>();
        ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread named = new Thread(runnable, "paraflow-dashboard-" + port);
            named.setDaemon(true);
            worker.set(named);
            return named;
        });
        Dashboard dashboard = new Dashboard(server, thread, worker, new DashboardApi(file));
        server.setExecutor(thread);
        server.createContext("/", dashboard::handle);
        server.start();
        return dashboard;
    }

    /**
     * What to change when {@code address} (null if its name did not resolve) cannot be bound: the address if it
     * is none of this machine's, else the port.
     */
    private static String remedy(InetAddress address) {
        boolean ofThisMachine;
        try {
            ofThisMachine = address != null && (address.isAnyLocalAddress() || address.isLoopbackAddress()
                    || NetworkInterface.getByInetAddress(address) != null);
        } catch (SocketException e) {
            ofThisMachine = true;
        }
        return ofThisMachine ? "choose another port, or 0 for any free one"
                : "it is not an address of this machine: give one of its addresses, 127.0.0.1 or 0.0.0.0";
    }

    /**
     * Says on the pages that the run's database is no longer written, and {@code why}: what they show stops
     * there, while the run goes on ({@code recordingStopped} in {@code /api/overview}). Called by the monitor
     * whose writes failed; thread-safe.
     */
    public void recordingStopped(String why) {
        recordingStopped = why;
    }

    /** Where the dashboard is served, e.g. {@code http://127.0.0.1:8050/}. */
    public URI uri() {
        return uri;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod())) {
                sendError(exchange, 405, "only GET is served");
            } else if (DOWNLOADS.containsKey(path)) {
                download(exchange, path);
            } else if (path.startsWith("/api/")) {
                answer(exchange, path);
            } else if (PAGES.containsKey(path)) {
                String page = PAGES.get(path);
                try (InputStream resource = Dashboard.class.getResourceAsStream(page)) {
                    if (resource == null) {
                        throw new IllegalStateException("the dashboard page " + page + " is missing from the jar");
                    }
                    send(exchange, 200, contentType(page), resource.readAllBytes());
                }
            } else {
                sendError(exchange, 404, "no page " + path);
            }
        } finally {
            closeDatabase();
        }
    }

    private void answer(HttpExchange exchange, String path) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        try {
            String json = switch (path) {
                case "/api/overview" -> api.overview(recordingStopped);
                case "/api/failures" -> api.failures(query);
                case "/api/tasks" -> api.tasks(query);
                case "/api/task" -> api.task(query);
                case "/api/graph" -> api.graph(query);
                case "/api/timeline" -> api.timeline(query);
                default -> throw new DashboardApi.BadRequest(404, "no endpoint " + path);
            };
            send(exchange, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
        } catch (DashboardApi.BadRequest e) {
            sendError(exchange, e.status, e.getMessage());
        } catch (SQLException | RuntimeException e) {
            sendError(exchange, 500, "reading the run database failed: " + e.getMessage());
        }
    }

    /**
     * Streams a download (the trace of a run of millions of tries is too large to build in memory first): a bad
     * parameter, or a failure of the database before the first bytes are out (a query that cannot start), is
     * answered with an error; a later failure can only cut the file short, and is logged.
     */
    private void download(HttpExchange exchange, String path) throws IOException {
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        int maxTasks;
        try {
            maxTasks = DashboardApi.maxGraphTasks(query);
        } catch (DashboardApi.BadRequest e) {
            sendError(exchange, e.status, e.getMessage());
            return;
        }
        String fileName = runName + (path.equals("/api/trace") ? ".trace.json" : ".dot");
        Download body = new Download(exchange, DOWNLOADS.get(path), fileName);
        try (Writer out = new OutputStreamWriter(body, StandardCharsets.UTF_8)) {
            if (path.equals("/api/trace")) {
                api.trace(out);
            } else {
                api.dot(maxTasks, out);
            }
        } catch (SQLException | RuntimeException e) {
            if (!body.started()) {
                sendError(exchange, 500, "reading the run database failed: " + e.getMessage());
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "writing " + fileName + " from the run database failed; the download"
                    + " is cut short", e);
        }
    }

    /**
     * The body of a download, whose status (200) and headers go out with its first bytes, so that a failure
     * before them can still be answered with an error. Both downloads always have bytes (the opening of the
     * JSON or DOT text), so a response without any is never left unanswered by a download that succeeded.
     */
    private static final class Download extends OutputStream {
        private final HttpExchange exchange;
        private final String type;
        private final String fileName;
        /** The exchange's body once the status is sent; null before. */
        private OutputStream body;

        Download(HttpExchange exchange, String type, String fileName) {
            this.exchange = exchange;
            this.type = type;
            this.fileName = fileName;
        }

        boolean started() {
            return body != null;
        }

        /** The exchange's body, after the status and headers, sent now if they were not yet. */
        private OutputStream body() throws IOException {
            if (body == null) {
                exchange.getResponseHeaders().set("Content-Type", type);
                exchange.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + fileName + "\"");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, 0);
                body = exchange.getResponseBody();
            }
            return body;
        }

        @Override
        public void write(int b) throws IOException {
            body().write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length > 0) {
                body().write(bytes, offset, length);
            }
        }

        @Override
        public void flush() throws IOException {
            if (body != null) {
                body.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (body != null) {
                body.close();
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> parameters = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    parameters.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return parameters;
    }

    private static String contentType(String page) {
        return page.endsWith(".html") ? "text/html; charset=utf-8"
                : page.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    }

    private static void sendError(HttpExchange exchange, int status, String message) throws IOException {
        String json = "{\"error\":" + Json.string(new StringBuilder(), message) + "}";
        send(exchange, status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Stops the server and ends the dashboard's thread, once the request it answers, if any, is done. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        thread.shutdown();
        Threads.joinUninterruptibly(worker.get());
    }

    private void closeDatabase() {
        try {
            api.close();
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the dashboard's read-only connection to its run database failed", e);
        }
    }
}
