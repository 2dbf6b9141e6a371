package org.tokenpowerbench.report.compare;

import org.apache.commons.math3.distribution.TDistribution;
import org.tokenpowerbench.report.Metric;

/**
 * One metric of one trial over its measured iterations, as much as a comparison needs: the mean,
 * the sample standard deviation and how many iterations. Welch's interval needs nothing more, so
 * a run folder ({@code summary.json}: JMH's score and its 99.9 % error) and a JMH JSON result
 * file (every iteration's value in {@code rawData}) compare on the same footing.
 *
 * @param mean the mean over the iterations
 * @param sd   the sample standard deviation (n − 1); NaN when it is not known
 * @param n    how many iterations
 * @param unit the metric's unit as JMH printed it
 */
record IterationStats(double mean, double sd, long n, String unit) {

    /** JMH's confidence level for its error column ({@code Statistics.getMeanErrorAt(0.999)}). */
    static final double JMH_LEVEL = 0.999;

    /** From every iteration's value (a JMH JSON file's {@code rawData}). */
    static IterationStats ofValues(double[] values, String unit) {
        int n = values.length;
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = n == 0 ? Double.NaN : sum / n;
        if (n < 2) {
            return new IterationStats(mean, Double.NaN, n, unit);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new IterationStats(mean, Math.sqrt(ss / (n - 1)), n, unit);
    }

    /**
     * From JMH's score and error: the error is {@code t(0.9995, n−1) · sd / √n}, so the standard
     * deviation comes back exactly. JMH gives no error with two iterations or fewer, and then
     * neither is there a standard deviation here.
     */
    static IterationStats ofJmh(Metric m, long n) {
        if (n < 2 || !Double.isFinite(m.error())) {
            return new IterationStats(m.score(), Double.NaN, n, m.unit());
        }
        double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - JMH_LEVEL) / 2);
        return new IterationStats(m.score(), m.error() * Math.sqrt(n) / t, n, m.unit());
    }

    boolean hasSpread() {
        return n >= 2 && Double.isFinite(sd);
    }
}
