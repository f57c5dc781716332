package io.paraflow.examples;

import io.paraflow.pattern.AllToAll;
import io.paraflow.pattern.Output;
import io.paraflow.pattern.Pattern;
import io.paraflow.pattern.Stage;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Summarises a web server's access log (requests, errors and latency per service) with a streaming
 * pattern, and compares it with the plain sequential loop:
 *
 * <pre>
 * read blocks of lines --&gt; parser 0 --\ /--&gt; aggregator 0 --\
 *   (source)             parser 1 ---X---&gt; aggregator 1 ----&gt; merge (sink)
 *                        (left set)  by service  (right set)
 * </pre>
 *
 * <p>The left set of the all-to-all is a farm of parsers: each gets blocks of lines in turn, parses them
 * and sends one partial summary per service it saw; routing by key sends every partial of a service to
 * the same aggregator, so the aggregators own disjoint services and never share state. Lines travel in
 * blocks because a channel hand-off costs more than parsing one line.
 *
 * <p>Run {@code main} to generate a log of 2 million lines in a temporary directory (or pass a line
 * count), analyse it both ways, write {@code summary.csv} and print the speed-up.
 */
public final class LogAnalysis {

    static final int BLOCK = 1_000;
    private static final int SERVICES = 40;
    private static final String[] METHODS = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};

    /** One request, as parsed from a log line. */
    record Request(Instant time, String service, int status, int millis) {
    }

    /** What the summary says about one service; {@link #combine} is associative and commutative. */
    record ServiceStats(long requests, long errors, long totalMillis, int maxMillis, Instant last) {
        static ServiceStats of(Request request) {
            return new ServiceStats(1, request.status() >= 500 ? 1 : 0, request.millis(), request.millis(), request.time());
        }

        ServiceStats combine(ServiceStats other) {
            return new ServiceStats(requests + other.requests, errors + other.errors, totalMillis + other.totalMillis,
                    Math.max(maxMillis, other.maxMillis), last.isAfter(other.last) ? last : other.last);
        }
    }

    private LogAnalysis() {
    }

    /** Writes {@code lines} log lines drawn from {@code seed}. */
    static void generate(Path file, int lines, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long start = Instant.parse("2026-11-21T00:00:00Z").toEpochMilli();
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < lines; i++) {
                int service = (int) Math.abs(random.nextGaussian() * SERVICES / 3) % SERVICES;
                int status = random.nextInt(100) < 3 ? 500 + random.nextInt(4) : random.nextInt(100) < 10 ? 404 : 200;
                int millis = 1 + (int) (random.nextDouble() * random.nextDouble() * 900);
                out.write(Instant.ofEpochMilli(start + i * 7L).toString());
                out.write(" service-" + service + " " + METHODS[random.nextInt(METHODS.length)] + " /api/items/"
                        + random.nextInt(100_000) + " " + status + " " + millis + "ms\n");
            }
        }
    }

    /**
     * Parses {@code 2026-11-21T00:00:00.007Z service-3 GET /api/items/42 200 12ms}.
     *
     * @throws IllegalArgumentException if the line does not look like that
     */
    static Request parse(String line) {
        String[] fields = line.split(" ");
        if (fields.length != 6 || !fields[5].endsWith("ms")) {
            throw new IllegalArgumentException("malformed log line: '" + line + "'");
        }
        try {
            return new Request(Instant.parse(fields[0]), fields[1], Integer.parseInt(fields[4]),
                    Integer.parseInt(fields[5].substring(0, fields[5].length() - 2)));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed log line: '" + line + "'", e);
        }
    }

    /** The reference: read, parse and aggregate in one loop. */
    static Map<String, ServiceStats> sequential(Path log) throws IOException {
        Map<String, ServiceStats> stats = new TreeMap<>();
        try (BufferedReader in = Files.newBufferedReader(log)) {
            String line;
            while ((line = in.readLine()) != null) {
                Request request = parse(line);
                stats.merge(request.service(), ServiceStats.of(request), ServiceStats::combine);
            }
        }
        return stats;
    }

    /** The same with {@code parsers} parsers and {@code aggregators} aggregators (see the class comment). */
    static Map<String, ServiceStats> parallel(Path log, int parsers, int aggregators) {
        return Pattern.<List<String>>from(out -> {
                    try (BufferedReader in = Files.newBufferedReader(log)) {
                        List<String> block = new ArrayList<>(BLOCK);
                        String line;
                        while ((line = in.readLine()) != null) {
                            block.add(line);
                            if (block.size() == BLOCK) {
                                out.emit(block);
                                block = new ArrayList<>(BLOCK);
                            }
                        }
                        if (!block.isEmpty()) {
                            out.emit(block);
                        }
                    }
                })
                .then(AllToAll.of(parsers, LogAnalysis::parser, aggregators, Aggregator::new)
                        .byKey(Map.Entry::getKey)
                        .named("log analysis"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, ServiceStats::combine, TreeMap::new))
                .named("log analysis")
                .run();
    }

    /** Parses a block of lines and sends one partial summary per service in it. */
    private static Stage<List<String>, Map.Entry<String, ServiceStats>> parser() {
        return (block, out) -> {
            Map<String, ServiceStats> partial = new HashMap<>();
            for (String line : block) {
                Request request = parse(line);
                partial.merge(request.service(), ServiceStats.of(request), ServiceStats::combine);
            }
            partial.entrySet().forEach(out::emit);
        };
    }

    /** Combines the partial summaries of the services routed to it; sends its totals at the end. */
    private static final class Aggregator implements Stage<Map.Entry<String, ServiceStats>, Map.Entry<String, ServiceStats>> {
        private final Map<String, ServiceStats> totals = new HashMap<>();

        @Override
        public void process(Map.Entry<String, ServiceStats> partial, Output<Map.Entry<String, ServiceStats>> out) {
            totals.merge(partial.getKey(), partial.getValue(), ServiceStats::combine);
        }

        @Override
        public void end(Output<Map.Entry<String, ServiceStats>> out) {
            totals.entrySet().forEach(out::emit);
        }
    }

    /** Writes one CSV line per service, in service order. */
    static void writeSummary(Map<String, ServiceStats> stats, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            out.write("service,requests,errors,mean_ms,max_ms,last_request\n");
            for (Map.Entry<String, ServiceStats> entry : stats.entrySet()) {
                ServiceStats s = entry.getValue();
                out.write(String.format(Locale.ROOT, "%s,%d,%d,%.2f,%d,%s%n", entry.getKey(), s.requests(), s.errors(),
                        (double) s.totalMillis() / s.requests(), s.maxMillis(), s.last()));
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        int cores = Runtime.getRuntime().availableProcessors();
        Path dir = Files.createTempDirectory("paraflow-logs");
        Path log = dir.resolve("access.log");
        Map<String, ServiceStats> stats;
        double sequentialSeconds;
        double parallelSeconds;
        // the generated log is the program's own input, and large: it goes, the summary stays
        try {
            generate(log, lines, 42);
            System.out.printf(Locale.ROOT, "generated %,d lines (%,d MB) in %s (deleted after the run)%n", lines,
                    Files.size(log) >> 20, log);
            sequential(log);
            parallel(log, cores, cores);
            long start = System.nanoTime();
            Map<String, ServiceStats> reference = sequential(log);
            sequentialSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            stats = parallel(log, cores, cores);
            parallelSeconds = (System.nanoTime() - start) / 1e9;
            if (!stats.equals(reference)) {
                throw new IllegalStateException("the pattern's summary differs from the sequential one");
            }
        } finally {
            Files.deleteIfExists(log);
        }
        Path summary = dir.resolve("summary.csv");
        writeSummary(stats, summary);
        System.out.printf(Locale.ROOT, "%d services summarised in %s%n", stats.size(), summary);
        System.out.printf(Locale.ROOT, "sequential %.2f s, pattern (%d parsers, %d aggregators) %.2f s: speed-up %.2f%n",
                sequentialSeconds, cores, cores, parallelSeconds, sequentialSeconds / parallelSeconds);
    }
}
