package io.paraflow.monitor.progress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether standard error, where the progress line goes, is a terminal: then the line is redrawn in place;
 * otherwise (a log, a pipe) it is printed as separate lines.
 *
 * <p>Java 17 has no way to ask this of one stream: {@link System#console()} is non-null only when both
 * standard input and output are terminals, which says nothing about standard error ({@code cmd 2> log} has
 * a console, {@code cmd > out} has none). On Linux the answer is where {@code /proc/self/fd/2} leads (a
 * {@code /dev/pts/N} or {@code /dev/tty*} device); elsewhere it falls back to {@code System.console()}.
 * Thread-safe.
 */
public final class Terminal {

    private static final Path STANDARD_ERROR = Path.of("/proc/self/fd/2");
    /** The width assumed when no other can be found: that of a terminal that was never resized. */
    static final int DEFAULT_COLUMNS = 80;

    private Terminal() {
    }

    /** Whether this process's standard error is a terminal (see the class comment for how it is decided). */
    public static boolean standardErrorIsTerminal() {
        try {
            String target = standardErrorTarget();
            if (target != null) {
                return isTerminalDevice(target);
            }
        } catch (IOException unreadable) {
            // a /proc that does not show it: decide as without one
        }
        return System.console() != null;
    }

    /**
     * How many columns wide the terminal of standard error is: the {@code COLUMNS} environment variable if it
     * holds a positive number, else what {@code stty size} says of that terminal (on Linux the device
     * {@code /proc/self/fd/2} leads to, elsewhere the process's {@code /dev/tty}), else {@value #DEFAULT_COLUMNS}.
     * Blocks while {@code stty} runs (at most a second); call it once, not per redraw. Thread-safe.
     */
    public static int standardErrorColumns() {
        Integer fromEnvironment = positive(System.getenv("COLUMNS"));
        if (fromEnvironment != null) {
            return fromEnvironment;
        }
        try {
            String target = standardErrorTarget();
            Path device = Path.of(target != null && isTerminalDevice(target) ? target : "/dev/tty");
            Process stty = new ProcessBuilder("stty", "size").redirectInput(device.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (InputStream out = stty.getInputStream()) {
                if (!stty.waitFor(1, TimeUnit.SECONDS)) {
                    stty.destroyForcibly();
                    return DEFAULT_COLUMNS;
                }
                // "rows columns"
                String[] size = new String(out.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
                Integer columns = size.length == 2 && stty.exitValue() == 0 ? positive(size[1]) : null;
                return columns != null ? columns : DEFAULT_COLUMNS;
            }
        } catch (IOException noStty) {
            return DEFAULT_COLUMNS;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DEFAULT_COLUMNS;
        }
    }

    /** Where {@code /proc/self/fd/2} leads, or null where there is no such link (no Linux {@code /proc}). */
    private static String standardErrorTarget() throws IOException {
        return Files.isSymbolicLink(STANDARD_ERROR) ? Files.readSymbolicLink(STANDARD_ERROR).toString() : null;
    }

    /** {@code text} as a positive number, or null if it is not one. */
    static Integer positive(String text) {
        if (text == null || text.isEmpty() || text.length() > 6 || !text.chars().allMatch(Character::isDigit)) {
            return null;
        }
        int value = Integer.parseInt(text);
        return value > 0 ? value : null;
    }

    /** Whether a file descriptor that leads to {@code target} (as {@code /proc/self/fd/N} shows it) is a terminal. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
