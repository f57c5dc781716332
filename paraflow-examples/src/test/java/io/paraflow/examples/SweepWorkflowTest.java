package io.paraflow.examples;

import io.paraflow.Flow;
import io.paraflow.examples.SweepWorkflow.Outcome;
import io.paraflow.examples.SweepWorkflow.Scenario;
import io.paraflow.examples.SweepWorkflow.Summary;
import io.paraflow.examples.SweepWorkflow.Trajectory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SweepWorkflowTest {

    private static final int SIZE = 1;

    /** The reference: the same model in a plain loop, folded left to right. */
    private static Summary sequentialSummary(int size) {
        Summary summary = null;
        for (Scenario scenario : SweepWorkflow.scenarios(size)) {
            Summary one = Summary.of(SweepWorkflow.analyse(SweepWorkflow.simulate(scenario)));
            summary = summary == null ? one : summary.combine(one);
        }
        return summary;
    }

    private static Summary onThreads(int threads, int size) {
        try (Flow flow = Flow.builder().threads(threads).build()) {
            return SweepWorkflow.run(flow, size);
        }
    }

    private static Summary sequential;

    @BeforeAll
    static void computeTheSequentialSummary() {
        sequential = sequentialSummary(SIZE);
    }

    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2, 4})
    void flowGivesTheSequentialSummaryOnAnyNumberOfThreads(int threads) {
        assertThat(onThreads(threads, SIZE)).isEqualTo(sequential);
        assertThat(sequential.simulations()).isEqualTo(SweepWorkflow.scenarios(SIZE).size());
    }

    @Test
    void summaryIsTheSameWhateverTheReductionOrder() {
        List<Summary> leaves = SweepWorkflow.scenarios(SIZE).stream().limit(24)
                .map(s -> Summary.of(SweepWorkflow.analyse(SweepWorkflow.simulate(s))))
                .collect(Collectors.toCollection(ArrayList::new));
        Summary leftFold = leaves.stream().reduce(Summary::combine).orElseThrow();
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            List<Summary> shuffled = new ArrayList<>(leaves);
            Collections.shuffle(shuffled, random);
            assertThat(randomTree(shuffled, random)).isEqualTo(leftFold);
        }
    }

    /** Combines neighbours picked at random until one summary is left: an arbitrary reduction tree. */
    private static Summary randomTree(List<Summary> summaries, Random random) {
        List<Summary> level = new ArrayList<>(summaries);
        while (level.size() > 1) {
            int i = random.nextInt(level.size() - 1);
            level.set(i, level.get(i).combine(level.remove(i + 1)));
        }
        return level.get(0);
    }

    @Test
    void simulationIsReproducibleAndConservesThePopulation() {
        List<Scenario> scenarios = SweepWorkflow.scenarios(SIZE);
        for (int k = 0; k < scenarios.size(); k += SweepWorkflow.REPLICATES) {
            Scenario scenario = scenarios.get(k);
            Trajectory trajectory = SweepWorkflow.simulate(scenario);
            assertThat(SweepWorkflow.simulate(scenario).infected()).isEqualTo(trajectory.infected());
            int[] s = trajectory.susceptible();
            int[] i = trajectory.infected();
            for (int day = 0; day < s.length; day++) {
                assertThat(s[day]).isBetween(0, SweepWorkflow.POPULATION);
                assertThat(i[day]).isBetween(0, SweepWorkflow.POPULATION - s[day]);
                if (day > 0) {
                    assertThat(s[day]).as("susceptible never grows").isLessThanOrEqualTo(s[day - 1]);
                }
            }
            int lastDay = i.length - 1;
            assertThat(i[lastDay] == 0 || lastDay == SweepWorkflow.MAX_DAYS).isTrue();
        }
    }

    @Test
    void epidemicsFollowTheFinalSizeRelation() {
        // Final size z of a large SIR epidemic solves z = 1 - exp(-R0 z): about 0.94 for R0 = 3;
        // below R0 = 1 an epidemic fizzles out after a few generations.
        Scenario strong = new Scenario(0, 3.0, 5, 0, 11);
        Scenario weak = new Scenario(1, 0.5, 5, 0, 12);

        assertThat(SweepWorkflow.analyse(SweepWorkflow.simulate(strong)).attackRate()).isBetween(0.92, 0.96);
        assertThat(SweepWorkflow.analyse(SweepWorkflow.simulate(weak)).majorOutbreak()).isFalse();
    }

    @Test
    void analysisFindsPeakAndFinalSize() {
        Scenario scenario = new Scenario(3, 1.0, 3, 0, 1);
        int population = SweepWorkflow.POPULATION;
        Trajectory trajectory = new Trajectory(scenario,
                new int[] {population - 10, population - 30, population - 60, population - 70},
                new int[] {10, 25, 25, 0});

        Outcome outcome = SweepWorkflow.analyse(trajectory);

        assertThat(outcome.peakInfected()).isEqualTo(25);
        assertThat(outcome.peakDay()).isEqualTo(1);
        assertThat(outcome.finalSize()).isEqualTo(70);
        assertThat(outcome.days()).isEqualTo(3);
    }

    @Test
    void scenariosCoverTheGridWithDistinctSeeds() {
        List<Scenario> scenarios = SweepWorkflow.scenarios(2);

        assertThat(scenarios).hasSize(2 * SweepWorkflow.R0_VALUES_PER_SIZE
                * SweepWorkflow.INFECTIOUS_DAYS.size() * SweepWorkflow.REPLICATES);
        assertThat(scenarios).extracting(Scenario::index)
                .containsExactlyElementsOf(IntStream.range(0, scenarios.size()).boxed().toList());
        assertThat(scenarios).extracting(Scenario::seed).doesNotHaveDuplicates();
        assertThat(scenarios).extracting(Scenario::r0)
                .contains(SweepWorkflow.LOWEST_R0, SweepWorkflow.HIGHEST_R0)
                .allSatisfy(r0 -> assertThat(r0).isBetween(SweepWorkflow.LOWEST_R0, SweepWorkflow.HIGHEST_R0));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, SweepWorkflow.MAX_SIZE + 1})
    void sizeOutOfRangeIsRejected(int size) {
        try (Flow flow = Flow.builder().threads(1).build()) {
            assertThatThrownBy(() -> SweepWorkflow.submit(flow, size))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("size must be between 1 and");
        }
    }
}
