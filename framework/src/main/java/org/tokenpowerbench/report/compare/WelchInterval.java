package org.tokenpowerbench.report.compare;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * A confidence interval for the difference of two means, {@code new − base}, by Welch's t
 * (unequal variances, Welch–Satterthwaite degrees of freedom): two runs of a benchmark seldom
 * have the same spread, and the plain pooled t-interval would then cover too little or too much.
 * The samples are the iterations, taken as independent draws as JMH's own error takes them, or,
 * when both runs ran several forks, the forks' means ({@link Change#of} says why).
 *
 * @param difference       new mean − base mean
 * @param low              the interval's lower end
 * @param high             the interval's upper end
 * @param degreesOfFreedom Welch–Satterthwaite's ν; infinite when both sides have no spread
 */
record WelchInterval(double difference, double low, double high, double degreesOfFreedom) {

    static final double LEVEL = 0.95;

    /** The interval at {@code level}; both sides need two samples or more and a known spread. */
    static WelchInterval of(IterationStats base, IterationStats now, double level) {
        if (!base.hasSpread() || !now.hasSpread()) {
            throw new IllegalArgumentException("Welch's interval needs two iterations and a spread on both sides: "
                    + base + ", " + now);
        }
        double difference = now.mean() - base.mean();
        double vb = base.sd() * base.sd() / base.n();
        double vn = now.sd() * now.sd() / now.n();
        double se = Math.sqrt(vb + vn);
        if (se == 0) {
            // both runs repeated one value exactly: the difference is what it is
            return new WelchInterval(difference, difference, difference, Double.POSITIVE_INFINITY);
        }
        double df = (vb + vn) * (vb + vn) / (vb * vb / (base.n() - 1) + vn * vn / (now.n() - 1));
        double t = new TDistribution(df).inverseCumulativeProbability(1 - (1 - level) / 2);
        return new WelchInterval(difference, difference - t * se, difference + t * se, df);
    }

    boolean excludesZero() {
        return low > 0 || high < 0;
    }

    boolean covers(double value) {
        return low <= value && value <= high;
    }
}
