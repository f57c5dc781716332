package io.paraflow.cache;

import io.paraflow.Flow;
import io.paraflow.Task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The workflow of the crash test: 100 slow memoized steps and a memoized tree sum. Every run of a task's
 * function appends its name to a journal, so a test can count what ran. Its main runs it once and prints
 * the result; the test kills that JVM midway.
 */
public final class CrashWorkflow {

    static final int STEPS = 100;
    static final int TASKS = STEPS + STEPS - 1;

    private CrashWorkflow() {
    }

    static long run(Path store, Path journal, boolean resume) throws Exception {
        try (Flow flow = Flow.builder().threads(2).checkpoints(store).resume(resume)
                .flushPolicy(FlushPolicy.everyTask()).build()) {
            String journalPath = journal.toString();
            List<Task<Long>> steps = new ArrayList<>();
            for (int i = 0; i < STEPS; i++) {
                steps.add(flow.task("step").cache().submit(n -> {
                    note(journalPath, "step " + n);
                    Thread.sleep(10);
                    return (long) n * n + 1;
                }, flow.value(i)));
            }
            return flow.task("sum").cache().reduce((a, b) -> {
                note(journalPath, "sum");
                return a + b;
            }, steps).get();
        }
    }

    private static void note(String journal, String line) throws IOException {
        Files.writeString(Path.of(journal), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run(Path.of(args[0]), Path.of(args[1]), Boolean.parseBoolean(args[2])));
    }
}
