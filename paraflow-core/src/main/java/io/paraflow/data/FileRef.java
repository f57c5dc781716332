package io.paraflow.data;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A reference to a file by its absolute path: the value that tasks and commands pass to say "this file".
 * A command renders a {@code FileRef} argument as its path and checks before starting its program that
 * the file exists; a {@code Task<FileRef>} passed to a task or a command is a dependency on the file.
 *
 * <pre>{@code
 * Task<FileRef> data = flow.submit(() -> {
 *     Path p = Path.of("data.txt");
 *     Files.write(p, lines);
 *     return FileRef.output(p);          // fails the task if the file is missing
 * });
 * Task<CommandResult> sorted = flow.command("sort")
 *         .args("sort", "-o", "sorted.txt", data).outputs("sorted.txt").submit();
 * }</pre>
 *
 * <p>Immutable and thread-safe; serializable, so it can travel to worker processes. Two references are
 * equal when their paths are.
 */
public final class FileRef implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Kept as a string: {@link Path} is not serializable. */
    private final String path;

    private FileRef(Path path) {
        this.path = path.toAbsolutePath().normalize().toString();
    }

    /**
     * A reference to {@code path}, made absolute against the current directory now (commands run in
     * directories of their own, so a relative path would mean another file there). The file need not exist.
     */
    public static FileRef of(Path path) {
        return new FileRef(Objects.requireNonNull(path, "path"));
    }

    /** {@link #of(Path)} for a path given as a string. */
    public static FileRef of(String path) {
        return of(Path.of(Objects.requireNonNull(path, "path")));
    }

    /**
     * Declares {@code path} as an output of the calling task, typically as its result
     * ({@code return FileRef.output(p);}): a reference to it, after checking that it exists.
     *
     * @throws MissingOutputException if the file does not exist, which fails the task (and may be retried)
     */
    public static FileRef output(Path path) {
        FileRef ref = of(path);
        if (!ref.exists()) {
            throw new MissingOutputException(ref.path(), "the task declared it as its output, but it does not exist");
        }
        return ref;
    }

    /** The absolute path of the file. */
    public Path path() {
        return Path.of(path);
    }

    /** Whether the file exists now. */
    public boolean exists() {
        return Files.exists(path());
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FileRef ref && ref.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    /** The absolute path, as commands receive it. */
    @Override
    public String toString() {
        return path;
    }
}
