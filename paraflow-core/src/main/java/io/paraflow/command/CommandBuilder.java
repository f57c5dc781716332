package io.paraflow.command;

import io.paraflow.Flow;
import io.paraflow.Task;
import io.paraflow.TaskBuilder;
import io.paraflow.TaskGroup;
import io.paraflow.data.FileRef;
import io.paraflow.fault.RetryPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a command task: an external program run as a task of the graph, obtained from
 * {@link Flow#command(String)}.
 *
 * <pre>{@code
 * Task<FileRef> data = flow.submit(() -> FileRef.output(writeNumbers(Path.of("numbers.txt"))));
 * Task<CommandResult> sorted = flow.command("sort")
 *         .args("sort", "-n", "-o", "sorted.txt", data)       // runs after data, gets its path
 *         .outputs("sorted.txt")                              // must exist when sort ends
 *         .timeout(Duration.ofMinutes(1)).retries(2)
 *         .submit();
 * Task<Long> lines = flow.submit(r -> Files.lines(r.output().path()).count(), sorted);
 * }</pre>
 *
 * <p><b>Program and arguments.</b> {@link #args} is the argument vector, program first; no shell is
 * involved unless {@link #shell} is used. An argument may be a string or any value (its {@code toString()}),
 * a {@link Path} (passed as it is), a {@link FileRef} (its absolute path; an input file that must exist
 * before the program starts), a collection or array (each element), or a {@link Task} of any of these, which
 * makes the command depend on it: it runs after the task finished, with its result in place. A
 * {@link CommandResult} (the result of another command) stands for its output files.
 *
 * <p><b>Where it runs.</b> On the flow's {@link CommandExecutor}, in a fresh directory of its own under the
 * run directory (or in {@link #workingDirectory}), with standard input empty and standard output and error
 * in files named after the task. The environment is the driver's, plus {@link #env} entries, plus
 * {@code PARAFLOW_CORES}, {@code PARAFLOW_MEMORY_BYTES}, {@code PARAFLOW_GPUS} (what the task asked for),
 * {@code PARAFLOW_TASK_NAME}, {@code PARAFLOW_TASK_ID} and {@code PARAFLOW_ATTEMPT}.
 *
 * <p><b>Outcome.</b> The task succeeds with a {@link CommandResult} when the program exits with 0 and every
 * declared output exists. It fails (as the cause of its {@link io.paraflow.TaskFailedException}) with
 * {@link CommandFailedException} for a non-zero exit (code, command line and the tails of stderr and stdout
 * in the message), {@link io.paraflow.data.MissingOutputException} for a missing output,
 * {@link io.paraflow.data.MissingInputException} for a missing input file, or the {@link java.io.IOException}
 * of a program that could not start. A timeout or cancellation kills the program and every process it
 * started (SIGTERM, then SIGKILL after 2 s).
 *
 * <p>Immutable: every setter returns a new builder, so a configured builder is a reusable template;
 * {@link #args} and {@link #outputs} append. Setters validate at once. Thread-safe.
 */
public final class CommandBuilder {
    private final Flow flow;
    private final TaskBuilder task;
    private final String name;
    private final List<Object> args;
    private final String script;
    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final List<Object> outputs;
    /** Null unless the command is memoized. */
    private final String cacheVersion;

    private CommandBuilder(Flow flow, TaskBuilder task, String name, List<Object> args, String script,
                           Map<String, String> environment, Path workingDirectory, List<Object> outputs,
                           String cacheVersion) {
        this.flow = flow;
        this.task = task;
        this.name = name;
        this.args = args;
        this.script = script;
        this.environment = environment;
        this.workingDirectory = workingDirectory;
        this.outputs = outputs;
        this.cacheVersion = cacheVersion;
    }

    /**
     * A builder for a command task named {@code name} of {@code flow}, run by its executor labelled
     * {@value CommandExecutor#LABEL}; {@link Flow#command(String)} is the usual way to get one.
     */
    public static CommandBuilder of(Flow flow, String name) {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(name, "name");
        return new CommandBuilder(flow, flow.task(name).on(CommandExecutor.LABEL), name, List.of(), null, Map.of(),
                null, List.of(), null);
    }

    private CommandBuilder with(TaskBuilder task) {
        return new CommandBuilder(flow, task, name, args, script, environment, workingDirectory, outputs, cacheVersion);
    }

    /**
     * Appends to the argument vector (program first, unless {@link #shell} gives the program); see the class
     * comment for what an argument may be.
     *
     * @throws NullPointerException if an argument is null, naming its position
     */
    public CommandBuilder args(Object... args) {
        List<Object> all = new ArrayList<>(this.args);
        for (Object arg : args) {
            if (arg == null) {
                throw new NullPointerException("command '" + name + "': argument " + (all.size() + 1) + " is null");
            }
            all.add(arg);
        }
        return new CommandBuilder(flow, task, name, Collections.unmodifiableList(all), script, environment,
                workingDirectory, outputs, cacheVersion);
    }

    /**
     * Runs {@code script} with {@code /bin/sh -c} instead of a program; the {@link #args} then become the
     * script's positional parameters {@code $1}, {@code $2}... ({@code $0} is the task name), so file names
     * need no quoting inside the script: {@code shell("sort \"$1\" | uniq -c > counts.txt").args(input)}.
     */
    public CommandBuilder shell(String script) {
        Objects.requireNonNull(script, "script");
        return new CommandBuilder(flow, task, name, args, script, environment, workingDirectory, outputs, cacheVersion);
    }

    /** Sets an environment variable of the program (on top of the driver's environment). */
    public CommandBuilder env(String variable, String value) {
        Objects.requireNonNull(variable, "variable");
        Objects.requireNonNull(value, "value");
        Map<String, String> all = new LinkedHashMap<>(environment);
        all.put(variable, value);
        return new CommandBuilder(flow, task, name, args, script, Collections.unmodifiableMap(all), workingDirectory,
                outputs, cacheVersion);
    }

    /** Sets several environment variables; see {@link #env(String, String)}. */
    public CommandBuilder env(Map<String, String> variables) {
        CommandBuilder builder = this;
        for (Map.Entry<String, String> e : variables.entrySet()) {
            builder = builder.env(e.getKey(), e.getValue());
        }
        return builder;
    }

    /**
     * Runs the program in {@code directory} (created if missing) instead of a fresh directory of its own.
     * Commands that share a directory can collide on file names; relative outputs are resolved there, and a
     * file left there earlier counts as an output (the fresh directories are what rules that out).
     */
    public CommandBuilder workingDirectory(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return new CommandBuilder(flow, task, name, args, script, environment, directory.toAbsolutePath().normalize(),
                outputs, cacheVersion);
    }

    /**
     * Declares output files that must exist when the program ends: a {@link String} or relative {@link Path}
     * is resolved in the command's working directory, an absolute path or a {@link FileRef} is taken as it
     * is. The result gives them back as {@link FileRef}s ({@link CommandResult#output(String)} by the same
     * string).
     *
     * @throws IllegalArgumentException if a file is of another type
     */
    public CommandBuilder outputs(Object... files) {
        List<Object> all = new ArrayList<>(outputs);
        for (Object file : files) {
            Objects.requireNonNull(file, "command '" + name + "': output " + (all.size() + 1) + " is null");
            if (!(file instanceof String || file instanceof Path || file instanceof FileRef)) {
                throw new IllegalArgumentException("command '" + name + "': output " + (all.size() + 1) + " is a "
                        + file.getClass().getName() + "; give a String, a Path or a FileRef");
            }
            all.add(file);
        }
        return new CommandBuilder(flow, task, name, args, script, environment, workingDirectory,
                Collections.unmodifiableList(all), cacheVersion);
    }

    /** Cores the command holds while it runs (also in {@code PARAFLOW_CORES}); see {@link TaskBuilder#cores}. */
    public CommandBuilder cores(int cores) {
        return with(task.cores(cores));
    }

    /** Memory the command needs, in bytes; see {@link TaskBuilder#memory}. */
    public CommandBuilder memory(long bytes) {
        return with(task.memory(bytes));
    }

    /** GPUs the command needs; see {@link TaskBuilder#gpus}. */
    public CommandBuilder gpus(int gpus) {
        return with(task.gpus(gpus));
    }

    /** See {@link TaskBuilder#priority}. */
    public CommandBuilder priority(int priority) {
        return with(task.priority(priority));
    }

    /** Runs the command on another {@link CommandExecutor}, by label. See {@link TaskBuilder#on}. */
    public CommandBuilder on(String executorLabel) {
        return with(task.on(executorLabel));
    }

    /** Retries a failed attempt (non-zero exit, missing output, timeout...); see {@link TaskBuilder#retries}. */
    public CommandBuilder retries(int retries) {
        return with(task.retries(retries));
    }

    /** See {@link TaskBuilder#retryPolicy}; a policy can single out {@link CommandFailedException}. */
    public CommandBuilder retryPolicy(RetryPolicy policy) {
        return with(task.retryPolicy(policy));
    }

    /**
     * Bounds each attempt; a program running longer is killed with all its children. See
     * {@link TaskBuilder#timeout}.
     */
    public CommandBuilder timeout(Duration timeout) {
        return with(task.timeout(timeout));
    }

    /**
     * Memoizes the command (see {@link TaskBuilder#cache(String)}): it is reused when its name, version,
     * program, arguments (input files by their content), script, environment, working directory and
     * declared outputs match those of a command that finished, and only while the output files of that
     * command still have the content they had then; otherwise it runs.
     */
    public CommandBuilder cache(String version) {
        Objects.requireNonNull(version, () -> "command '" + name + "': version is null; use cache() for no version label");
        return new CommandBuilder(flow, task, name, args, script, environment, workingDirectory, outputs, version);
    }

    /** {@link #cache(String)} with the empty version label. */
    public CommandBuilder cache() {
        return cache("");
    }

    /** See {@link TaskBuilder#group}. */
    public CommandBuilder group(TaskGroup group) {
        return with(task.group(group));
    }

    /**
     * Submits the command: it runs once every task among its arguments finished.
     *
     * @return its task, completing with the {@link CommandResult}
     * @throws IllegalStateException if there is neither a program ({@link #args}) nor a {@link #shell} script
     * @see io.paraflow.Submitter for what submitting throws otherwise (closed flow, resources, foreign tasks)
     */
    public Task<CommandResult> submit() {
        if (script == null && args.isEmpty()) {
            throw new IllegalStateException("command '" + name + "' has no program: give args(program, arguments...)"
                    + " or shell(script)");
        }
        List<Object> template = new ArrayList<>(args.size());
        List<Task<?>> dependencies = new ArrayList<>();
        for (Object arg : args) {
            if (arg instanceof Task<?> dependency) {
                template.add(new CommandCall.Dependency(dependencies.size()));
                dependencies.add(dependency);
            } else {
                template.add(arg);
            }
        }
        CommandCall call = new CommandCall(template, script, environment, workingDirectory, outputs);
        TaskBuilder task = cacheVersion == null ? this.task : this.task.cache(cacheVersion, call.identity());
        switch (dependencies.size()) {
            case 0:
                return task.submit(() -> call.run());
            case 1:
                return task.submit(a -> call.run(a), dependencies.get(0));
            case 2:
                return task.submit((a, b) -> call.run(a, b), dependencies.get(0), dependencies.get(1));
            case 3:
                return task.submit((a, b, c) -> call.run(a, b, c), dependencies.get(0), dependencies.get(1),
                        dependencies.get(2));
            case 4:
                return task.submit((a, b, c, d) -> call.run(a, b, c, d), dependencies.get(0), dependencies.get(1),
                        dependencies.get(2), dependencies.get(3));
            default:
                // more than a task function takes: one task collects their results first
                return task.submit(values -> call.run(values.toArray()), flow.all(dependencies));
        }
    }
}
