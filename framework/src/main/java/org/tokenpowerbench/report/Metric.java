package org.tokenpowerbench.report;

import java.util.List;

/**
 * One figure of a trial as JMH aggregated it over the trial's measured iterations.
 *
 * @param score     the mean (or JMH's aggregate for the metric's policy)
 * @param error     JMH's error half-width at its confidence level (99.9 % by default); NaN with one sample
 * @param unit      e.g. {@code J/token (token-weighted)}, {@code ms}
 * @param samples   how many iterations it covers
 * @param forkMeans the figure in each fork ({@code -f N}), in fork order: its spread is the
 *                  between-runs term of the error budget ({@link org.tokenpowerbench.energy.TrialBudget});
 *                  one value for one fork, empty when not known (a summary written before they were kept)
 */
public record Metric(double score, double error, String unit, long samples, List<Double> forkMeans) {

    public Metric {
        forkMeans = forkMeans == null ? List.of() : List.copyOf(forkMeans);
    }

    /** A figure whose fork means are not known. */
    public Metric(double score, double error, String unit, long samples) {
        this(score, error, unit, samples, List.of());
    }

    /**
     * Seconds in one {@code unit} of JMH's time per operation ({@code ms/op}: 0.001), NaN for a unit
     * that is not a time per operation. JMH writes the wave's score in the benchmark's output unit.
     */
    public static double secondsPer(String unit) {
        return switch (unit == null ? "" : unit) {
            case "ns/op" -> 1e-9;
            case "us/op" -> 1e-6;
            case "ms/op" -> 1e-3;
            case "s/op" -> 1;
            case "min/op" -> 60;
            default -> Double.NaN;
        };
    }

    /** The fork means as an array, for {@link org.tokenpowerbench.energy.TrialBudget#of}. */
    public double[] forkMeanArray() {
        return forkMeans.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
