package io.paraflow;

import io.paraflow.exec.ReadyTask;
import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.paraflow.Sync.GUARD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Point 1: a task starts only after all its argument tasks finished, and receives their results. */
@ExtendWith(NoLeakedThreads.class)
class DependencyTest {

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2, 4})
    void taskStartsOnlyAfterEveryArgumentFinishedAndReceivesTheirResults(int threads) {
        assertTimeoutPreemptively(GUARD, () -> {
            try (Flow flow = Flow.builder().threads(threads).build()) {
                Queue<String> log = new ConcurrentLinkedQueue<>();
                CountDownLatch[] gates = {new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1),
                        new CountDownLatch(1)};
                List<Task<String>> args = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int index = i;
                    String value = "v" + i;
                    args.add(flow.submit(() -> {
                        Sync.block(gates[index]);
                        log.add("end " + value);
                        return value;
                    }));
                }
                Task<String> joined = flow.submit((a, b, c, d) -> {
                    log.add("start joined");
                    return a + b + c + d;
                }, args.get(0), args.get(1), args.get(2), args.get(3));

                // release the arguments one at a time (in submission order, so that one thread suffices)
                // and wait for each to finish; the last one is still running when we look
                for (int i = 0; i < 3; i++) {
                    gates[i].countDown();
                    args.get(i).join();
                    assertThat(joined.isDone()).as("done while argument 3 still runs").isFalse();
                }
                gates[3].countDown();

                // an early start would have seen null (unfinished) arguments
                assertThat(joined.get()).isEqualTo("v0v1v2v3");
                List<String> order = new ArrayList<>(log);
                assertThat(order).last().isEqualTo("start joined");
                assertThat(order).containsExactlyInAnyOrder("end v0", "end v1", "end v2", "end v3", "start joined");
            }
        });
    }

    @Test
    void resultsArePassedInForEveryArity() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Integer> a = flow.submit(() -> 1);
            Task<Integer> b = flow.submit(x -> x + 1, a);
            Task<Integer> c = flow.submit((x, y) -> x * 10 + y, a, b);
            Task<Integer> d = flow.submit((x, y, z) -> x * 100 + y * 10 + z, a, b, c);
            // argument order matters: the function is not symmetric
            Task<String> e = flow.submit((w, x, y, z) -> w + "," + x + "," + y + "," + z, a, b, c, d);

            assertThat(a.get()).isEqualTo(1);
            assertThat(b.get()).isEqualTo(2);
            assertThat(c.get()).isEqualTo(12);
            assertThat(d.get()).isEqualTo(132);
            assertThat(e.get()).isEqualTo("1,2,12,132");
        }
    }

    @Test
    void plainValuesBecomeArgumentsThroughFlowValue() throws Exception {
        try (Flow flow = Flow.builder().threads(1).build()) {
            Task<String> given = flow.value("forty-");
            assertThat(given.isDone()).isTrue();
            assertThat(given.get()).isEqualTo("forty-");

            assertThat(flow.submit((s, n) -> s + n, given, flow.value(2)).get()).isEqualTo("forty-2");
            // null is a legitimate value, distinct from a missing argument
            assertThat(flow.submit(x -> x == null ? "got null" : "got " + x, flow.<String>value(null)).get())
                    .isEqualTo("got null");
        }
    }

    @Test
    void aSharedArgumentRunsOnceForAllItsDependents() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            AtomicInteger runs = new AtomicInteger();
            Task<Integer> source = flow.submit(() -> {
                runs.incrementAndGet();
                return 5;
            });
            Task<Integer> left = flow.submit(x -> x + 1, source);
            Task<Integer> right = flow.submit(x -> x * 2, source);
            Task<Integer> diamond = flow.submit((l, r) -> l * 100 + r, left, right);

            assertThat(diamond.get()).isEqualTo(610);
            assertThat(runs).hasValue(1);
        }
    }

    @Test
    void mapAppliesTheFunctionToEveryInputAndKeepsInputOrder() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            List<Integer> inputs = IntStream.range(0, 50).boxed().collect(Collectors.toList());
            Collections.shuffle(inputs, new java.util.Random(7));

            List<Task<String>> tasks = flow.map(x -> "#" + x, inputs);

            assertThat(tasks).hasSameSizeAs(inputs);
            List<String> results = new ArrayList<>();
            for (Task<String> t : tasks) {
                results.add(t.get());
            }
            assertThat(results).isEqualTo(inputs.stream().map(x -> "#" + x).collect(Collectors.toList()));
            assertThat(flow.map(x -> x, List.of())).isEmpty();
        }
    }

    @Test
    void allCompletesWithEveryResultInOrderOnceAllFinished() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            CountDownLatch slowGate = new CountDownLatch(1);
            Task<String> slow = flow.submit(() -> {
                Sync.block(slowGate);
                return "slow";
            });
            Task<String> fast = flow.submit(() -> "fast");
            Task<List<String>> both = flow.all(List.of(slow, fast, flow.value("given")));

            fast.join();
            assertThat(both.isDone()).isFalse();
            slowGate.countDown();

            assertThat(both.get()).containsExactly("slow", "fast", "given");
            assertThat(flow.<String>all(List.of()).get()).isEmpty();
        }
    }

    @Test
    void allFailsWhenOneOfItsTasksFails() {
        try (Flow flow = Flow.builder().threads(2).build()) {
            Task<Integer> ok = flow.submit(() -> 1);
            Task<Integer> bad = flow.task("bad").submit(() -> {
                throw new IllegalStateException("no");
            });
            Task<List<Integer>> both = flow.all(List.of(ok, bad));

            assertThatThrownBy(both::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(DependencyFailedException.class)
                    .satisfies(e -> assertThat(((DependencyFailedException) e).failedTaskName()).isEqualTo("bad"));
        }
    }

    @ParameterizedTest(name = "{0} element(s)")
    @ValueSource(ints = {1, 2, 3, 5, 7, 8, 13, 64})
    void reduceCombinesNeighboursInOrder(int size) throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            List<Task<String>> parts = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                int n = i;
                parts.add(flow.submit(() -> "<" + n + ">"));
            }
            // string concatenation is associative but not commutative: any reordering shows up
            Task<String> all = flow.reduce((x, y) -> x + y, parts);

            String expected = IntStream.range(0, size).mapToObj(n -> "<" + n + ">").collect(Collectors.joining());
            assertThat(all.get()).isEqualTo(expected);
        }
    }

    @Test
    void reduceSumsNumbersFromValuesAndTasks() throws Exception {
        try (Flow flow = Flow.builder().threads(2).build()) {
            List<Task<Long>> parts = new ArrayList<>();
            for (long i = 1; i <= 101; i++) {
                parts.add(i % 2 == 0 ? flow.value(i) : flow.submit(x -> x, flow.value(i)));
            }
            assertThat(flow.reduce(Long::sum, parts).get()).isEqualTo(101L * 102 / 2);
        }
    }

    @Test
    void reduceOfAnEmptyListIsRejected() {
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThatThrownBy(() -> flow.reduce(Integer::sum, List.of()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(flow.unfinished()).isZero();
        }
    }

    static String describe(Object input) {
        return input instanceof String[] array ? Arrays.toString(array) : String.valueOf(input);
    }

    @Test
    void mapShipsEachInputAsOneArgumentEvenAnArrayOrNull() {
        // review finding: invocation() of a map task took an array input for the argument list, and a
        // null input for no arguments
        assertTimeoutPreemptively(GUARD, () -> {
            HandOffExecutor remote = new HandOffExecutor("remote");
            try (Flow flow = Flow.builder().threads(1).executor(remote).build()) {
                List<Object> inputs = Arrays.asList(new String[] {"a", "b"}, new String[] {"only"}, null);
                List<Task<String>> tasks = flow.task("describe").on("remote").map(DependencyTest::describe, inputs);
                try {
                    for (int i = 0; i < inputs.size(); i++) {
                        ReadyTask shipped = remote.take();
                        int index = IntStream.range(0, tasks.size()).filter(k -> tasks.get(k).id() == shipped.id())
                                .findFirst().orElseThrow();
                        assertThat(shipped.invocation().arguments()).as("arguments shipped for input %d", index)
                                .containsExactly(inputs.get(index));
                        // run it here, as an executor that runs tasks in-process would
                        shipped.run();
                    }
                } finally {
                    // tasks left with the executor after a failed assertion would keep close() waiting
                    tasks.forEach(t -> t.cancel(true));
                }
                assertThat(tasks.get(0).get()).isEqualTo("[a, b]");
                assertThat(tasks.get(1).get()).isEqualTo("[only]");
                assertThat(tasks.get(2).get()).isEqualTo("null");
            }
        });
    }
}
