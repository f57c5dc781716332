package io.paraflow.monitor.store;

import io.paraflow.event.FlowInfo;
import io.paraflow.exec.Resources;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.LongStream;

import static io.paraflow.monitor.MixedRun.open;
import static io.paraflow.monitor.MixedRun.rows;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link RunWriter} leaves in the database, checked against a model of its contract: a later row of a
 * task, try or failure replaces an earlier one, a running row never replaces an ended one (whichever comes
 * first), times of 0 are NULL, and readers see exactly the flushed rows. Rows go through the multi-row
 * statements and the single-row ones at the end of each flush, so replacements cross both and the flushes.
 */
@ExtendWith(NoLeakedThreads.class)
class RunWriterTest {

    static final long EPOCH = 1_800_000_000_000_000_000L;
    static final FlowInfo FLOW = new FlowInfo(7, EPOCH, Map.of("threads", new Resources(2, 0, 0)), "threads",
            1000, true);

    @TempDir
    Path dir;

    /** The rows a writer should leave: for each key, the last replacing row, else the first kept one. */
    private static final class Model {
        final Map<Long, TaskRow> tasks = new TreeMap<>();
        final Map<List<Long>, TryRow> tries = new TreeMap<>(RunWriterTest::compareKeys);
        final Map<List<Long>, FailureRow> failures = new TreeMap<>(RunWriterTest::compareKeys);
        final TreeSet<List<Long>> dependencies = new TreeSet<>(RunWriterTest::compareKeys);

        void task(TaskRow task) {
            tasks.put(task.taskId(), task);
            task.dependencies().forEach(d -> dependencies.add(List.of(task.taskId(), d)));
        }

        /**
         * A running row moves a task waiting or running after fewer attempts on: its state, attempt and ready
         * time.
         */
        void running(TaskRow task, TryRow attempt) {
            TaskRow before = tasks.get(task.taskId());
            if (before == null) {
                tasks.put(task.taskId(), task);
            } else if ((before.state().equals("waiting") || before.state().equals("running"))
                    && before.attempts() < task.attempts()) {
                tasks.put(task.taskId(), new TaskRow(before.taskId(), before.name(), before.executor(), before.cores(),
                        before.gpus(), before.memoryBytes(), task.state(), task.attempts(), before.submittedNs(),
                        task.readyNs(), before.endedNs(), before.dependencies()));
            }
            tries.putIfAbsent(List.of(attempt.taskId(), (long) attempt.attempt()), attempt);
            task.dependencies().forEach(d -> dependencies.add(List.of(task.taskId(), d)));
        }

        void waiting(TaskRow task) {
            tasks.putIfAbsent(task.taskId(), task);
            task.dependencies().forEach(d -> dependencies.add(List.of(task.taskId(), d)));
        }

        void attempt(TryRow attempt) {
            tries.put(List.of(attempt.taskId(), (long) attempt.attempt()), attempt);
        }

        void failure(FailureRow failure) {
            failures.put(List.of(failure.taskId(), (long) failure.attempt()), failure);
        }
    }

    private static int compareKeys(List<Long> a, List<Long> b) {
        int first = Long.compare(a.get(0), b.get(0));
        return first != 0 ? first : Long.compare(a.get(1), b.get(1));
    }

    @Test
    void rowsReplaceAndKeepAsTheContractSaysAcrossStatementsAndFlushes() throws Exception {
        Path db = dir.resolve("random.db");
        Random random = new Random(42);
        Model model = new Model();
        Model flushed = null;
        try (RunWriter writer = RunWriter.create(db, "random", FLOW)) {
            for (int step = 0; step < 6_000; step++) {
                // few ids, so that every kind of row meets earlier rows of its key
                long id = 1 + random.nextInt(700);
                int attempt = 1 + random.nextInt(2);
                int pick = random.nextInt(100);
                if (pick < 45) {
                    TaskRow task = task(random, id, attempt, pick % 3 == 0 ? "failed" : "finished");
                    writer.task(task);
                    model.task(task);
                } else if (pick < 85) {
                    TryRow tried = attempt(random, id, attempt, random.nextBoolean() ? "finished" : "retried");
                    writer.attempt(tried);
                    model.attempt(tried);
                } else if (pick < 88) {
                    TaskRow task = beforeEnd(random, id, 0, "waiting");
                    writer.waiting(task);
                    model.waiting(task);
                } else if (pick < 92) {
                    TaskRow task = beforeEnd(random, id, attempt, "running");
                    TryRow tried = attempt(random, id, attempt, "running");
                    writer.running(task, tried);
                    model.running(task, tried);
                } else if (pick < 99) {
                    FailureRow failure = failure(random, id, attempt);
                    writer.failure(failure);
                    model.failure(failure);
                } else {
                    writer.flush();
                    flushed = copy(model);
                    assertThat(readTables(db)).as("a reader sees what was flushed").isEqualTo(expectedTables(flushed));
                }
            }
            assertThat(flushed).as("the random steps flushed at least once").isNotNull();
            assertThat(readTables(db)).as("rows added since the last flush are not visible")
                    .isEqualTo(expectedTables(flushed));
            writer.finish(EPOCH + 1, "succeeded", 0, 0, 0, 0);
        }
        assertThat(readTables(db)).isEqualTo(expectedTables(model));
    }

    @Test
    void longDependencyListsAndNullTimesAndFieldsAreWrittenAsGiven() throws Exception {
        Path db = dir.resolve("shapes.db");
        List<Long> many = LongStream.rangeClosed(1, 3 * RunWriter.ROWS_PER_INSERT + 7).boxed().toList();
        Model model = new Model();
        try (RunWriter writer = RunWriter.create(db, null, FLOW)) {
            List<Object> rows = List.of(
                    new TaskRow(1_000, "join", "threads", 1, 0, 0, "finished", 1, EPOCH, EPOCH + 5, EPOCH + 9, many),
                    new TaskRow(1_001, "never-ready", "threads", 2, 1, 1 << 20, "cancelled", 0, EPOCH, 0, EPOCH + 3,
                            List.of(1_000L)),
                    new TaskRow(1_002, "unended", "gpu", 1, 0, 0, "ready", 0, EPOCH, EPOCH + 1, 0, List.of()),
                    new TryRow(1_000, 1, "w-0", EPOCH + 6, EPOCH + 9, "finished"),
                    new TryRow(1_003, 1, null, EPOCH + 6, 0, "running"),
                    new FailureRow(1_001, 0, "cancelled", "io.paraflow.TaskCancelledException", null, null, null, null,
                            null),
                    new FailureRow(1_004, 2, "failed", "java.io.IOException", "no file", 1_001L, "trace", "err", "out"));
            for (Object row : rows) {
                if (row instanceof TaskRow task) {
                    writer.task(task);
                    model.task(task);
                } else if (row instanceof TryRow tried) {
                    writer.attempt(tried);
                    model.attempt(tried);
                } else {
                    writer.failure((FailureRow) row);
                    model.failure((FailureRow) row);
                }
            }
            writer.finish(EPOCH + 10, "cancelled", 3, 1, 0, 1);
        }
        assertThat(readTables(db)).isEqualTo(expectedTables(model));
        try (Connection c = open(db)) {
            assertThat(rows(c, "SELECT count(*) FROM dependencies WHERE task_id = 1000")).containsExactly(List.of(many.size()));
            assertThat(rows(c, "SELECT task_id FROM tasks WHERE ready_ns IS NULL OR ended_ns IS NULL ORDER BY 1"))
                    .containsExactly(List.of(1_001), List.of(1_002));
        }
    }

    @Test
    void aRunOfManyTasksWithRepeatingValuesIsWrittenExactly() throws Exception {
        // the shape of a real run: a few names, executors and workers, so that statements share columns
        Path db = dir.resolve("many.db");
        Model model = new Model();
        String[] names = {"load", "convert", "load", "load"};
        try (RunWriter writer = RunWriter.create(db, "many", FLOW)) {
            for (long id = 1; id <= 2_345; id++) {
                long at = EPOCH + id * 1_000;
                String name = id < 1_200 ? "convert" : names[(int) (id % names.length)];
                TryRow tried = new TryRow(id, 1, "paraflow-threads-" + id % 2, at + 100, at + 200, "finished");
                TaskRow task = new TaskRow(id, name, "threads", 1, 0, 0, "finished", 1, at, id % 500 == 0 ? 0 : at + 50,
                        at + 200, id > 1 ? List.of(id - 1) : List.of());
                writer.attempt(tried);
                writer.task(task);
                model.attempt(tried);
                model.task(task);
                if (id % 1_000 == 0) {
                    writer.flush();
                }
            }
            writer.finish(EPOCH + 10_000_000, "succeeded", 2_345, 2_345, 0, 0);
        }
        assertThat(readTables(db)).isEqualTo(expectedTables(model));
    }

    private static TaskRow task(Random random, long id, int attempts, String state) {
        String name = random.nextInt(10) == 0 ? "task-" + random.nextInt(3) : "convert";
        String executor = random.nextInt(20) == 0 ? "processes" : "threads";
        int dependencyCount = random.nextInt(10) == 0 ? random.nextInt(5) : 0;
        List<Long> dependencies = LongStream.range(0, dependencyCount).map(i -> 1 + random.nextInt(700)).distinct()
                .boxed().toList();
        long submitted = EPOCH + random.nextInt(1_000_000);
        return new TaskRow(id, name, executor, 1 + random.nextInt(2), random.nextInt(20) == 0 ? 1 : 0,
                random.nextInt(20) == 0 ? 1L << 30 : 0, state, attempts, submitted,
                random.nextInt(5) == 0 ? 0 : submitted + 10, "running".equals(state) || random.nextInt(10) == 0 ? 0
                : submitted + 20, dependencies);
    }

    /**
     * A row of a task before its end (waiting or running): what the monitor writes for one task then is the
     * same but for the state, the attempt and the ready time, whichever row comes first.
     */
    private static TaskRow beforeEnd(Random random, long id, int attempts, String state) {
        long submitted = EPOCH + id * 100;
        return new TaskRow(id, "convert", "threads", 1, 0, 0, state, attempts, submitted,
                random.nextBoolean() ? 0 : submitted + 10 + random.nextInt(50), 0, id % 5 == 0 ? List.of(id + 1) : List.of());
    }

    private static TryRow attempt(Random random, long id, int attempt, String outcome) {
        long started = EPOCH + random.nextInt(1_000_000);
        return new TryRow(id, attempt, "paraflow-threads-" + random.nextInt(2), started,
                "running".equals(outcome) || random.nextInt(10) == 0 ? 0 : started + 5, outcome);
    }

    private static FailureRow failure(Random random, long id, int attempt) {
        boolean full = random.nextBoolean();
        return new FailureRow(id, attempt, random.nextBoolean() ? "failed" : "retried", "java.io.IOException",
                full ? "input " + id + " is corrupt" : null, full ? null : (long) random.nextInt(700),
                full ? "java.io.IOException: input\n\tat x.y(Z.java:1)" : null, full ? "stderr" : null,
                full ? null : "stdout");
    }

    private static Model copy(Model model) {
        Model copy = new Model();
        copy.tasks.putAll(model.tasks);
        copy.tries.putAll(model.tries);
        copy.failures.putAll(model.failures);
        copy.dependencies.addAll(model.dependencies);
        return copy;
    }

    /** The four tables, row by row in key order, each value as text ("null" for NULL). */
    private static Map<String, List<List<String>>> readTables(Path db) throws Exception {
        Map<String, List<List<String>>> tables = new LinkedHashMap<>();
        try (Connection c = open(db)) {
            tables.put("tasks", text(rows(c, "SELECT task_id, name, executor, cores, gpus, memory_bytes, state, attempts,"
                    + " submitted_ns, ready_ns, ended_ns FROM tasks ORDER BY task_id")));
            tables.put("tries", text(rows(c, "SELECT task_id, attempt, worker, started_ns, ended_ns, outcome FROM tries"
                    + " ORDER BY task_id, attempt")));
            tables.put("failures", text(rows(c, "SELECT task_id, attempt, outcome, type, message, root_task_id,"
                    + " stack_trace, stderr_tail, stdout_tail FROM failures ORDER BY task_id, attempt")));
            tables.put("dependencies", text(rows(c, "SELECT task_id, depends_on FROM dependencies ORDER BY 1, 2")));
        }
        return tables;
    }

    private static Map<String, List<List<String>>> expectedTables(Model model) {
        Map<String, List<List<String>>> tables = new LinkedHashMap<>();
        tables.put("tasks", text(model.tasks.values().stream().map(t -> List.<Object>of(t.taskId(), t.name(),
                t.executor(), t.cores(), t.gpus(), t.memoryBytes(), t.state(), t.attempts(), t.submittedNs(),
                time(t.readyNs()), time(t.endedNs()))).toList()));
        tables.put("tries", text(model.tries.values().stream().map(r -> listOf(r.taskId(), r.attempt(), r.worker(),
                r.startedNs(), time(r.endedNs()), r.outcome())).toList()));
        tables.put("failures", text(model.failures.values().stream().map(f -> listOf(f.taskId(), f.attempt(),
                f.outcome(), f.type(), f.message(), f.rootTaskId(), f.stackTrace(), f.stderrTail(), f.stdoutTail()))
                .toList()));
        tables.put("dependencies", text(new ArrayList<>(model.dependencies.stream().map(d -> List.<Object>copyOf(d))
                .toList())));
        return tables;
    }

    /** A list that may hold nulls, unlike {@link List#of}. */
    private static List<Object> listOf(Object... values) {
        return java.util.Arrays.asList(values);
    }

    private static Object time(long epochNanos) {
        return epochNanos == 0 ? "null" : epochNanos;
    }

    private static List<List<String>> text(List<List<Object>> rows) {
        return rows.stream().map(row -> row.stream().map(String::valueOf).toList()).toList();
    }
}
