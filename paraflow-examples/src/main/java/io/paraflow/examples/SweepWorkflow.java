package io.paraflow.examples;

import io.paraflow.Flow;
import io.paraflow.Task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * A parameter sweep of a stochastic epidemic model, the workload of {@code paraflow demo}: one
 * simulation task per scenario, one analysis task per simulation that depends on it, and a tree
 * reduction of the analyses into one {@link Summary}.
 *
 * <p>The model is a chain-binomial SIR epidemic (Reed–Frost type) in a closed population of
 * {@value #POPULATION} people: each day every susceptible person is infected with probability
 * {@code 1 - exp(-R0 / D * I / N)} and every infected person recovers with probability {@code 1 / D},
 * so that a case stays infectious for {@code D} days on average. Each person is drawn
 * separately, so a simulation is a few million random draws: roughly 5–50 ms of CPU.
 *
 * <p>Deterministic: every scenario carries its own seed, and the summary combines exact integer
 * counts with an order-independent tie-break, so a run on one thread, a run on many threads and a plain
 * sequential loop give equal summaries.
 *
 * <p>Thread-safe: the model's methods are pure functions of their arguments, and {@link #submit} and
 * {@link #run} only submit tasks to the flow they are given; call them from any thread.
 */
public final class SweepWorkflow {

    /** People in the simulated population. */
    public static final int POPULATION = 50_000;
    /** People infected on day 0. */
    public static final int INITIALLY_INFECTED = 10;
    /** A simulation stops after this many days even if infections remain. */
    public static final int MAX_DAYS = 365;
    /** An epidemic that infects at least this share of the population counts as a major outbreak. */
    public static final double MAJOR_OUTBREAK_ATTACK_RATE = 0.10;
    /** Largest accepted {@code size}, so that the scenario count stays far from overflow. */
    public static final int MAX_SIZE = 100_000;

    static final double LOWEST_R0 = 0.8;
    static final double HIGHEST_R0 = 4.0;
    static final int R0_VALUES_PER_SIZE = 4;
    static final List<Integer> INFECTIOUS_DAYS = List.of(3, 5, 7, 10);
    static final int REPLICATES = 4;
    private static final long BASE_SEED = 0x5EED_2024_1DEAL;

    private SweepWorkflow() {
    }

    /**
     * One point of the sweep and one replicate of it.
     *
     * @param index          position in {@link #scenarios(int)}, which breaks ties in the summary
     * @param r0             basic reproduction number: infections caused by one case in a susceptible population
     * @param infectiousDays mean number of days a case stays infectious
     * @param replicate      which stochastic replicate of the parameter point, from 0
     * @param seed           seed of the simulation's random numbers
     */
    public record Scenario(int index, double r0, int infectiousDays, int replicate, long seed) {
    }

    /**
     * A simulated epidemic, day by day: element {@code d} is the count on day {@code d}, from day 0 to
     * the day the epidemic ended (no infected left) or {@link #MAX_DAYS}.
     */
    public record Trajectory(Scenario scenario, int[] susceptible, int[] infected) {
    }

    /**
     * What the analysis of one simulation keeps.
     *
     * @param peakInfected most people infected at once
     * @param peakDay      first day with {@code peakInfected}
     * @param finalSize    people infected over the whole epidemic, including the initial cases
     * @param days         days until nobody was infected (or {@link #MAX_DAYS})
     */
    public record Outcome(Scenario scenario, int peakInfected, int peakDay, int finalSize, int days) {

        /** Share of the population infected over the epidemic. */
        public double attackRate() {
            return (double) finalSize / POPULATION;
        }

        /** Whether the epidemic reached {@link #MAJOR_OUTBREAK_ATTACK_RATE}. */
        public boolean majorOutbreak() {
            return attackRate() >= MAJOR_OUTBREAK_ATTACK_RATE;
        }
    }

    /**
     * What the sweep found, over any number of simulations. {@link #combine} is associative and
     * commutative, so the summary does not depend on the shape or order of the reduction.
     *
     * @param simulations    simulations summarised
     * @param totalInfected  sum of their final sizes
     * @param majorOutbreaks how many of them were major outbreaks
     * @param largestPeak    the simulation with the highest peak (lowest scenario index on ties)
     * @param longest        the simulation that lasted longest (lowest scenario index on ties)
     */
    public record Summary(long simulations, long totalInfected, long majorOutbreaks, Outcome largestPeak,
                          Outcome longest) {

        /** The summary of a single simulation. */
        public static Summary of(Outcome outcome) {
            Objects.requireNonNull(outcome, "outcome");
            return new Summary(1, outcome.finalSize(), outcome.majorOutbreak() ? 1 : 0, outcome, outcome);
        }

        /** The summary of this summary's simulations and {@code other}'s together. */
        public Summary combine(Summary other) {
            return new Summary(simulations + other.simulations, totalInfected + other.totalInfected,
                    majorOutbreaks + other.majorOutbreaks,
                    higher(largestPeak, other.largestPeak, Outcome::peakInfected),
                    higher(longest, other.longest, Outcome::days));
        }

        /** Mean share of the population infected per simulation. */
        public double meanAttackRate() {
            return (double) totalInfected / ((double) simulations * POPULATION);
        }

        private static Outcome higher(Outcome a, Outcome b, ToIntFunction<Outcome> measure) {
            int byMeasure = Integer.compare(measure.applyAsInt(a), measure.applyAsInt(b));
            if (byMeasure != 0) {
                return byMeasure > 0 ? a : b;
            }
            return a.scenario().index() <= b.scenario().index() ? a : b;
        }
    }

    /**
     * The scenarios of a sweep of the given size: {@code 4 * size} values of R0 evenly spread over
     * [{@value #LOWEST_R0}, {@value #HIGHEST_R0}], times 4 infectious periods (3, 5, 7 and 10 days),
     * times 4 replicates, so {@code 64 * size} scenarios, in that order.
     *
     * @throws IllegalArgumentException if {@code size} is not between 1 and {@link #MAX_SIZE}
     */
    public static List<Scenario> scenarios(int size) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 1 and " + MAX_SIZE + ", got " + size);
        }
        int r0Values = R0_VALUES_PER_SIZE * size;
        List<Scenario> scenarios = new ArrayList<>(r0Values * INFECTIOUS_DAYS.size() * REPLICATES);
        for (int r = 0; r < r0Values; r++) {
            double r0 = LOWEST_R0 + (HIGHEST_R0 - LOWEST_R0) * r / (r0Values - 1);
            for (int infectiousDays : INFECTIOUS_DAYS) {
                for (int replicate = 0; replicate < REPLICATES; replicate++) {
                    int index = scenarios.size();
                    scenarios.add(new Scenario(index, r0, infectiousDays, replicate, seed(index)));
                }
            }
        }
        return scenarios;
    }

    /** Simulates one epidemic. CPU-bound; a pure function of the scenario. */
    public static Trajectory simulate(Scenario scenario) {
        SplittableRandom random = new SplittableRandom(scenario.seed());
        double recoveryProbability = 1.0 / scenario.infectiousDays();
        double contactRate = scenario.r0() / scenario.infectiousDays();
        int[] susceptible = new int[MAX_DAYS + 1];
        int[] infected = new int[MAX_DAYS + 1];
        susceptible[0] = POPULATION - INITIALLY_INFECTED;
        infected[0] = INITIALLY_INFECTED;
        int day = 0;
        while (infected[day] > 0 && day < MAX_DAYS) {
            // StrictMath, not Math: its results are specified bit for bit, so every thread and JVM agrees.
            double infectionProbability = 1 - StrictMath.exp(-contactRate * infected[day] / POPULATION);
            int newInfections = successes(random, susceptible[day], infectionProbability);
            int recoveries = successes(random, infected[day], recoveryProbability);
            susceptible[day + 1] = susceptible[day] - newInfections;
            infected[day + 1] = infected[day] + newInfections - recoveries;
            day++;
        }
        return new Trajectory(scenario, Arrays.copyOf(susceptible, day + 1), Arrays.copyOf(infected, day + 1));
    }

    /** Reduces a simulated epidemic to its peak, final size and duration. */
    public static Outcome analyse(Trajectory trajectory) {
        int[] infected = trajectory.infected();
        int peakDay = 0;
        for (int day = 1; day < infected.length; day++) {
            if (infected[day] > infected[peakDay]) {
                peakDay = day;
            }
        }
        int lastDay = infected.length - 1;
        int finalSize = POPULATION - trajectory.susceptible()[lastDay];
        return new Outcome(trajectory.scenario(), infected[peakDay], peakDay, finalSize, lastDay);
    }

    /**
     * Submits the sweep to {@code flow}: a simulation task per scenario, an analysis task depending on
     * each, and a tree reduction of the analyses. Returns at once; the returned task completes with the
     * summary.
     *
     * @throws IllegalArgumentException if {@code size} is out of range (see {@link #scenarios(int)})
     */
    public static Task<Summary> submit(Flow flow, int size) {
        Objects.requireNonNull(flow, "flow");
        List<Task<Trajectory>> simulations = flow.task("simulate").map(SweepWorkflow::simulate, scenarios(size));
        List<Task<Summary>> analyses = new ArrayList<>(simulations.size());
        for (Task<Trajectory> simulation : simulations) {
            analyses.add(flow.task("analyse").submit(trajectory -> Summary.of(analyse(trajectory)), simulation));
        }
        return flow.task("combine").reduce(Summary::combine, analyses);
    }

    /**
     * Runs the sweep on {@code flow} and waits for its summary.
     *
     * @throws java.util.concurrent.CompletionException with the task's {@link io.paraflow.TaskException}
     *         as cause, if a task failed
     * @throws IllegalArgumentException if {@code size} is out of range (see {@link #scenarios(int)})
     */
    public static Summary run(Flow flow, int size) {
        return submit(flow, size).join();
    }

    /** How many people out of {@code trials} an event with probability {@code p} happens to. */
    private static int successes(SplittableRandom random, int trials, double p) {
        int count = 0;
        for (int i = 0; i < trials; i++) {
            if (random.nextDouble() < p) {
                count++;
            }
        }
        return count;
    }

    /** A seed per scenario index, far apart in the generator's state space (the SplitMix64 finaliser). */
    private static long seed(int index) {
        long z = BASE_SEED + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
