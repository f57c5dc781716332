package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class FarmTest {

    private static final int ITEMS = 20_000;

    private static List<Long> sorted(List<Long> values) {
        List<Long> copy = new ArrayList<>(values);
        copy.sort(null);
        return copy;
    }

    private static List<Long> range(long count, long factor) {
        return LongStream.range(0, count).map(i -> i * factor).boxed().collect(Collectors.toList());
    }

    @Test
    void roundRobinGivesEachWorkerItsTurn() {
        Map<Long, Integer> workerOf = new ConcurrentHashMap<>();
        List<Long> result = Pattern.from(Source.range(0, 300))
                .then(Farm.of(3, () -> (Long i, Output<Long> out) -> {
                    workerOf.put(i, out.worker());
                    out.emit(i * 2);
                }))
                .collect(Collectors.toList())
                .run();
        assertThat(sorted(result)).containsExactlyElementsOf(range(300, 2));
        for (long i = 0; i < 300; i++) {
            assertThat(workerOf.get(i)).as("worker of item %d", i).isEqualTo((int) (i % 3));
        }
    }

    @Test
    void collectorReceivesFromEveryWorkerAndKnowsWhichOne() {
        Map<Integer, AtomicInteger> perInput = new ConcurrentHashMap<>();
        List<String> ends = new ArrayList<>();
        long total = Pattern.from(Source.range(0, ITEMS))
                .then(Farm.of(4, () -> Stage.<Long, Long>map(i -> i + 1)).collector(new Stage<Long, Long>() {
                    private long sum;

                    @Override
                    public void process(Long item, Output<Long> out) {
                        perInput.computeIfAbsent(out.input(), k -> new AtomicInteger()).incrementAndGet();
                        sum += item;
                    }

                    @Override
                    public void inputEnded(int input, Output<Long> out) {
                        ends.add("input " + input);
                    }

                    @Override
                    public void end(Output<Long> out) {
                        out.emit(sum);
                    }
                }))
                .collect(Collectors.summingLong(i -> i))
                .run();
        assertThat(total).isEqualTo((long) ITEMS * (ITEMS + 1) / 2);
        assertThat(perInput).containsOnlyKeys(0, 1, 2, 3);
        assertThat(perInput.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(ITEMS / 4));
        assertThat(ends).containsExactlyInAnyOrder("input 0", "input 1", "input 2", "input 3");
    }

    @Test
    void onDemandSendsWorkToTheWorkerThatIsFree() {
        // Worker 0 blocks on its first item until every other item went through worker 1: with a queue of
        // one item each, worker 0 can hold at most two items, so worker 1 must take all the others.
        CountDownLatch othersDone = new CountDownLatch(1);
        AtomicInteger byWorker1 = new AtomicInteger();
        int items = 200;
        long count = Pattern.from(Source.range(0, items))
                .then(Farm.of(2, () -> (Long i, Output<Long> out) -> {
                    if (out.worker() == 0) {
                        othersDone.await(30, TimeUnit.SECONDS);
                    } else if (byWorker1.incrementAndGet() == items - 2) {
                        othersDone.countDown();
                    }
                    out.emit(i);
                }).onDemand(1))
                .collect(Collectors.counting())
                .run();
        assertThat(count).isEqualTo(items);
        assertThat(byWorker1.get()).isGreaterThanOrEqualTo(items - 2);
        assertThat(othersDone.getCount()).isZero();
    }

    @Test
    void customRouterChoosesTheWorker() {
        Map<Long, Integer> workerOf = new ConcurrentHashMap<>();
        Pattern.from(Source.range(0, 100))
                .then(Farm.of(3, () -> (Long i, Output<Long> out) -> workerOf.put(i, out.worker()))
                        .routeBy((Long i, int n) -> i < 50 ? 0 : 2))
                .forEach(i -> { })
                .run();
        assertThat(workerOf).hasSize(100);
        workerOf.forEach((item, worker) -> assertThat(worker).isEqualTo(item < 50 ? 0 : 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "on-demand"})
    void orderedFarmKeepsInputOrderUnderRandomDelays(String routing) {
        // Each input gives 0, 1 or 2 results after a random delay; the results must come out in input order.
        Farm<Long, String> farm = Farm.of(3, () -> new Stage<Long, String>() {
            private final SplittableRandom random = new SplittableRandom();

            @Override
            public void process(Long i, Output<String> out) {
                if (random.nextInt(8) == 0) {
                    LockSupport.parkNanos(random.nextInt(200_000));
                }
                for (int k = 0; k < i % 3; k++) {
                    out.emit(i + "." + k);
                }
            }
        });
        farm = routing.equals("on-demand") ? farm.onDemand(1).ordered() : farm.ordered();
        List<String> result = Pattern.from(Source.range(0, 5_000)).then(farm).collect(Collectors.toList())
                .capacity(4).run();
        List<String> expected = new ArrayList<>();
        for (long i = 0; i < 5_000; i++) {
            for (int k = 0; k < i % 3; k++) {
                expected.add(i + "." + k);
            }
        }
        assertThat(result).containsExactlyElementsOf(expected);
    }

    @Test
    void orderedFarmWithCollectorFeedsTheCollectorInOrder() {
        List<Long> result = Pattern.from(Source.range(0, ITEMS))
                .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i * 3)).onDemand().ordered()
                        .collector(Stage.<Long, Long>map(i -> i + 1)))
                .collect(Collectors.toList())
                .run();
        assertThat(result).containsExactlyElementsOf(LongStream.range(0, ITEMS).map(i -> i * 3 + 1).boxed()
                .collect(Collectors.toList()));
    }

    @Test
    void farmOfPipelinesAndPipelineOfFarms() {
        Farm<Long, Long> farmOfPipelines = Farm.ofBlocks(2, w -> Pipeline.of(Stage.<Long, Long>map(i -> i + 1))
                .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i * 2))));
        List<Long> result = Pattern.from(Source.range(0, 1_000))
                .then(farmOfPipelines)
                .then(Farm.of(3, () -> Stage.<Long, Long>map(i -> i - 2)).collector(Stage.<Long, Long>map(i -> i)))
                .collect(Collectors.toList())
                .run();
        assertThat(sorted(result)).containsExactlyElementsOf(range(1_000, 2));
    }

    @Test
    void workersOfNestedFarmsKnowTheirInnermostIndex() {
        Map<String, Integer> seen = new ConcurrentHashMap<>();
        Pattern.from(Source.range(0, 100))
                .then(Farm.ofBlocks(2, w -> Farm.of(3, () -> (Long i, Output<Long> out) -> seen.put(out.name(), out.worker()))))
                .forEach(i -> { })
                .run();
        assertThat(seen).hasSize(6);
        assertThat(seen).containsEntry("farm worker 2 of farm worker 1 of stage 2", 2);
    }

    @Test
    void orderedFarmAfterAFarmWithoutCollectorIsRefusedWithTheReasonWhenBuilt() {
        Pattern.Builder<Long> builder = Pattern.from(Source.range(0, 10))
                .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i)))
                .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i)).ordered());
        assertThatThrownBy(() -> builder.collect(Collectors.counting())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stage 3 is an ordered farm, so exactly one node must feed it (it numbers the items),"
                        + " but stage 2 ends in 2 nodes; give stage 2 a collector");
    }

    @Test
    void orderedFarmOfPipelinesIsRefusedWithTheReasonWhenBuilt() {
        Pattern.Builder<Long> builder = Pattern.from(Source.range(0, 10))
                .then(Farm.ofBlocks(2, w -> Pipeline.of(Stage.<Long, Long>map(i -> i)).map(i -> i)).ordered());
        assertThatThrownBy(() -> builder.forEach(i -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("farm worker 0 of stage 2 is made of 2 nodes, but an ordered farm needs each"
                        + " worker to be a single stage");
    }

    @Test
    void orderedFarmRefusesRoutersAndExplicitRouting() {
        assertThatThrownBy(() -> Farm.of(2, () -> Stage.<Long, Long>map(i -> i)).routeBy((i, n) -> 0).ordered())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("round-robin or on demand");
        assertThatThrownBy(() -> Pattern.from((Output<Long> out) -> out.emitTo(0, 1L))
                .then(Farm.of(2, () -> Stage.<Long, Long>map(i -> i)).ordered())
                .forEach(i -> { }).run())
                .isInstanceOf(PatternException.class)
                .hasMessageContaining("emitTo is not available in front of or inside an ordered farm");
    }

    @Test
    void anOrderedWorkerEmittingInAHookFailsClearly() {
        assertThatThrownBy(() -> Pattern.from(Source.range(0, 10))
                .then(Farm.of(2, () -> new Stage<Long, Long>() {
                    @Override
                    public void process(Long item, Output<Long> out) {
                        out.emit(item);
                    }

                    @Override
                    public void end(Output<Long> out) {
                        out.emit(-1L);
                    }
                }).ordered())
                .forEach(i -> { }).run())
                .isInstanceOf(PatternException.class)
                .hasMessageContaining("farm worker ")
                .hasMessageContaining("may emit only while it processes an item, not in its start or end hook");
    }

    @Test
    void invalidSizesAreRefused() {
        assertThatThrownBy(() -> Farm.of(0, () -> Stage.<Long, Long>map(i -> i)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a farm needs at least one worker, got 0");
        assertThatThrownBy(() -> Farm.of(2, () -> Stage.<Long, Long>map(i -> i)).onDemand(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("on-demand queue capacity must be at least 1, got 0");
        assertThatThrownBy(() -> Pattern.from(Source.range(0, 1)).forEach(i -> { }).capacity(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channel capacity must be between 1");
    }

    @Test
    void aBlockInstanceMayBeEveryWorkerOfAFarm() {
        Block<Long, Long> once = Block.of(Stage.map(i -> i));
        Farm<Long, Long> reused = Farm.ofBlocks(2, w -> once);
        assertThat(Pattern.from(Source.range(0, 10)).then(reused).collect(Collectors.counting()).run()).isEqualTo(10);
    }
}
