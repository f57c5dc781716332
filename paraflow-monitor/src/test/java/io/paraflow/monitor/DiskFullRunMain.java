package io.paraflow.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.monitor.store.RunDatabase;
import io.paraflow.testing.NoLeakedThreads;

import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.paraflow.monitor.MixedRun.awaitRows;

/**
 * A monitored run that {@link MonitoringDiskFullTest} starts under a limit of the size of the files it may
 * write: {@value #BEFORE} tasks that the database takes (the program waits until it holds them), then
 * {@value #AFTER} whose rows outgrow the limit. Prints how many results are right, what its live dashboard says
 * once the writes failed, what closing the flow threw, the Paraflow threads left, and the last progress line.
 * Argument: the database.
 */
public final class DiskFullRunMain {

    static final int BEFORE = 100;
    static final int AFTER = 20_000;

    private DiskFullRunMain() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        PrintWriter out = new PrintWriter(System.out, true);
        Monitoring monitoring = Monitoring.builder().database(db).progress(out, false, Duration.ofHours(1)).dashboard(0)
                .build();
        Flow flow = Flow.builder().threads(2).listener(monitoring).build();
        List<Task<Long>> tasks = new ArrayList<>();
        submit(flow, "before", BEFORE, tasks);
        flow.awaitAll();
        try (RunDatabase run = RunDatabase.open(db)) {
            awaitRows(run.connection(), "SELECT count(*) FROM tasks", List.of(List.of(BEFORE)));
        }
        submit(flow, "after", AFTER, tasks);
        int right = 0;
        for (int i = 0; i < tasks.size(); i++) {
            right += tasks.get(i).get() == (long) i * i ? 1 : 0;
        }
        out.println("right results: " + right + " of " + tasks.size());
        out.println("the dashboard says: " + recordingStopped(monitoring.dashboardUri().orElseThrow()));
        try {
            flow.close();
            out.println("closed without an error");
        } catch (MonitoringException e) {
            out.println("close threw: " + e.getMessage());
        }
        out.println("paraflow threads left: " + NoLeakedThreads.paraflowThreads());
    }

    /** What the dashboard's overview says of the database no longer written, once it says something (at most 30 s). */
    private static String recordingStopped(URI dashboard) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode stopped;
        do {
            Thread.sleep(10);
            stopped = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(dashboard.resolve("api/overview"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).path("recordingStopped");
        } while (stopped.isNull() && System.nanoTime() < deadline);
        return stopped.asText();
    }

    /** Submits {@code count} tasks named {@code name}, the n-th of all returning n squared. */
    private static void submit(Flow flow, String name, int count, List<Task<Long>> tasks) {
        for (int i = 0; i < count; i++) {
            long input = tasks.size();
            tasks.add(flow.task(name).submit(() -> input * input));
        }
    }
}
