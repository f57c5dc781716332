package io.paraflow.exec.process;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last lines a worker wrote to its stderr, for the error that reports its loss. Thread-safe. */
final class StderrTail {
    static final int LINES = 20;
    private static final int MAX_LINE = 500;

    private final ArrayDeque<String> lines = new ArrayDeque<>(LINES);

    synchronized void add(String line) {
        if (lines.size() == LINES) {
            lines.removeFirst();
        }
        lines.addLast(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "..." : line);
    }

    synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }
}
