package org.tokenpowerbench.energy;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * The error budget of a trial's figure (a mean over its measured iterations, of all its forks), as
 * 95 % half-widths in the figure's unit, combined root-sum-square like the per-wave terms of
 * {@link EnergyBudget}.
 *
 * <ul>
 *   <li>{@code iterations}: the spread over the measured iterations, the Student-t 95 % interval of
 *       their mean (JMH's 99.9 % error rescaled).</li>
 *   <li>{@code measurement}: the mean per-wave {@link EnergyBudget} half-width (counter, sampling,
 *       stated accuracy), kept whole because its accuracy part does not average out.</li>
 *   <li>{@code betweenRuns}: what changes from one run of the same point to the next — the JVM,
 *       the GPU's clocks and temperature, the server's state — and stays put within a run, so the
 *       iterations of one run do not see it. On an H200, five reruns of one point were ± 4 % apart
 *       while each run's interval was well under 1 %: they covered each other 2 times in 5. Each
 *       JMH fork is such a run, so with k ≥ 2 forks the spread s of the per-fork means measures it:
 *       the term is the 95 % Student-t half-width for where the mean of a rerun with as many forks
 *       lands, t(0.975, k−1) · s · √(2/k) (the difference of two k-fork means has variance 2σ²/k).
 *       With one fork it is not measured (NaN) and {@link #betweenRunsNote()} says so: then the
 *       interval holds for this JVM and GPU state only.</li>
 * </ul>
 *
 * @param iterations  95 % half-width from the iterations' spread; NaN with one iteration
 * @param measurement mean per-wave budget half-width; NaN where none was recorded
 * @param betweenRuns 95 % half-width between runs from the fork means; NaN with fewer than two forks
 * @param forks       the forks whose means were seen; 0 when not known (a summary written before forks were kept)
 */
public record TrialBudget(double iterations, double measurement, double betweenRuns, int forks) {

    /** What the summary says where the between-runs term is absent. */
    public static final String ONE_FORK = "one fork: between-runs spread not measured; run -f 3 to include it";

    /**
     * The budget of a trial's mean from JMH's aggregate and the fork means.
     *
     * @param jmhError999 JMH's error of the mean (99.9 % Student-t half-width over {@code samples}); NaN with one sample
     * @param samples     the measured iterations JMH aggregated, all forks together
     * @param measurement the mean per-wave budget half-width ({@code …err}); NaN where none
     * @param forkMeans   the figure's mean in each fork, in fork order; one value (or none) when one fork ran
     */
    public static TrialBudget of(double jmhError999, long samples, double measurement, double[] forkMeans) {
        double iterations = Double.NaN;
        if (samples >= 2 && Double.isFinite(jmhError999)) {
            TDistribution t = new TDistribution(samples - 1);
            iterations = jmhError999 * t.inverseCumulativeProbability(0.975) / t.inverseCumulativeProbability(0.9995);
        }
        return new TrialBudget(iterations, measurement, betweenRuns(forkMeans), forkMeans.length);
    }

    /**
     * t(0.975, k−1) · s · √(2/k) over the {@code k} fork means (s their sample standard deviation);
     * NaN with fewer than two, or when any is not finite.
     */
    public static double betweenRuns(double[] forkMeans) {
        int k = forkMeans.length;
        if (k < 2) {
            return Double.NaN;
        }
        double mean = 0;
        for (double m : forkMeans) {
            if (!Double.isFinite(m)) {
                return Double.NaN;
            }
            mean += m / k;
        }
        double ss = 0;
        for (double m : forkMeans) {
            ss += (m - mean) * (m - mean);
        }
        double s = Math.sqrt(ss / (k - 1));
        return new TDistribution(k - 1).inverseCumulativeProbability(0.975) * s * Math.sqrt(2.0 / k);
    }

    /** Whether the forks' spread is in the budget. */
    public boolean betweenRunsMeasured() {
        return Double.isFinite(betweenRuns);
    }

    /** Why the between-runs term is absent ({@link #ONE_FORK} for a single fork), or null when it is present. */
    public String betweenRunsNote() {
        if (betweenRunsMeasured()) {
            return null;
        }
        return forks == 0 ? "fork means not recorded: between-runs spread not measured"
                : forks == 1 ? ONE_FORK : "between-runs spread not measured (a fork's mean is not a number)";
    }

    /** Whether any term is known: without one there is no interval. */
    public boolean hasWidth() {
        return Double.isFinite(iterations) || Double.isFinite(measurement) || Double.isFinite(betweenRuns);
    }

    /** The 95 % half-width: the known terms root-sum-square; 0 when none is known (see {@link #hasWidth()}). */
    public double halfWidth() {
        double sum = 0;
        for (double term : new double[] {iterations, measurement, betweenRuns}) {
            if (Double.isFinite(term)) {
                sum += term * term;
            }
        }
        return Math.sqrt(sum);
    }
}
