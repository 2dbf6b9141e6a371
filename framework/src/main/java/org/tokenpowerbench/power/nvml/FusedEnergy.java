package org.tokenpowerbench.power.nvml;

import java.util.Arrays;

/**
 * Energy in any window from two views of one device: a sparse energy counter, exact but updated
 * only every ~100 ms and costly to read, and a dense power trace that shows the shape in time.
 *
 * <p>The counter fixes the energy between each pair of its consecutive readings; inside each
 * such interval the energy is distributed in time in proportion to the integrated power (so a
 * sub-window gets the counter's delta times its share of the power integral). Where the power
 * integral over an interval is zero or unknown the delta is spread uniformly. Consequences,
 * which the tests check:
 * <ul>
 *   <li>a window whose ends are counter readings gets exactly the counter's delta;</li>
 *   <li>adjacent windows add up to the window that spans them (energy is conserved);</li>
 *   <li>the fused energy never decreases in time and never goes below zero in a window.</li>
 * </ul>
 *
 * <p>The power trace is integrated trapezoidally between its samples and held constant before
 * its first and after its last sample. {@link Double#NaN} marks "not read" in either input and
 * such entries are skipped. Times are {@link System#nanoTime()} nanoseconds. Windows must lie
 * within the counter's first and last readings ({@link #covers}); the sampler makes sure by
 * reading the counter on every window boundary.
 */
public final class FusedEnergy {
    private final long[] counterNanos;
    private final double[] counterJoules;
    private final long[] powerNanos;
    private final double[] powerWatts;
    /** Trapezoid integral of power from powerNanos[0] to powerNanos[i], joules. */
    private final double[] powerCumulative;
    /** Power integral over each counter interval. */
    private final double[] intervalPowerJoules;

    private FusedEnergy(long[] cT, double[] cE, long[] pT, double[] pW) {
        this.counterNanos = cT;
        this.counterJoules = cE;
        this.powerNanos = pT;
        this.powerWatts = pW;
        this.powerCumulative = new double[pT.length];
        for (int i = 1; i < pT.length; i++) {
            powerCumulative[i] = powerCumulative[i - 1] + (pW[i - 1] + pW[i]) / 2 * (pT[i] - pT[i - 1]) * 1e-9;
        }
        this.intervalPowerJoules = new double[Math.max(0, cT.length - 1)];
        for (int k = 0; k + 1 < cT.length; k++) {
            intervalPowerJoules[k] = powerIntegral(cT[k + 1]) - powerIntegral(cT[k]);
        }
    }

    /**
     * Builds the fused view.
     *
     * @param counterNanos  times of counter samples, non-decreasing
     * @param counterJoules cumulative joules at those times, NaN where not read; the read values
     *                      must not decrease
     * @param powerNanos    times of power samples, non-decreasing
     * @param powerWatts    watts at those times, NaN where not read
     * @throws IllegalArgumentException when lengths differ, time runs backwards or the counter decreases
     */
    public static FusedEnergy of(long[] counterNanos, double[] counterJoules, long[] powerNanos, double[] powerWatts) {
        if (counterNanos.length != counterJoules.length || powerNanos.length != powerWatts.length) {
            throw new IllegalArgumentException("times and values differ in length: counter "
                    + counterNanos.length + "/" + counterJoules.length + ", power "
                    + powerNanos.length + "/" + powerWatts.length);
        }
        int m = 0;
        long[] cT = new long[counterNanos.length];
        double[] cE = new double[counterNanos.length];
        for (int i = 0; i < counterNanos.length; i++) {
            if (Double.isNaN(counterJoules[i])) {
                continue;
            }
            if (m > 0 && counterNanos[i] < cT[m - 1]) {
                throw new IllegalArgumentException("counter time runs backwards at sample " + i);
            }
            if (m > 0 && counterJoules[i] < cE[m - 1]) {
                throw new IllegalArgumentException("counter decreases at sample " + i + ": "
                        + cE[m - 1] + " J then " + counterJoules[i] + " J");
            }
            if (m > 0 && counterNanos[i] == cT[m - 1]) {
                cE[m - 1] = counterJoules[i];
                continue;
            }
            cT[m] = counterNanos[i];
            cE[m] = counterJoules[i];
            m++;
        }
        int n = 0;
        long[] pT = new long[powerNanos.length];
        double[] pW = new double[powerNanos.length];
        for (int i = 0; i < powerNanos.length; i++) {
            if (Double.isNaN(powerWatts[i])) {
                continue;
            }
            if (n > 0 && powerNanos[i] < pT[n - 1]) {
                throw new IllegalArgumentException("power time runs backwards at sample " + i);
            }
            pT[n] = powerNanos[i];
            pW[n] = powerWatts[i];
            n++;
        }
        return new FusedEnergy(Arrays.copyOf(cT, m), Arrays.copyOf(cE, m), Arrays.copyOf(pT, n), Arrays.copyOf(pW, n));
    }

    /** True when both ends of the window lie within the counter's first and last readings. */
    public boolean covers(long fromNanos, long toNanos) {
        return counterNanos.length >= 2 && fromNanos <= toNanos
                && fromNanos >= counterNanos[0] && toNanos <= counterNanos[counterNanos.length - 1];
    }

    /**
     * Fused energy in {@code [fromNanos, toNanos]}, joules.
     *
     * @throws IllegalArgumentException when the counter does not cover the window
     */
    public double joules(long fromNanos, long toNanos) {
        if (!covers(fromNanos, toNanos)) {
            throw new IllegalArgumentException("window [" + fromNanos + ", " + toNanos + "] ns is not within"
                    + " the counter's readings" + (counterNanos.length < 2 ? " (fewer than two readings)"
                    : " [" + counterNanos[0] + ", " + counterNanos[counterNanos.length - 1] + "] ns")
                    + "; read the counter at both ends of every window");
        }
        return cumulative(toNanos) - cumulative(fromNanos);
    }

    /** Joules from the first counter reading to {@code atNanos}, which must be covered. */
    private double cumulative(long atNanos) {
        int last = counterNanos.length - 1;
        if (atNanos >= counterNanos[last]) {
            return counterJoules[last] - counterJoules[0];
        }
        int k = Arrays.binarySearch(counterNanos, atNanos);
        if (k >= 0) {
            return counterJoules[k] - counterJoules[0];
        }
        k = -k - 2; // counterNanos[k] < atNanos < counterNanos[k + 1]
        double delta = counterJoules[k + 1] - counterJoules[k];
        double share;
        double shape = intervalPowerJoules[k];
        if (shape > 0 && Double.isFinite(shape)) {
            share = (powerIntegral(atNanos) - powerIntegral(counterNanos[k])) / shape;
            share = Math.min(1, Math.max(0, share));
        } else {
            share = (double) (atNanos - counterNanos[k]) / (counterNanos[k + 1] - counterNanos[k]);
        }
        return counterJoules[k] - counterJoules[0] + delta * share;
    }

    /** Integral of the power trace from its first sample to {@code t} (negative before it), joules. */
    private double powerIntegral(long t) {
        int n = powerNanos.length;
        if (n == 0) {
            return 0;
        }
        if (t <= powerNanos[0]) {
            return -powerWatts[0] * (powerNanos[0] - t) * 1e-9;
        }
        if (t >= powerNanos[n - 1]) {
            return powerCumulative[n - 1] + powerWatts[n - 1] * (t - powerNanos[n - 1]) * 1e-9;
        }
        int i = Arrays.binarySearch(powerNanos, t);
        if (i >= 0) {
            while (i > 0 && powerNanos[i - 1] == t) {
                i--;
            }
            return powerCumulative[i];
        }
        i = -i - 2; // powerNanos[i] < t < powerNanos[i + 1]
        double span = powerNanos[i + 1] - powerNanos[i];
        double wAtT = powerWatts[i] + (powerWatts[i + 1] - powerWatts[i]) * ((t - powerNanos[i]) / span);
        return powerCumulative[i] + (powerWatts[i] + wAtT) / 2 * (t - powerNanos[i]) * 1e-9;
    }

    /**
     * Trapezoid integral of a power trace alone over {@code [fromNanos, toNanos]}, joules: the
     * {@code sampled} method, for devices without a counter and for cross-checks. NaN when the
     * trace holds no reading.
     */
    public static double trapezoidJoules(long[] powerNanos, double[] powerWatts, long fromNanos, long toNanos) {
        FusedEnergy p = of(new long[0], new double[0], powerNanos, powerWatts);
        if (p.powerNanos.length == 0) {
            return Double.NaN;
        }
        return p.powerIntegral(toNanos) - p.powerIntegral(fromNanos);
    }
}
