package io.paraflow.command;

import io.paraflow.data.FileRef;
import io.paraflow.data.MissingInputException;
import io.paraflow.data.MissingOutputException;
import io.paraflow.exec.ReadyTask;
import io.paraflow.exec.Resources;
import io.paraflow.internal.ChildEnvironment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of a command task: renders the arguments (with the results of the tasks it depends on), checks
 * the input files, runs the program in its directory and checks the declared outputs. Runs on a thread of a
 * {@link CommandExecutor}, which gives it its attempt and run directory.
 */
final class CommandCall {

    /** Stands in the argument template for the result of the dependency with this index. */
    record Dependency(int index) {
    }

    private final List<Object> template;
    private final String script;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final List<Object> outputs;

    CommandCall(List<Object> template, String script, Map<String, String> environment, Path workingDirectory,
                List<Object> outputs) {
        this.template = template;
        this.script = script;
        this.environment = environment;
        this.workingDirectory = workingDirectory;
        this.outputs = outputs;
    }

    /**
     * What the program does, for memoizing it: the script, the arguments (a dependency by its position,
     * since its value is an argument of the task; a file by its reference, which the cache fingerprints by
     * content; anything else as the words it renders to), environment, working directory and outputs.
     */
    List<Object> identity() {
        List<Object> arguments = new ArrayList<>(template.size());
        for (Object argument : template) {
            arguments.add(argument instanceof Dependency d ? List.of("dependency", d.index()) : identityOf(argument));
        }
        List<String> declared = new ArrayList<>(outputs.size());
        for (Object output : outputs) {
            declared.add(output.toString());
        }
        return List.of(script == null ? "" : script, arguments, new TreeMap<>(environment),
                workingDirectory == null ? "" : workingDirectory.toString(), declared);
    }

    private static Object identityOf(Object value) {
        if (value instanceof FileRef || value instanceof CommandResult) {
            return value;
        }
        if (value instanceof Collection<?> values) {
            List<Object> list = new ArrayList<>(values.size());
            for (Object v : values) {
                list.add(identityOf(v));
            }
            return list;
        }
        if (value instanceof Object[] values) {
            return identityOf(Arrays.asList(values));
        }
        return String.valueOf(value);
    }

    CommandResult run(Object... dependencyValues) throws IOException, InterruptedException {
        CommandExecutor.Runner runner = CommandExecutor.currentRunner();
        if (runner == null) {
            throw new IllegalStateException("a command task must run on a CommandExecutor, but runs on thread "
                    + Thread.currentThread().getName() + "; choose one with on(label)");
        }
        ReadyTask task = runner.task;
        String command = "command '" + task.name() + "' (#" + task.id() + ")";
        List<FileRef> inputs = new ArrayList<>();
        List<String> argv = argv(task, dependencyValues, inputs, command);
        for (FileRef input : inputs) {
            if (!input.exists()) {
                throw new MissingInputException(input.path(),
                        command + " takes it as an input; the program was not started");
            }
        }
        Path runDirectory = runner.executor.runDirectory();
        Path directory = workingDirectory != null ? workingDirectory
                : runDirectory.resolve(CommandExecutor.attemptName(task.name(), task.id(), task.attempt()));
        Files.createDirectories(runDirectory);
        Files.createDirectories(directory);
        Path stdout = CommandExecutor.outputFile(runDirectory, task.name(), task.id(), task.attempt(), "stdout");
        Path stderr = CommandExecutor.outputFile(runDirectory, task.name(), task.id(), task.attempt(), "stderr");
        ProcessBuilder builder = new ProcessBuilder(argv).directory(directory.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        setEnvironment(builder.environment(), task);
        int exitCode = runToEnd(runner.executor, builder);
        if (exitCode != 0) {
            throw new CommandFailedException(command, argv, exitCode, stdout, stderr);
        }
        List<String> declared = new ArrayList<>(outputs.size());
        List<FileRef> produced = new ArrayList<>(outputs.size());
        for (Object output : outputs) {
            FileRef file = output instanceof FileRef ref ? ref : FileRef.of(directory.resolve(output.toString()));
            if (!file.exists()) {
                throw new MissingOutputException(file.path(), command + " declared it as an output, but its program"
                        + " ended (exit code 0) without creating it: " + commandLine(argv)
                        + CommandOutput.readStdoutAndStderr(stdout, stderr).sections());
            }
            declared.add(output.toString());
            produced.add(file);
        }
        return new CommandResult(exitCode, declared, produced, stdout, stderr, directory);
    }

    /** The argument vector, with the dependencies' results in place; collects the input files on the way. */
    private List<String> argv(ReadyTask task, Object[] dependencyValues, List<FileRef> inputs, String command) {
        List<String> argv = new ArrayList<>();
        if (script != null) {
            argv.addAll(List.of("/bin/sh", "-c", script, task.name()));
        }
        for (int i = 0; i < template.size(); i++) {
            Object argument = template.get(i);
            Object value = argument instanceof Dependency d ? dependencyValues[d.index] : argument;
            render(value, argv, inputs, command, i + 1);
        }
        return argv;
    }

    /** The command's own variables, then what the task asked for and who it is. */
    private void setEnvironment(Map<String, String> env, ReadyTask task) {
        ChildEnvironment.withoutSecret(env);
        env.putAll(environment);
        Resources resources = task.resources();
        env.put("PARAFLOW_CORES", Integer.toString(resources.cores()));
        env.put("PARAFLOW_MEMORY_BYTES", Long.toString(resources.memoryBytes()));
        env.put("PARAFLOW_GPUS", Integer.toString(resources.gpus()));
        env.put("PARAFLOW_TASK_NAME", task.name());
        env.put("PARAFLOW_TASK_ID", Long.toString(task.id()));
        env.put("PARAFLOW_ATTEMPT", Integer.toString(task.attempt()));
    }

    /**
     * Starts the program, closes its input and waits for it. Anything that ends the wait early (the attempt's
     * timeout or cancellation interrupts this thread) kills the program's whole process tree first.
     */
    private static int runToEnd(CommandExecutor executor, ProcessBuilder builder)
            throws IOException, InterruptedException {
        Process process = executor.start(builder);
        try {
            process.getOutputStream().close();
            return process.waitFor();
        } catch (Throwable stopped) {
            ProcessTree.kill(process);
            throw stopped;
        } finally {
            executor.ended(process);
        }
    }

    /** The argument vector as a shell would take it back: words with special characters in single quotes. */
    static String commandLine(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String word : argv) {
            line.append(line.length() == 0 ? "" : " ");
            if (!word.isEmpty() && word.matches("[A-Za-z0-9_./=:,+@%^-]+")) {
                line.append(word);
            } else {
                line.append('\'').append(word.replace("'", "'\\''")).append('\'');
            }
        }
        return line.toString();
    }

    /**
     * Appends the words of one argument: a {@link FileRef} is its path (and an input to check), a
     * {@link CommandResult} its output files, a collection or array each element, anything else its string.
     */
    private static void render(Object value, List<String> argv, List<FileRef> inputs, String command, int position) {
        if (value instanceof FileRef file) {
            argv.add(file.toString());
            inputs.add(file);
        } else if (value instanceof CommandResult result) {
            for (FileRef file : result.outputs()) {
                render(file, argv, inputs, command, position);
            }
        } else if (value instanceof Collection<?> values) {
            for (Object v : values) {
                render(v, argv, inputs, command, position);
            }
        } else if (value instanceof Object[] values) {
            for (Object v : values) {
                render(v, argv, inputs, command, position);
            }
        } else if (value == null) {
            throw new IllegalArgumentException(command + ": argument " + position
                    + " is null (a task it depends on returned null, or a collection holds null)");
        } else {
            argv.add(value.toString());
        }
    }
}
