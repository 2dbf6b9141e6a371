package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.S;
import static org.tokenpowerbench.energy.Fixtures.T0;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.PowerTrace;

/**
 * Does the 95 % interval of {@link EnergyBudget} cover the truth? A simulated GPU with known
 * energy (random power steps of 100–700 W), a counter that updates every 100 ms with ± 2 ms of
 * jitter on its update moments, read on the NVML bracket schedule; many reruns (seeds), random
 * waves of 2–12 s each. The interval must cover the true energy in at least 90 % of waves (the
 * goal of issue 14) and must not be so wide that it covers trivially (it stays under 1 % of the
 * energy on average, where a step of the counter is about 0.5–3 % of a 2 s wave). And between
 * runs: with an offset per run (fork) of ± 4 %, as five reruns on an H200 showed, the interval
 * covers another run's mean in at least 90 % of pairs only with {@link TrialBudget}'s between-runs
 * term from three forks or more, and in fewer than 90 % without it.
 */
class EnergyBudgetCoverageTest {

    private static final long SPAN = 40 * S;

    /** {covered share, mean relative half-width} over every rerun and wave under {@code timing}. */
    private static double[] coverage(CounterTiming timing) {
        int covered = 0;
        int waves = 0;
        double width = 0;
        for (int seed = 1; seed <= 12; seed++) {
            Random rnd = new Random(seed);
            SimulatedCounter gpu = SimulatedCounter.busy(rnd, SPAN, rnd.nextDouble() * 100 * MS, 100.1 * MS,
                    100.1 * MS, 2 * MS);
            PowerTrace trace = gpu.trace(SPAN, false, true, t -> false);
            PowerSignal signal = PowerSignal.of(trace, 200 * MS, timing);
            SensorAccuracy none = SensorAccuracy.of("nvml", "");
            for (int w = 0; w < 40; w++) {
                long length = 2 * S + (long) (rnd.nextDouble() * 10 * S);
                long a = T0 + 50 * MS + (long) (rnd.nextDouble() * (SPAN - length - 100 * MS));
                long b = a + length;
                double estimate = signal.energyJoules(a, b);
                EnergyBudget budget = EnergyBudget.of(signal, a, b, estimate, none);
                waves++;
                width += budget.relativeHalfWidth();
                if (Math.abs(estimate - gpu.energy(a, b)) <= budget.halfWidthJ()) {
                    covered++;
                }
            }
        }
        return new double[] {(double) covered / waves, width / waves};
    }

    @Test
    void theIntervalCoversTheTruthInAtLeastNineOfTenWavesWithLearnedUpdateMoments() {
        double[] c = coverage(new CounterTiming(true, 100 * MS));
        System.out.printf(Locale.ROOT, "learned update moments: covered %.3f, mean half-width %.4f%n", c[0], c[1]);
        assertTrue(c[0] >= 0.90, "covered only " + c[0]);
        assertTrue(c[1] < 0.01, "half-width " + c[1] + " of the energy: too wide to say anything");
    }

    @Test
    void theIntervalCoversTheTruthInAtLeastNineOfTenWavesWithReadInstants() {
        double[] c = coverage(CounterTiming.READS);
        System.out.printf(Locale.ROOT, "read instants: covered %.3f, mean half-width %.4f%n", c[0], c[1]);
        assertTrue(c[0] >= 0.90, "covered only " + c[0]);
        assertTrue(c[1] < 0.05, "half-width " + c[1] + " of the energy: too wide to say anything");
    }

    /**
     * Reruns of one point as on the H200: each run (each JMH fork) carries an offset of its own,
     * normal with σ = 2 % (95 % of runs within ± 4 %), that its iterations share; each iteration adds
     * its own noise (σ = 0.3 %) and carries a per-wave budget of ± 0.6 %. A run of {@code forks}
     * forks × 3 iterations gives its mean and interval as the summary forms them (JMH pools the
     * iterations of all forks); the question is the issue's: does it cover the mean of another run
     * of the same point? {covered share without the between-runs term, with it}.
     */
    private static double[] rerunCoverage(int forks, long seed) {
        Random rnd = new Random(seed);
        int pairs = 4000;
        int iterations = 3;
        int coveredOld = 0;
        int coveredNew = 0;
        for (int p = 0; p < pairs; p++) {
            double[][] runs = new double[2][];
            double[][] forkMeans = new double[2][forks];
            for (int r = 0; r < 2; r++) {
                runs[r] = new double[forks * iterations];
                for (int f = 0; f < forks; f++) {
                    double offset = 0.02 * rnd.nextGaussian();
                    for (int i = 0; i < iterations; i++) {
                        double v = 1.0 * (1 + offset) * (1 + 0.003 * rnd.nextGaussian());
                        runs[r][f * iterations + i] = v;
                        forkMeans[r][f] += v / iterations;
                    }
                }
            }
            double[] a = runs[0];
            int n = a.length;
            double mean = java.util.Arrays.stream(a).average().orElseThrow();
            double other = java.util.Arrays.stream(runs[1]).average().orElseThrow();
            double ss = 0;
            for (double v : a) {
                ss += (v - mean) * (v - mean);
            }
            double jmhError = n >= 2
                    ? new org.apache.commons.math3.distribution.TDistribution(n - 1).inverseCumulativeProbability(0.9995)
                            * Math.sqrt(ss / (n - 1) / n)
                    : Double.NaN;
            double measurement = 0.006;
            TrialBudget withForks = TrialBudget.of(jmhError, n, measurement, forkMeans[0]);
            TrialBudget without = new TrialBudget(withForks.iterations(), measurement, Double.NaN, forks);
            coveredOld += Math.abs(other - mean) <= without.halfWidth() ? 1 : 0;
            coveredNew += Math.abs(other - mean) <= withForks.halfWidth() ? 1 : 0;
        }
        return new double[] {(double) coveredOld / pairs, (double) coveredNew / pairs};
    }

    @Test
    void aRerunsMeanIsCoveredOnlyWithTheBetweenRunsTermFromThreeForks() {
        for (int forks : new int[] {1, 3, 5}) {
            double[] c = rerunCoverage(forks, 14 + forks);
            System.out.printf(Locale.ROOT, "reruns with ± 4 %% offsets, %d fork(s): covered %.3f without the between-runs"
                    + " term, %.3f with it%n", forks, c[0], c[1]);
            assertTrue(c[0] < 0.90, forks + " fork(s): without the between-runs term covered " + c[0]
                    + ": the simulated offsets are too small to show what the term is for");
            if (forks >= 3) {
                assertTrue(c[1] >= 0.90, forks + " forks: covered only " + c[1]);
            } else {
                assertEquals(c[0], c[1], "one fork: no term, the same interval");
            }
        }
    }

    @Test
    void aStatedAccuracyWidensTheIntervalAndAnUnstatedOneIsNamedNotInvented() {
        SensorAccuracy nvml = SensorAccuracy.of("nvml", "");
        assertTrue(Double.isNaN(nvml.share()) && nvml.source().contains("not stated by the vendor"), nvml.source());
        SensorAccuracy given = SensorAccuracy.of("nvml", "rapl:5%, nvml:2%");
        assertEquals(0.02, given.share(), 1e-12);
        EnergyBudget b = new EnergyBudget(1000, 3, 4, given);
        // 2 % of 1000 J as a 95 % bound is 20 J = 1.96 σ; with 3 and 4 J: 1.96 √(9 + 16 + (20/1.96)²)
        assertEquals(1.96 * Math.sqrt(9 + 16 + Math.pow(20 / 1.96, 2)), b.halfWidthJ(), 1e-9);
        assertEquals(1.96 * 5, new EnergyBudget(1000, 3, 4, nvml).halfWidthJ(), 1e-9);
        assertThrows(UserError.class, () -> SensorAccuracy.of("nvml", "nvml=2"));
    }

    @Test
    void aPowerOnlySignalCarriesASamplingTermFromItsChangesAndNoneWhenFlat() {
        long[] t = {T0, T0 + S, T0 + 2 * S};
        CounterTiming timing = new CounterTiming(true, 100 * MS);
        PowerSignal flat = PowerSignal.of(Fixtures.piecewiseConstantPower(t, new double[] {200, 200}), 200 * MS, timing);
        PowerSignal step = PowerSignal.of(Fixtures.piecewiseConstantPower(t, new double[] {200, 400}), 200 * MS, timing);
        SensorAccuracy unknown = SensorAccuracy.of("x", "");
        EnergyBudget still = EnergyBudget.of(flat, T0, T0 + 2 * S, flat.energyJoules(T0, T0 + 2 * S), unknown);
        EnergyBudget moved = EnergyBudget.of(step, T0, T0 + 2 * S, step.energyJoules(T0, T0 + 2 * S), unknown);
        assertEquals(0, still.samplingJ(), 1e-12);
        assertEquals(0, still.counterJ(), 1e-12);
        // one step of 200 W inside one 100 ms interval: 200 W × 0.1 s / (2√3)
        assertEquals(200 * 0.1 / (2 * Math.sqrt(3)), moved.samplingJ(), 1e-9);
    }
}
