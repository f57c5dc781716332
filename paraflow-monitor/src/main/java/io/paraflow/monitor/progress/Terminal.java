package io.paraflow.monitor.progress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    private Terminal() {
    }

    /** Whether this process's standard error is a terminal (see the class comment for how it is decided). */
    public static boolean standardErrorIsTerminal() {
        try {
            if (Files.isSymbolicLink(STANDARD_ERROR)) {
                return isTerminalDevice(Files.readSymbolicLink(STANDARD_ERROR).toString());
            }
        } catch (IOException unreadable) {
            // a /proc that does not show it: decide as without one
        }
        return System.console() != null;
    }

    /** Whether a file descriptor that leads to {@code target} (as {@code /proc/self/fd/N} shows it) is a terminal. */
    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }
}
