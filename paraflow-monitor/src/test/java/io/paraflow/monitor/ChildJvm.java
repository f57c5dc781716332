package io.paraflow.monitor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts a test's program in a JVM of its own, on the test's class path. */
final class ChildJvm {

    private ChildJvm() {
    }

    /** Starts {@code main} with {@code args}, its output and errors in {@code log}. */
    static Process start(Class<?> main, Path log, String... args) throws IOException {
        return start(command(List.of(), main, args), log);
    }

    /** The command line that runs {@code main} with {@code args}, after the JVM options {@code jvmOptions}. */
    static List<String> command(List<String> jvmOptions, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code command}, its output and errors in {@code log}. */
    static Process start(List<String> command, Path log) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
