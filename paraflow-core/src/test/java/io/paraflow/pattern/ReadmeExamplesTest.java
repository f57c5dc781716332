package io.paraflow.pattern;

import io.paraflow.testing.NoLeakedThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The patterns code of the README, as written there, with its results checked. */
@ExtendWith(NoLeakedThreads.class)
@Timeout(60)
class ReadmeExamplesTest {

    static final class CountPerKey implements Stage<String, Map.Entry<String, Long>> {
        private final Map<String, Long> counts = new HashMap<>();

        @Override
        public void process(String key, Output<Map.Entry<String, Long>> out) {
            counts.merge(key, 1L, Long::sum);
        }

        @Override
        public void end(Output<Map.Entry<String, Long>> out) {
            counts.entrySet().forEach(out::emit);
        }
    }

    @Test
    void orderedFarmOfLengths() {
        List<String> words = List.of(" alpha", "be ", "gamma", " d ", "epsilon");
        List<Integer> lengths = Pattern.from(Source.of(words))                         // the stream
                .map(String::strip)                                                      // a stage
                .then(Farm.of(4, () -> Stage.<String, Integer>map(String::length))      // 4 workers, results in
                        .onDemand().ordered())                                           // input order
                .collect(Collectors.toList())                                            // the sink
                .run();                                                                  // blocks; threads joined
        assertThat(lengths).containsExactly(5, 2, 5, 1, 7);
    }

    @Test
    void allToAllCountsByKey() {
        List<String> lines = List.of("a,1", "b,2", "a,3", "c,4", "a,5", "b,6");
        Map<String, Long> perKey = Pattern.from(Source.of(lines))
                .then(AllToAll.of(2, () -> Stage.<String, String>map(line -> line.split(",")[0]),   // left: parse
                                  3, () -> new CountPerKey())                                       // right: count
                        .byKey(key -> key))                         // equal keys meet at the same right node
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))
                .run();
        assertThat(perKey).isEqualTo(Map.of("a", 3L, "b", 2L, "c", 1L));
    }

    @Test
    void wrapAroundGrowsEachValueUntilItPassesTenThousand() {
        List<Long> grown = Pattern.from(Source.range(1, 500))
                .then(MasterWorker.wrapAround(() -> new Master<Long, Long, Long, Long>() {
                    @Override
                    public void input(Long start, MasterContext<Long, Long> loop) {
                        loop.submit(start);                                        // into the loop
                    }

                    @Override
                    public void result(Long value, MasterContext<Long, Long> loop) {
                        if (value <= 10_000) {
                            loop.submit(value);                                    // round again
                        } else {
                            loop.emit(value);                                      // out of the loop
                        }
                    }
                }, () -> Pipeline.of(Stage.<Long, Long>map(x -> x * 3)).map(x -> x + 1)))  // the rest of the loop
                .collect(Collectors.toList())
                .run();
        assertThat(grown).hasSize(499).allSatisfy(value -> assertThat(value).isBetween(10_001L, 3 * 10_000L + 1));
        long fromOne = 1;
        while (fromOne <= 10_000) {
            fromOne = fromOne * 3 + 1;
        }
        assertThat(grown).contains(fromOne);
    }
}
