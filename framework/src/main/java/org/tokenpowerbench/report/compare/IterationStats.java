package org.tokenpowerbench.report.compare;

import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.tokenpowerbench.report.Metric;

/**
 * One metric of one trial over its measured iterations, as much as a comparison needs: the mean,
 * the sample standard deviation and how many iterations, and the mean of each fork. Welch's
 * interval needs nothing more, so a run folder ({@code summary.json}: JMH's score, its 99.9 %
 * error and the fork means) and a JMH JSON result file (every fork's iterations in
 * {@code rawData}) compare on the same footing.
 *
 * @param mean      the mean over the iterations
 * @param sd        the sample standard deviation (n − 1); NaN when it is not known
 * @param n         how many iterations
 * @param unit      the metric's unit as JMH printed it
 * @param forkMeans the mean of each fork ({@code -f N}), in fork order; one for one fork, none when
 *                  not known (a {@code summary.json} written before they were kept)
 */
record IterationStats(double mean, double sd, long n, String unit, List<Double> forkMeans) {

    /** JMH's confidence level for its error column ({@code Statistics.getMeanErrorAt(0.999)}). */
    static final double JMH_LEVEL = 0.999;

    IterationStats {
        forkMeans = List.copyOf(forkMeans);
    }

    /** Figures whose forks are not known. */
    IterationStats(double mean, double sd, long n, String unit) {
        this(mean, sd, n, unit, List.of());
    }

    /** From every iteration's value, all in one fork. */
    static IterationStats ofValues(double[] values, String unit) {
        return ofForks(new double[][] {values}, unit);
    }

    /** From every iteration's value, fork by fork (a JMH JSON file's {@code rawData}). */
    static IterationStats ofForks(double[][] forks, String unit) {
        double[] values = java.util.Arrays.stream(forks).flatMapToDouble(java.util.Arrays::stream).toArray();
        List<Double> means = java.util.Arrays.stream(forks).filter(f -> f.length > 0)
                .map(f -> java.util.Arrays.stream(f).average().orElseThrow()).toList();
        int n = values.length;
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        double mean = n == 0 ? Double.NaN : sum / n;
        if (n < 2) {
            return new IterationStats(mean, Double.NaN, n, unit, means);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return new IterationStats(mean, Math.sqrt(ss / (n - 1)), n, unit, means);
    }

    /**
     * From JMH's score and error: the error is {@code t(0.9995, n−1) · sd / √n}, so the standard
     * deviation comes back exactly. JMH gives no error with two iterations or fewer, and then
     * neither is there a standard deviation here. The fork means come as the summary kept them.
     */
    static IterationStats ofJmh(Metric m, long n) {
        if (n < 2 || !Double.isFinite(m.error())) {
            return new IterationStats(m.score(), Double.NaN, n, m.unit(), m.forkMeans());
        }
        double t = new TDistribution(n - 1).inverseCumulativeProbability(1 - (1 - JMH_LEVEL) / 2);
        return new IterationStats(m.score(), m.error() * Math.sqrt(n) / t, n, m.unit(), m.forkMeans());
    }

    boolean hasSpread() {
        return n >= 2 && Double.isFinite(sd);
    }

    /** Whether two forks or more ran and each has a mean: then their scatter is a sample of reruns. */
    boolean hasForkSpread() {
        return forkMeans.size() >= 2 && forkMeans.stream().allMatch(Double::isFinite);
    }

    /**
     * The forks as the samples: each fork's mean one draw, their sample standard deviation, as many
     * as there were forks; the mean stays the trial's (the same when every fork ran as many
     * iterations, as JMH's forks do). Only where {@link #hasForkSpread()}.
     */
    IterationStats overForks() {
        if (!hasForkSpread()) {
            throw new IllegalStateException("no fork spread to take the samples from: " + this);
        }
        IterationStats forks = ofValues(forkMeans.stream().mapToDouble(Double::doubleValue).toArray(), unit);
        return new IterationStats(mean, forks.sd(), forks.n(), unit, forkMeans);
    }
}
