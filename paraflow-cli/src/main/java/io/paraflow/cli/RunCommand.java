package io.paraflow.cli;

import io.paraflow.cluster.ClusterExecutor;
import io.paraflow.cluster.ClusterExecutorProvider;
import io.paraflow.cluster.ClusterJvm;
import io.paraflow.cluster.security.ClusterSecret;
import io.paraflow.event.ListenerProvider;
import io.paraflow.exec.ExecutorProvider;
import io.paraflow.monitor.MonitoringProvider;
import io.paraflow.monitor.jfr.JfrTaskEventsProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * {@code paraflow run}: runs a program's main class in a child JVM with Paraflow on its classpath and, with
 * {@code --cluster}, a cluster executor in every flow it builds (through {@link ClusterExecutorProvider}).
 * Every flow also gets monitoring as the options ask (through {@link MonitoringProvider}): the progress line
 * by default, a database, a dashboard.
 */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {"Runs APP.jar's main class (its manifest's Main-Class, or --main) in a new JVM with Paraflow on"
                + " its classpath, passing ARGS, and exits with the program's exit code.",
                "With --cluster, every flow the program builds also gets a cluster executor labelled '"
                        + ClusterExecutor.DEFAULT_LABEL + "' joined to the given workers, so tasks marked"
                        + " .on(\"" + ClusterExecutor.DEFAULT_LABEL + "\") run there without changes to the program"
                        + " (a flow that adds its own executor with that label keeps it).",
                "The cluster secret comes from --secret-file or the environment variable "
                        + ClusterSecret.ENVIRONMENT_VARIABLE + "; it is never accepted on the command line.",
                "Every flow the program builds shows its progress on stderr (unless --no-progress), and with"
                        + " --database or --dashboard is recorded or served: the first flow in FILE, the n-th in FILE"
                        + " with -n before its extension."})
final class RunCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--cluster", paramLabel = "HOST:PORT", split = ",",
            description = "Workers to join (comma-separated): every flow gets a cluster executor.")
    private List<String> cluster = new ArrayList<>();

    @Option(names = "--bind", paramLabel = "ADDRESS",
            description = "With --cluster: this machine's interface on the cluster's network (default 127.0.0.1).")
    private String bind;

    @Option(names = "--secret-file", paramLabel = "FILE",
            description = "With --cluster: the cluster secret (see `paraflow secret`); default: $"
                    + ClusterSecret.ENVIRONMENT_VARIABLE + ".")
    private Path secretFile;

    @Option(names = "--allow", paramLabel = "PATTERN", split = ",",
            description = "With --cluster: the program's classes that travel to workers, e.g. org.example.** (repeatable).")
    private List<String> allow = new ArrayList<>();

    @Option(names = "--main", paramLabel = "CLASS", description = "The class to run (default: APP.jar's Main-Class).")
    private String mainClass;

    @Mixin
    private MonitoringOptions monitoring;

    @Option(names = "--jfr", paramLabel = "FILE",
            description = "Records the program with Java Flight Recorder into FILE (a new file), with an event per"
                    + " task try (io.paraflow.TaskTry: task, attempt, worker, outcome) beside the JVM's own events;"
                    + " open it in JDK Mission Control or read it with 'jfr print --events io.paraflow.TaskTry FILE'.")
    private Path jfr;

    /** Only here to refuse a secret given in clear, where other users of the machine can read it. */
    @Option(names = "--secret", hidden = true)
    private String secret;

    @Parameters(index = "0", paramLabel = "APP.jar", description = "The program's jar.")
    private Path jar;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The program's arguments.")
    private List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException, InterruptedException {
        checkOptions();
        String main = mainClass != null ? mainClass : manifestMainClass();
        if (jfr != null) {
            createRecordingDirectory();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (!cluster.isEmpty()) {
            command.addAll(ClusterJvm.OPTIONS);
            command.add(property(ExecutorProvider.PROPERTY, ClusterExecutor.DEFAULT_LABEL));
            command.add(property(ClusterExecutorProvider.JOIN, String.join(",", cluster)));
            if (bind != null) {
                command.add(property(ClusterExecutorProvider.BIND, bind));
            }
            if (secretFile != null) {
                command.add(property(ClusterExecutorProvider.SECRET_FILE, secretFile.toAbsolutePath().toString()));
            }
            if (!allow.isEmpty()) {
                command.add(property(ClusterExecutorProvider.ALLOW, String.join(",", allow)));
            }
        }
        command.addAll(listenerOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path") + File.pathSeparator + jar.toAbsolutePath(), main));
        command.addAll(args);
        // The child inherits the environment, so PARAFLOW_SECRET reaches it without a command line showing it.
        Process program = new ProcessBuilder(command).inheritIO().start();
        Thread stopProgram = new Thread(program::destroy, "paraflow-run-shutdown");
        Runtime.getRuntime().addShutdownHook(stopProgram);
        try {
            return program.waitFor();
        } finally {
            if (program.isAlive()) {
                program.destroyForcibly();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopProgram);
            } catch (IllegalStateException shuttingDown) {
                // This JVM is being stopped, and the hook has stopped the program: nothing left to undo.
            }
        }
    }

    /**
     * The JVM options that give every flow of the program its {@link MonitoringProvider monitoring} and, with
     * {@code --jfr}, its {@link JfrTaskEventsProvider Flight Recorder events} and the recording.
     */
    private List<String> listenerOptions() {
        List<String> providers = new ArrayList<>();
        List<String> options = new ArrayList<>();
        if (monitoring.progress || monitoring.database != null || monitoring.dashboardPort != null) {
            providers.add(MonitoringProvider.NAME);
            options.addAll(monitoringProperties());
        }
        if (jfr != null) {
            providers.add(JfrTaskEventsProvider.NAME);
            options.add("-XX:StartFlightRecording=filename=" + jfr.toAbsolutePath());
        }
        if (!providers.isEmpty()) {
            options.add(property(ListenerProvider.PROPERTY, String.join(",", providers)));
        }
        return options;
    }

    /** The system properties that configure {@link MonitoringProvider}. */
    private List<String> monitoringProperties() {
        List<String> properties = new ArrayList<>();
        properties.add(property(MonitoringProvider.PROGRESS, Boolean.toString(monitoring.progress)));
        if (monitoring.database != null) {
            properties.add(property(MonitoringProvider.DATABASE, monitoring.database.toAbsolutePath().toString()));
        }
        if (monitoring.dashboardPort != null) {
            properties.add(property(MonitoringProvider.DASHBOARD, monitoring.dashboardPort.toString()));
            properties.add(property(MonitoringProvider.DASHBOARD_BIND, monitoring.dashboardAddress()));
        }
        return properties;
    }

    private void checkOptions() throws IOException {
        monitoring.validate();
        if (secret != null) {
            throw usage("a cluster secret is never accepted on the command line (other users of the machine can read it);"
                    + " give it with --secret-file FILE or the environment variable " + ClusterSecret.ENVIRONMENT_VARIABLE);
        }
        if (cluster.isEmpty() && (bind != null || secretFile != null || !allow.isEmpty())) {
            throw usage("--bind, --secret-file and --allow configure the cluster executor: they need --cluster HOST:PORT");
        }
        if (jfr != null) {
            checkRecordingFile();
        }
        if (!Files.isRegularFile(jar)) {
            throw usage("APP.jar: " + jar + (Files.exists(jar) ? " is not a file" : " does not exist"));
        }
        if (!cluster.isEmpty()) {
            if (secretFile == null && System.getenv(ClusterSecret.ENVIRONMENT_VARIABLE) == null) {
                throw usage("--cluster needs the cluster secret: give --secret-file FILE or set "
                        + ClusterSecret.ENVIRONMENT_VARIABLE + " (create a secret with 'paraflow secret')");
            }
            ClusterSecret.resolve(secretFile);
        }
    }

    /** Refuses a {@code --jfr} file the JVM could not start recording into. */
    private void checkRecordingFile() {
        Path file = jfr.toAbsolutePath();
        if (Files.exists(file)) {
            throw usage("--jfr: " + jfr + " exists; give a new file");
        }
        if (file.toString().contains(",")) {
            throw usage("--jfr: " + jfr + ": the path may not contain a comma (the JVM's -XX:StartFlightRecording"
                    + " reads commas as separators)");
        }
    }

    /** Creates the directory of the {@code --jfr} file, once every option has been checked. */
    private void createRecordingDirectory() {
        Path directory = jfr.toAbsolutePath().getParent();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw usage("--jfr: cannot create the directory " + directory + " (" + e + ")");
        }
    }

    private String manifestMainClass() {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String main = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            if (main == null || main.isBlank()) {
                throw usage(jar + " names no Main-Class in its manifest; name the class to run with --main CLASS");
            }
            return main.strip();
        } catch (IOException e) {
            throw usage(jar + " is not a readable jar (" + e.getMessage() + ")");
        }
    }

    private static String property(String name, String value) {
        return "-D" + name + "=" + value;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
