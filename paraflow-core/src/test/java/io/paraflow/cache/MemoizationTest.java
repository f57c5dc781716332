package io.paraflow.cache;

import io.paraflow.DependencyFailedException;
import io.paraflow.Flow;
import io.paraflow.FlowBuilder;
import io.paraflow.ParaflowException;
import io.paraflow.Task;
import io.paraflow.TaskFailedException;
import io.paraflow.cache.internal.CheckpointStore;
import io.paraflow.event.TaskEvent;
import io.paraflow.event.TaskListener;
import org.example.science.Fit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Memoized tasks within a run and across runs through a checkpoint store. */
class MemoizationTest {

    /** How often each task name's function ran, across the flows of one test. */
    private static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @TempDir
    Path store;

    @BeforeEach
    void resetCounts() {
        RUNS.clear();
    }

    private static int ran(String name) {
        AtomicInteger count = RUNS.get(name);
        return count == null ? 0 : count.get();
    }

    private static void count(String name) {
        RUNS.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
    }

    private static int square(int x) {
        count("square");
        return x * x;
    }

    private static int plus(int a, int b) {
        count("plus");
        return a + b;
    }

    private Flow storeFlow(boolean resume) {
        return Flow.builder().threads(2).checkpoints(store).resume(resume).flushPolicy(FlushPolicy.everyTask()).build();
    }

    /** The pipeline of the cross-run tests: 20 squares, then a sum of neighbours, then a total. */
    private static int pipeline(Flow flow, String squareVersion) throws Exception {
        List<Task<Integer>> squares = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            squares.add(flow.task("square").cache(squareVersion).submit(MemoizationTest::square, flow.value(i)));
        }
        List<Task<Integer>> sums = new ArrayList<>();
        for (int i = 0; i + 1 < squares.size(); i++) {
            sums.add(flow.task("plus").cache().submit(MemoizationTest::plus, squares.get(i), squares.get(i + 1)));
        }
        return flow.all(sums).get().stream().mapToInt(Integer::intValue).sum();
    }

    private static final int EXPECTED = IntStream.range(0, 19).map(i -> i * i + (i + 1) * (i + 1)).sum();

    @Test
    void equalTasksInOneRunRunOnce() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Integer> first = flow.task("square").cache().submit(MemoizationTest::square, flow.value(7));
            assertThat(first.get()).isEqualTo(49);
            Task<Integer> again = flow.task("square").cache().submit(MemoizationTest::square, flow.value(7));
            Task<Integer> other = flow.task("square").cache().submit(MemoizationTest::square, flow.value(8));
            Task<Integer> newVersion = flow.task("square").cache("v2").submit(MemoizationTest::square, flow.value(7));
            Task<Integer> uncached = flow.task("square").submit(MemoizationTest::square, flow.value(7));
            assertThat(List.of(again.get(), other.get(), newVersion.get(), uncached.get())).containsExactly(49, 64, 49, 49);
            assertThat(ran("square")).isEqualTo(4);
        }
    }

    @Test
    void aResumedRunSkipsEveryFinishedTaskAndGivesTheSameResult() throws Exception {
        try (Flow flow = storeFlow(false)) {
            assertThat(pipeline(flow, "")).isEqualTo(EXPECTED);
        }
        assertThat(ran("square")).isEqualTo(20);
        assertThat(ran("plus")).isEqualTo(19);
        try (Flow flow = storeFlow(true)) {
            assertThat(pipeline(flow, "")).isEqualTo(EXPECTED);
        }
        assertThat(ran("square")).isEqualTo(20);
        assertThat(ran("plus")).isEqualTo(19);
    }

    @Test
    void withoutResumeARunStartsAfresh() throws Exception {
        try (Flow flow = storeFlow(false)) {
            pipeline(flow, "");
        }
        try (Flow flow = storeFlow(false)) {
            assertThat(pipeline(flow, "")).isEqualTo(EXPECTED);
        }
        assertThat(ran("square")).isEqualTo(40);
    }

    @Test
    void aChangedVersionReRunsTheTaskAndEverythingDownstream() throws Exception {
        try (Flow flow = storeFlow(false)) {
            pipeline(flow, "v1");
        }
        try (Flow flow = storeFlow(true)) {
            assertThat(pipeline(flow, "v2")).isEqualTo(EXPECTED);
        }
        assertThat(ran("square")).isEqualTo(40);
        assertThat(ran("plus")).as("downstream of a changed task, although its values are the same").isEqualTo(38);
    }

    @Test
    void changedArgumentsReRunOnlyWhatTheyReach() throws Exception {
        try (Flow flow = storeFlow(false)) {
            Task<Integer> a = flow.task("square").cache().submit(MemoizationTest::square, flow.value(2));
            Task<Integer> b = flow.task("square").cache().submit(MemoizationTest::square, flow.value(3));
            assertThat(flow.task("plus").cache().submit(MemoizationTest::plus, a, b).get()).isEqualTo(13);
        }
        try (Flow flow = storeFlow(true)) {
            Task<Integer> a = flow.task("square").cache().submit(MemoizationTest::square, flow.value(2));
            Task<Integer> b = flow.task("square").cache().submit(MemoizationTest::square, flow.value(4));
            assertThat(flow.task("plus").cache().submit(MemoizationTest::plus, a, b).get()).isEqualTo(20);
        }
        assertThat(ran("square")).isEqualTo(3);
        assertThat(ran("plus")).isEqualTo(2);
    }

    @Test
    void mapInputsAndUncachedUpstreamValuesAreFingerprintedByContent() throws Exception {
        for (int run = 0; run < 2; run++) {
            try (Flow flow = storeFlow(run == 1)) {
                List<Task<Integer>> squares = flow.task("square").cache().map(MemoizationTest::square, List.of(1, 2, 3));
                Task<Integer> raw = flow.task("raw").submit(x -> x + 1, flow.value(4));
                Task<Integer> sum = flow.task("plus").cache().submit(MemoizationTest::plus, squares.get(2), raw);
                assertThat(sum.get()).isEqualTo(14);
            }
        }
        assertThat(ran("square")).isEqualTo(3);
        assertThat(ran("plus")).isEqualTo(1);
    }

    @Test
    void aReusedTaskShowsTheCacheAsItsWorker() throws Exception {
        List<TaskEvent> events = Collections.synchronizedList(new ArrayList<>());
        try (Flow flow = Flow.builder().threads(2).listener(TaskListener.ofEvents(events::add)).build()) {
            flow.task("square").cache().submit(MemoizationTest::square, flow.value(5)).get();
            Task<Integer> reused = flow.task("square").cache().submit(MemoizationTest::square, flow.value(5));
            assertThat(reused.get()).isEqualTo(25);
            flow.awaitAll();
            List<String> life = events.stream().filter(e -> e.taskId() == reused.id())
                    .map(e -> e.kind() + (e.worker() == null ? "" : "@" + e.worker())).toList();
            assertThat(life).containsExactly("SUBMITTED", "READY", "STARTED@cache", "FINISHED@cache");
        }
    }

    @Test
    void failuresAreNotReusedUnlessAskedFor() throws Exception {
        Function<Flow, Task<Integer>> failing = flow -> flow.task("fails").cache().submit(x -> {
            count("fails");
            throw new IllegalStateException("bad input " + x);
        }, flow.value(1));
        try (Flow flow = storeFlow(false)) {
            assertThatThrownBy(() -> failing.apply(flow).get()).hasCauseInstanceOf(TaskFailedException.class);
        }
        try (Flow flow = storeFlow(true)) {
            assertThatThrownBy(() -> failing.apply(flow).get()).hasCauseInstanceOf(TaskFailedException.class);
        }
        assertThat(ran("fails")).isEqualTo(2);

        Function<Flow, Task<Integer>> remembered = flow -> flow.task("fails").cacheFailures().submit(x -> {
            count("fails");
            throw new IllegalStateException("bad input " + x);
        }, flow.value(1));
        try (Flow flow = storeFlow(false)) {
            assertThatThrownBy(() -> remembered.apply(flow).get()).hasCauseInstanceOf(TaskFailedException.class);
        }
        try (Flow flow = storeFlow(true)) {
            Task<Integer> reused = remembered.apply(flow);
            Task<Integer> dependent = flow.submit(x -> x + 1, reused);
            assertThatThrownBy(reused::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(TaskFailedException.class)
                    .cause().isInstanceOf(IllegalStateException.class).hasMessage("bad input 1");
            assertThatThrownBy(dependent::get).cause().isInstanceOf(DependencyFailedException.class);
        }
        assertThat(ran("fails")).isEqualTo(3);
    }

    @Test
    void anArgumentThatCannotBeFingerprintedNeverCausesAReuse() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Object> opaque = flow.value(new Object());
            Task<Object> opaque2 = flow.value(new Object());
            Fn1Counter counter = new Fn1Counter();
            assertThat(flow.task("opaque").cache().submit(counter::apply, opaque).get()).isEqualTo(1);
            assertThat(flow.task("opaque").cache().submit(counter::apply, opaque2).get()).isEqualTo(2);
            assertThat(flow.task("opaque").cache().submit(counter::apply, opaque).get()).isEqualTo(3);
        }
    }

    @Test
    void aRegisteredFingerprinterMakesAUserTypeCacheable() throws Exception {
        try (Flow flow = Flow.builder().threads(2).fingerprinter(Sample.class, s -> s.id).build()) {
            Fn1Counter counter = new Fn1Counter();
            assertThat(flow.task("sample").cache().submit(counter::apply, flow.value(new Sample("a"))).get()).isEqualTo(1);
            assertThat(flow.task("sample").cache().submit(counter::apply, flow.value(new Sample("a"))).get()).isEqualTo(1);
            assertThat(flow.task("sample").cache().submit(counter::apply, flow.value(new Sample("b"))).get()).isEqualTo(2);
        }
    }

    @Test
    void aResultThatCannotBeStoredIsRecomputedOnResume() throws Exception {
        for (int run = 0; run < 2; run++) {
            try (Flow flow = storeFlow(run == 1)) {
                Task<Object> result = flow.task("opaque-result").cache().submit(x -> {
                    count("opaque-result");
                    return new Object();
                }, flow.value(1));
                assertThat(result.get()).isNotNull();
            }
        }
        assertThat(ran("opaque-result")).isEqualTo(2);
    }

    private Fit fitRun(boolean resume, String... allowed) throws Exception {
        try (Flow flow = Flow.builder().threads(2).checkpoints(store).resume(resume)
                .flushPolicy(FlushPolicy.everyTask()).allowInCheckpoints(allowed).build()) {
            return flow.task("fit").cache().submit(x -> {
                count("fit");
                return new Fit("linear", x / 10.0);
            }, flow.value(3)).get();
        }
    }

    @Test
    void resultsOfUserClassesAreReadBackOnlyWhenAllowed() throws Exception {
        Fit first = fitRun(false);
        assertThat(fitRun(true)).isEqualTo(first);
        assertThat(ran("fit")).as("not on the allow-list: never deserialized, so it runs again").isEqualTo(2);
        assertThat(fitRun(true, Fit.class.getName())).isEqualTo(first);
        assertThat(fitRun(true, "org.example.**")).isEqualTo(first);
        assertThat(ran("fit")).isEqualTo(2);
        assertThatThrownBy(() -> Flow.builder().allowInCheckpoints("**"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("would allow every class");
    }

    @Test
    void aTornTailLosesOnlyTheTasksInIt() throws Exception {
        try (Flow flow = storeFlow(false)) {
            pipeline(flow, "");
        }
        Path log = store.resolve(CheckpointStore.LOG);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(Files.size(log) - 5);
        }
        try (Flow flow = storeFlow(true)) {
            assertThat(pipeline(flow, "")).isEqualTo(EXPECTED);
        }
        assertThat(ran("square") + ran("plus")).isEqualTo(39 + 1);
    }

    @Test
    void misconfigurationIsRefusedAtBuild() throws Exception {
        FlowBuilder noStore = Flow.builder().resume(true);
        assertThatThrownBy(noStore::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resume(true) needs a checkpoint store");
        assertThatThrownBy(() -> Flow.builder().flushPolicy(FlushPolicy.atClose()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkpoints(directory)");
        try (Flow first = storeFlow(false)) {
            assertThatThrownBy(() -> storeFlow(true)).isInstanceOf(ParaflowException.class)
                    .hasMessageContaining("in use by another run");
        }
        Path notADirectory = Files.writeString(store.resolve("file"), "x");
        assertThatThrownBy(() -> Flow.builder().checkpoints(notADirectory).build())
                .isInstanceOf(ParaflowException.class).hasMessageContaining("cannot open the checkpoint store");
    }

    /** Counts its calls; not fingerprintable itself, which does not matter (functions are not part of keys). */
    static final class Fn1Counter {
        private final AtomicInteger calls = new AtomicInteger();

        int apply(Object ignored) {
            return calls.incrementAndGet();
        }
    }

    static final class Sample {
        final String id;

        Sample(String id) {
            this.id = id;
        }
    }
}
