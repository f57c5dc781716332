package io.paraflow.command;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a command's output files, for failure messages. */
final class Tails {
    static final int STDERR_LINES = 20;
    static final int STDOUT_LINES = 10;
    private static final int MAX_BYTES = 8192;

    private Tails() {
    }

    /** The last {@code lines} lines of {@code file} (at most 8 KiB of it), or "" if it is empty or unreadable. */
    static String of(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            int size = (int) Math.min(length, MAX_BYTES);
            byte[] bytes = new byte[size];
            in.seek(length - size);
            in.readFully(bytes);
            List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\r?\n", -1));
            int end = all.size();
            while (end > 0 && all.get(end - 1).isEmpty()) {
                end--;
            }
            // a cut first line would start mid-line: drop it unless the whole file fitted
            int start = Math.max(size < length ? 1 : 0, end - lines);
            return start >= end ? "" : String.join("\n", all.subList(start, end));
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    /** A message section for a non-empty tail: "\n--- last lines of stderr (path):\n...". */
    static String section(String stream, Path file, int lines) {
        return section(stream, file, of(file, lines));
    }

    /** A message section for {@code tail} of {@code file}, if it is not empty. */
    static String section(String stream, Path file, String tail) {
        return tail.isEmpty() ? "" : "\n--- last lines of " + stream + " (" + file + "):\n" + tail;
    }
}
