package org.tokenpowerbench.report.html;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * The mean of a trial's per-iteration values with a two-sided 95 % confidence interval from
 * Student's t-distribution ({@code mean ± t(0.975, n−1) · s / √n}), the interval a reader
 * expects; JMH's own error beside it is the same construction at 99.9 %, so for n iterations
 * the two differ by the ratio of their t quantiles. Needs at least two iterations.
 *
 * @param mean       the mean of the values
 * @param halfWidth  the interval's half-width; NaN with fewer than two values
 * @param n          how many iterations
 */
record IterationInterval(double mean, double halfWidth, int n) {

    static final double LEVEL = 0.95;

    static IterationInterval of(double[] values) {
        int n = values.length;
        if (n == 0) {
            return new IterationInterval(Double.NaN, Double.NaN, 0);
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = sum / n;
        if (n < 2) {
            return new IterationInterval(mean, Double.NaN, n);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - LEVEL) / 2);
        return new IterationInterval(mean, t * sd / Math.sqrt(n), n);
    }

    boolean hasWidth() {
        return Double.isFinite(halfWidth);
    }
}
