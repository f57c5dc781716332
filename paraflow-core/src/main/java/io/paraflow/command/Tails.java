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
    /** Starts a line whose beginning lay before the last {@value #MAX_BYTES} bytes of its file. */
    static final String CUT = "…";
    private static final int MAX_BYTES = 8192;

    private Tails() {
    }

    /**
     * The last {@code lines} lines of {@code file}, or "" if it is empty or unreadable. At most its last 8 KiB
     * are read: a line that began before them keeps its end, after {@value #CUT} (a single line longer than
     * that, such as a progress bar redrawn with carriage returns, still shows its end).
     */
    static String of(Path file, int lines) {
        if (!Files.isRegularFile(file)) {
            return "";
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            // one byte before the window tells whether its first line is whole (that byte ends a line)
            int size = (int) Math.min(length, MAX_BYTES + 1);
            byte[] bytes = new byte[size];
            in.seek(length - size);
            in.readFully(bytes);
            boolean windowed = size > MAX_BYTES;
            // a CRLF split by the window: its '\n' ends the line before, the window's lines start after it
            boolean splitCrLf = windowed && bytes[0] == '\r' && bytes[1] == '\n';
            boolean cut = windowed && bytes[0] != '\n' && !splitCrLf;
            int from = splitCrLf ? 2 : windowed ? 1 : 0;
            while (cut && from < size && (bytes[from] & 0xC0) == 0x80) {
                from++;   // a UTF-8 character cut in two: its remaining bytes would decode as garbage
            }
            String text = new String(bytes, from, size - from, StandardCharsets.UTF_8);
            List<String> all = Arrays.asList(text.split("\r?\n", -1));
            int end = all.size();
            while (end > 0 && all.get(end - 1).isEmpty()) {
                end--;
            }
            int start = Math.max(0, end - lines);
            if (start >= end) {
                return "";
            }
            String tail = String.join("\n", all.subList(start, end));
            return start == 0 && cut ? CUT + tail : tail;
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")";
        }
    }

    /** A message section for {@code tail} of {@code file}, if it is not empty: "\n--- last lines of stderr (path):\n...". */
    static String section(String stream, Path file, String tail) {
        return tail.isEmpty() ? "" : "\n--- last lines of " + stream + " (" + file + "):\n" + tail;
    }
}
