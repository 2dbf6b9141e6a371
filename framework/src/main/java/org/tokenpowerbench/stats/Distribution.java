package org.tokenpowerbench.stats;

import java.util.Arrays;

/**
 * Order statistics of a sample, for latency reporting. Percentiles use linear interpolation
 * between closest ranks (the "R-7" definition, as numpy's default), so p50 of {1, 2} is 1.5.
 *
 * @param count number of finite values summarised (NaN values are left out)
 */
public record Distribution(int count, double mean, double p50, double p90, double p99, double max) {

    /** Summarises the finite values of {@code values}; an empty sample gives NaN everywhere. */
    public static Distribution of(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (v.length == 0) {
            return new Distribution(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = Arrays.stream(v).average().orElse(Double.NaN);
        return new Distribution(v.length, mean, quantile(v, 0.50), quantile(v, 0.90), quantile(v, 0.99), v[v.length - 1]);
    }

    /**
     * Summarises a histogram: count (rounded weight), mean and max exact, percentiles within one
     * bucket of the recorded values (see {@link LatencyHistogram}).
     */
    public static Distribution of(LatencyHistogram h) {
        if (h.weight() <= 0) {
            return new Distribution(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new Distribution((int) Math.min(Integer.MAX_VALUE, Math.round(h.weight())), h.mean(),
                h.quantile(0.50), h.quantile(0.90), h.quantile(0.99), h.max());
    }

    /** R-7 quantile of sorted, non-empty {@code sorted}. */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
