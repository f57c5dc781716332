package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class AllToAllTest {

    /** A right node that counts items per key and emits its counts at the end, tagged with its index. */
    private static final class CountPerKey implements Stage<Long, Map.Entry<Long, String>> {
        private final Map<Long, Long> counts = new HashMap<>();

        @Override
        public void process(Long key, Output<Map.Entry<Long, String>> out) {
            counts.merge(key, 1L, Long::sum);
        }

        @Override
        public void end(Output<Map.Entry<Long, String>> out) {
            counts.forEach((key, count) -> out.emit(Map.entry(key, out.worker() + ":" + count)));
        }
    }

    @Test
    void byKeySendsEqualKeysToTheSameRightNode() {
        List<Map.Entry<Long, String>> result = Pattern.from(Source.range(0, 30_000))
                .then(AllToAll.of(3, () -> Stage.<Long, Long>map(i -> i % 97), 4, CountPerKey::new)
                        .byKey(key -> key))
                .collect(Collectors.toList())
                .run();
        // Every key appears once: all its items met at one right node, which counted all of them.
        assertThat(result).hasSize(97);
        assertThat(result.stream().map(Map.Entry::getKey).collect(Collectors.toSet())).hasSize(97);
        for (Map.Entry<Long, String> entry : result) {
            long expected = 30_000 / 97 + (entry.getKey() < 30_000 % 97 ? 1 : 0);
            assertThat(entry.getValue()).endsWith(":" + expected);
        }
        assertThat(result.stream().map(e -> e.getValue().split(":")[0]).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("0", "1", "2", "3");
    }

    @Test
    void rightNodeEndsAfterEveryLeftNodeEnded() {
        List<String> events = new CopyOnWriteArrayList<>();
        Pattern.from(Source.range(0, 1_000))
                .then(AllToAll.of(3, () -> Stage.<Long, Long>map(i -> i), 2, () -> new Stage<Long, Long>() {
                    private final Set<Integer> ended = new java.util.HashSet<>();
                    private long items;

                    @Override
                    public void process(Long item, Output<Long> out) {
                        assertThat(ended).doesNotContain(out.input());
                        items++;
                    }

                    @Override
                    public void inputEnded(int input, Output<Long> out) {
                        ended.add(input);
                    }

                    @Override
                    public void end(Output<Long> out) {
                        events.add(out.worker() + " ended after inputs " + ended.stream().sorted().collect(Collectors.toList())
                                + " with " + items);
                    }
                }))
                .forEach(i -> { })
                .run();
        // Left nodes get 334, 333, 333 items and each sends its own first item to right node 0.
        assertThat(events).containsExactlyInAnyOrder("0 ended after inputs [0, 1, 2] with 501",
                "1 ended after inputs [0, 1, 2] with 499");
    }

    @Test
    void broadcastReachesEveryRightNode() {
        Map<Integer, Long> sums = new ConcurrentHashMap<>();
        Pattern.from(Source.range(0, 1_000))
                .then(AllToAll.of(2, () -> Stage.<Long, Long>map(i -> i), 3, () -> new Stage<Long, Long>() {
                    private long sum;

                    @Override
                    public void process(Long item, Output<Long> out) {
                        sum += item;
                    }

                    @Override
                    public void end(Output<Long> out) {
                        sums.put(out.worker(), sum);
                    }
                }).broadcast())
                .forEach(i -> { })
                .run();
        assertThat(sums).containsOnlyKeys(0, 1, 2).allSatisfy((k, v) -> assertThat(v).isEqualTo(999L * 1000 / 2));
    }

    @Test
    void leftNodesMayRouteExplicitly() {
        Map<Long, Integer> rightOf = new ConcurrentHashMap<>();
        Pattern.from(Source.range(0, 600))
                .then(AllToAll.of(2, () -> (Long i, Output<Long> out) -> out.emitTo((int) (i % out.outputs()), i), 3,
                        () -> (Long i, Output<Long> out) -> rightOf.put(i, out.worker())).leftOnDemand(2))
                .forEach(i -> { })
                .run();
        assertThat(rightOf).hasSize(600);
        rightOf.forEach((item, right) -> assertThat(right).isEqualTo((int) (item % 3)));
    }

    @Test
    void roundRobinOnDemandAndCustomRoutingKeepEveryItem() {
        for (AllToAll<Long, Long, Long> a2a : List.of(
                AllToAll.of(2, () -> Stage.<Long, Long>map(i -> i), 3, () -> Stage.<Long, Long>map(i -> i)),
                AllToAll.of(2, () -> Stage.<Long, Long>map(i -> i), 3, () -> Stage.<Long, Long>map(i -> i)).onDemand(1),
                AllToAll.of(2, () -> Stage.<Long, Long>map(i -> i), 3, () -> Stage.<Long, Long>map(i -> i))
                        .routeBy((Long i, int n) -> (int) (i % n)))) {
            long sum = Pattern.from(Source.range(0, 10_000)).then(a2a).collect(Collectors.summingLong(i -> i))
                    .capacity(2).run();
            assertThat(sum).isEqualTo(9_999L * 10_000 / 2);
        }
    }

    @Test
    void aPipelineOfAllToAllsAndFarms() {
        long sum = Pattern.from(Source.range(0, 5_000))
                .then(AllToAll.of(2, () -> Stage.<Long, Long>map(i -> i + 1), 2, () -> Stage.<Long, Long>map(i -> i)).byKey(i -> i))
                .then(AllToAll.ofBlocks(2, i -> Farm.of(2, () -> Stage.<Long, Long>map(x -> x)), 3,
                        j -> Pipeline.of(Stage.<Long, Long>map(x -> x)).map(x -> x - 1)))
                .collect(Collectors.summingLong(i -> i))
                .run();
        assertThat(sum).isEqualTo(4_999L * 5_000 / 2);
    }
}
