package org.tokenpowerbench.energy;

/**
 * Neumaier's compensated sum: a running sum {@code hi} and the rounding error lost so far
 * {@code lo}, so that long sums of terms of very different size keep about twice the precision
 * of a double. {@code hi + lo} is the value; two snapshots subtract as
 * {@code (hi1 - hi0) + (lo1 - lo0)} without losing what the sum had accumulated before.
 */
final class CompensatedSum {
    private double hi;
    private double lo;

    void add(double x) {
        double s = hi + x;
        if (Math.abs(hi) >= Math.abs(x)) {
            lo += (hi - s) + x;
        } else {
            lo += (x - s) + hi;
        }
        hi = s;
    }

    double value() {
        return hi + lo;
    }

    double hi() {
        return hi;
    }

    double lo() {
        return lo;
    }

    void reset() {
        hi = 0;
        lo = 0;
    }
}
