package io.paraflow.cli;

import io.paraflow.cluster.ClusterExecutor;
import io.paraflow.cluster.ClusterWorker;
import io.paraflow.cluster.security.ClusterSecret;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code paraflow worker}: runs a cluster worker until it is stopped (Ctrl-C or SIGTERM: it leaves cleanly). */
@Command(name = "worker",
        mixinStandardHelpOptions = true,
        description = {"Runs a cluster worker: joins the cluster at the given addresses and runs the tasks drivers"
                + " send it until stopped (Ctrl-C or SIGTERM: it hands back what it has not started, finishes what"
                + " runs, and leaves).",
                "The cluster secret comes from --secret-file or the environment variable "
                        + ClusterSecret.ENVIRONMENT_VARIABLE + "."})
final class WorkerCommand implements Callable<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(?:i?b)?", Pattern.CASE_INSENSITIVE);

    @Spec
    private CommandSpec spec;

    @Option(names = "--join", paramLabel = "HOST:PORT", split = ",",
            description = "Members to join (comma-separated); none for the first worker, which starts the cluster.")
    private List<String> join = new ArrayList<>();

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "The address of the interface to listen on and announce (default: ${DEFAULT-VALUE},"
                    + " this machine only).")
    private String bind;

    @Option(names = "--port", defaultValue = "5701",
            description = "The port to listen on (default: ${DEFAULT-VALUE}; 0: the first free one from 5701).")
    private int port;

    @Option(names = "--cores", paramLabel = "N", description = "Core slots to offer (default: all processors).")
    private Integer cores;

    @Option(names = "--memory", paramLabel = "SIZE",
            description = "Memory tasks may reserve, e.g. 512m, 16g (default: this JVM's maximum heap).")
    private String memory;

    @Option(names = "--label", paramLabel = "LABEL",
            description = "A label of this worker, repeatable; executors use the workers with their label"
                    + " (default: " + ClusterExecutor.DEFAULT_LABEL + ").")
    private List<String> labels = new ArrayList<>();

    @Option(names = "--classpath", paramLabel = "JARS",
            description = "The application's jars or class directories, where task classes are loaded from,"
                    + " separated as in java -cp (':' on Unix, ';' on Windows); may be repeated.")
    private List<String> classpath = new ArrayList<>();

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "The cluster secret (see `paraflow secret`); default: $" + ClusterSecret.ENVIRONMENT_VARIABLE + ".")
    private Path secretFile;

    @Option(names = "--name", description = "The worker's name in events and messages (default: ADDRESS:PORT).")
    private String name;

    @Option(names = "--detection", paramLabel = "SECONDS", defaultValue = "10",
            description = "How long a silent member may stay silent before it counts as lost (default: ${DEFAULT-VALUE});"
                    + " give every member, drivers included, the same value: the oldest member's counts.")
    private long detectionSeconds;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ClusterWorker.Builder builder = ClusterWorker.builder().join(join.toArray(String[]::new)).bind(bind).port(port)
                .detection(Duration.ofSeconds(detectionSeconds)).secret(ClusterSecret.resolve(secretFile));
        if (cores != null) {
            builder.cores(cores);
        }
        if (memory != null) {
            builder.memory(parseSize(memory));
        }
        labels.forEach(builder::label);
        if (name != null) {
            builder.name(name);
        }
        if (!classpath.isEmpty()) {
            builder.classLoader(classLoader(classpathEntries(classpath)));
        }
        ClusterWorker worker = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "paraflow-worker-shutdown"));
        spec.commandLine().getOut().println("paraflow worker " + worker.name() + " joined at " + worker.address()
                + "; stop it with Ctrl-C");
        spec.commandLine().getOut().flush();
        worker.awaitClosed();
        return 0;
    }

    /** A size such as {@code 512m}, {@code 16g}, {@code 16GiB} or a number of bytes. */
    static long parseSize(String text) {
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("--memory: '" + text + "' is not a size such as 512m or 16g");
        }
        int shift = switch (matcher.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long value = Long.parseLong(matcher.group(1));
        if (value <= 0 || value > Long.MAX_VALUE >> shift) {
            throw new IllegalArgumentException("--memory: '" + text + "' is not a positive size that fits in 8 EiB");
        }
        return value << shift;
    }

    /** The entries of {@code --classpath} options, each split at the platform's path separator. */
    static List<Path> classpathEntries(List<String> options) {
        List<Path> entries = new ArrayList<>();
        for (String option : options) {
            for (String entry : option.split(Pattern.quote(File.pathSeparator))) {
                if (!entry.isEmpty()) {
                    entries.add(Path.of(entry));
                }
            }
        }
        return entries;
    }

    private static ClassLoader classLoader(List<Path> entries) throws MalformedURLException {
        List<URL> urls = new ArrayList<>();
        for (Path entry : entries) {
            if (!Files.exists(entry)) {
                throw new IllegalArgumentException("--classpath: " + entry + " does not exist");
            }
            urls.add(entry.toUri().toURL());
        }
        return new URLClassLoader(urls.toArray(URL[]::new), WorkerCommand.class.getClassLoader());
    }
}
