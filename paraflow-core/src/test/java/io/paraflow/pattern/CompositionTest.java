package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Blocks inside blocks: an ordered farm anywhere, and inner farms and all-to-alls that keep their own
 * routing while the outer block's routing chooses among its members.
 */
@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class CompositionTest {

    private static final int ITEMS = 3_000;

    /** A worker that sometimes pauses, so that results finish out of order. */
    private static Supplier<Stage<Long, Long>> jittery() {
        return () -> new Stage<>() {
            private final SplittableRandom random = new SplittableRandom();

            @Override
            public void process(Long item, Output<Long> out) {
                if (random.nextInt(8) == 0) {
                    LockSupport.parkNanos(random.nextInt(100_000));
                }
                out.emit(item);
            }
        };
    }

    /** An ordered farm of jittery workers whose collector tags each result with the outer member's index. */
    private static Farm<Long, String> taggingOrderedFarm() {
        return Farm.of(3, jittery()).ordered().collector((Long item, Output<String> out) -> out.emit(out.worker() + ":" + item));
    }

    /** The items of each tag, in the order they arrived. */
    private static Map<String, List<Long>> byTag(List<String> tagged) {
        Map<String, List<Long>> byTag = new ConcurrentHashMap<>();
        for (String result : tagged) {
            String[] parts = result.split(":");
            byTag.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(Long.parseLong(parts[1]));
        }
        return byTag;
    }

    private static void assertIncreasing(List<Long> values) {
        for (int k = 1; k < values.size(); k++) {
            assertThat(values.get(k)).as("item %d of %s", k, values).isGreaterThan(values.get(k - 1));
        }
    }

    @Test
    void anOrderedFarmInsideAFarmKeepsTheOrderOfEachMembersItems() {
        List<String> result = Pattern.from(Source.range(0, ITEMS))
                .then(Farm.ofBlocks(2, w -> taggingOrderedFarm()))
                .collect(Collectors.toList())
                .capacity(8)
                .run();
        Map<String, List<Long>> byMember = byTag(result);
        assertThat(byMember).containsOnlyKeys("0", "1");
        for (int member = 0; member < 2; member++) {
            int m = member;
            // Round-robin: member m gets the items i with i % 2 == m, and gives them back in that order.
            assertThat(byMember.get(String.valueOf(m))).containsExactlyElementsOf(
                    LongStream.range(0, ITEMS).filter(i -> i % 2 == m).boxed().collect(Collectors.toList()));
        }
    }

    @Test
    void anOrderedFarmAsARightMemberOfAnAllToAllKeepsTheOrderOfEachLeftNode() {
        List<String> result = Pattern.from(Source.range(0, ITEMS))
                .then(AllToAll.ofBlocks(2, i -> Block.of(Stage.<Long, Long>map(x -> x)), 3, j -> taggingOrderedFarm())
                        .byKey(x -> x % 3))
                .collect(Collectors.toList())
                .capacity(8)
                .run();
        Map<String, List<Long>> byRight = byTag(result);
        assertThat(byRight).containsOnlyKeys("0", "1", "2");
        byRight.forEach((right, items) -> {
            assertThat(items).allSatisfy(x -> assertThat(x % 3).isEqualTo(Long.parseLong(right)));
            // Left node l received the items with x % 2 == l in order; each right node keeps each left node's order.
            for (long left = 0; left < 2; left++) {
                long l = left;
                assertIncreasing(items.stream().filter(x -> x % 2 == l).collect(Collectors.toList()));
            }
        });
        assertThat(result).hasSize(ITEMS);
    }

    @Test
    void aPipelineStartingWithAnOrderedFarmMayBeAFarmWorker() {
        List<String> result = Pattern.from(Source.range(0, ITEMS))
                .then(Farm.ofBlocks(2, w -> Pipeline.of(Farm.of(2, jittery()).ordered())
                        .then((Long item, Output<String> out) -> out.emit(out.worker() + ":" + item))))
                .collect(Collectors.toList())
                .capacity(8)
                .run();
        Map<String, List<Long>> byMember = byTag(result);
        assertThat(byMember).containsOnlyKeys("0", "1");
        byMember.values().forEach(CompositionTest::assertIncreasing);
        assertThat(result).hasSize(ITEMS);
    }

    @Test
    void anInnerRouterChoosesAmongTheInnerWorkersOnly() {
        Set<String> seen = new CopyOnWriteArraySet<>();
        Pattern.from(Source.range(0, 100))
                .then(Farm.ofBlocks(2, w -> Farm.of(3, () -> (Long i, Output<Long> out) -> seen.add(out.name()))
                        .routeBy((Long i, int n) -> 0)))
                .forEach(i -> { })
                .run();
        assertThat(seen).containsExactlyInAnyOrder("farm worker 0 of farm worker 0 of stage 2",
                "farm worker 0 of farm worker 1 of stage 2");
    }

    @Test
    void anOuterRouterChoosesAmongTheOuterMembersAndIsToldTheirNumber() {
        Set<Integer> outputsSeen = new CopyOnWriteArraySet<>();
        Map<Long, String> memberOf = new ConcurrentHashMap<>();
        Pattern.from(Source.range(0, 300))
                .then(Farm.ofBlocks(2, w -> Farm.of(3, () -> (Long i, Output<Long> out) -> memberOf.put(i, out.name())))
                        .routeBy((Long i, int n) -> {
                            outputsSeen.add(n);
                            return (int) (i % n);
                        }))
                .forEach(i -> { })
                .run();
        assertThat(outputsSeen).containsExactly(2);
        assertThat(memberOf).hasSize(300);
        memberOf.forEach((i, name) -> assertThat(name).endsWith("of farm worker " + (i % 2) + " of stage 2"));
    }

    @Test
    void anInnerOnDemandFarmBalancesWithinItsMember() {
        // In each member, inner worker 0 blocks on its first item until inner worker 1 took every other item
        // of that member: only the member's own on-demand routing (queues of 1) can give them all to worker 1.
        int perMember = 100;
        CountDownLatch[] othersDone = {new CountDownLatch(1), new CountDownLatch(1)};
        AtomicInteger[] byWorker1 = {new AtomicInteger(), new AtomicInteger()};
        Map<Integer, Integer> memberOfWorker = new ConcurrentHashMap<>();
        long count = Pattern.from(Source.range(0, 2 * perMember))
                .then(Farm.ofBlocks(2, member -> Farm.of(2, () -> (Long i, Output<Long> out) -> {
                    int m = Integer.parseInt(out.name().replaceAll(".*farm worker (\\d) of stage 2", "$1"));
                    memberOfWorker.put(m, m);
                    if (out.worker() == 0) {
                        othersDone[m].await(30, TimeUnit.SECONDS);
                    } else if (byWorker1[m].incrementAndGet() == perMember - 2) {
                        othersDone[m].countDown();
                    }
                    out.emit(i);
                }).onDemand(1)))
                .collect(Collectors.counting())
                .run();
        assertThat(count).isEqualTo(2L * perMember);
        for (int m = 0; m < 2; m++) {
            assertThat(byWorker1[m].get()).as("member %d", m).isGreaterThanOrEqualTo(perMember - 2);
            assertThat(othersDone[m].getCount()).isZero();
        }
        assertThat(memberOfWorker).containsOnlyKeys(0, 1);
    }

    @Test
    void roundRobinInsideRoundRobinGivesEachMemberAndEachInnerWorkerItsTurn() {
        Map<Long, String> workerOf = new ConcurrentHashMap<>();
        Pattern.from(Source.range(0, 400))
                .then(Farm.ofBlocks(2, w -> Farm.of(2, () -> (Long i, Output<Long> out) -> workerOf.put(i, out.name()))))
                .forEach(i -> { })
                .run();
        // As if nested: item i goes to member i % 2, which gives its k-th item to inner worker k % 2.
        workerOf.forEach((i, name) -> assertThat(name)
                .isEqualTo("farm worker " + (i / 2 % 2) + " of farm worker " + (i % 2) + " of stage 2"));
        assertThat(workerOf).hasSize(400);
    }

    @Test
    void rightMembersThatAreFarmsReceiveWholeKeys() {
        Map<Long, Set<String>> membersOfKey = new ConcurrentHashMap<>();
        long count = Pattern.from(Source.range(0, ITEMS))
                .then(AllToAll.ofBlocks(2, i -> Block.of(Stage.<Long, Long>map(x -> x % 10)), 3,
                        j -> Farm.of(2, () -> (Long key, Output<Long> out) -> {
                            membersOfKey.computeIfAbsent(key, k -> new CopyOnWriteArraySet<>())
                                    .add(out.name().replaceAll(".* of (right node \\d) of stage 2", "$1"));
                            out.emit(key);
                        })).byKey(key -> key))
                .collect(Collectors.counting())
                .run();
        assertThat(count).isEqualTo(ITEMS);
        assertThat(membersOfKey).hasSize(10);
        membersOfKey.forEach((key, members) -> assertThat(members).as("right members of key %d", key).hasSize(1));
    }

    @Test
    void aFarmOfAllToAllsKeepsEachAllToAllsKeyRouting() {
        Map<String, Set<Long>> keysOfRightNode = new ConcurrentHashMap<>();
        long sum = Pattern.from(Source.range(0, ITEMS))
                .then(Farm.ofBlocks(2, w -> AllToAll.of(2, () -> Stage.<Long, Long>map(x -> x), 2,
                        () -> (Long x, Output<Long> out) -> {
                            keysOfRightNode.computeIfAbsent(out.name(), k -> new CopyOnWriteArraySet<>()).add(x % 4);
                            out.emit(x);
                        }).byKey(x -> x % 4)).routeBy((Long x, int n) -> (int) (x / 7 % n)))
                .collect(Collectors.summingLong(x -> x))
                .run();
        assertThat(sum).isEqualTo((long) ITEMS * (ITEMS - 1) / 2);
        // Every all-to-all sends each key to one of its own right nodes: no key is on two right nodes of one.
        for (int member = 0; member < 2; member++) {
            String suffix = " of farm worker " + member + " of stage 2";
            Set<Long> first = keysOfRightNode.getOrDefault("right node 0" + suffix, Set.of());
            Set<Long> second = keysOfRightNode.getOrDefault("right node 1" + suffix, Set.of());
            assertThat(first).doesNotContainAnyElementsOf(second);
            assertThat(first.size() + second.size()).isEqualTo(4);
        }
    }

    @Test
    void stageAndMasterFactoriesAreNotCalledWhenThePatternIsBuilt() {
        AtomicInteger stages = new AtomicInteger();
        AtomicInteger masters = new AtomicInteger();
        Pattern<Long> pattern = Pattern.from(Source.range(0, 10))
                .then(Farm.of(2, () -> {
                    stages.incrementAndGet();
                    return Stage.<Long, Long>map(i -> i);
                }))
                .then(MasterWorker.of(() -> {
                    masters.incrementAndGet();
                    return new ForwardingMaster((result, context) -> context.emit(result));
                }, 2, () -> Stage.<Long, Long>map(i -> i)))
                .collect(Collectors.counting());
        assertThat(stages).hasValue(0);
        assertThat(masters).hasValue(0);
        assertThat(pattern.run()).isEqualTo(10);
        assertThat(stages).hasValue(2);
        assertThat(masters).hasValue(1);
    }

    @Test
    void aNestedCompositionThatCannotWorkIsRefusedWhenBuilt() {
        Pattern.Builder<Long> builder = Pattern.from(Source.range(0, 10))
                .then(Farm.ofBlocks(2, w -> Pipeline.of(Stage.<Long, Long>map(i -> i))
                        .then(Farm.ofBlocks(2, v -> Pipeline.of(Stage.<Long, Long>map(i -> i)).map(i -> i)).ordered())));
        assertThatThrownBy(() -> builder.forEach(i -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("farm worker 0 of stage 2 of farm worker 0 of stage 2 is made of 2 nodes, but an"
                        + " ordered farm needs each worker to be a single stage");
    }

    @Test
    void aFactoryReturningNullIsRefusedWhenBuilt() {
        assertThatThrownBy(() -> Pattern.from(Source.range(0, 10))
                .then(Farm.<Long, Long>ofBlocks(2, w -> w == 1 ? null : Block.of(Stage.map(i -> i))))
                .forEach(i -> { }))
                .isInstanceOf(NullPointerException.class).hasMessage("the farm's factory returned null");
    }
}
