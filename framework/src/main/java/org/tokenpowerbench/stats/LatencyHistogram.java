package org.tokenpowerbench.stats;

import java.util.Arrays;

/**
 * A weighted latency histogram whose memory does not grow with the number of values recorded:
 * one entry per occupied bucket, and buckets are logarithmic, each 0.5 % wider than the one below.
 * A quantile is the geometric middle of its bucket, so it lies within 0.25 % of a value that was
 * recorded in that bucket; count, mean, min and max are exact.
 *
 * <p>Why: a request that streams 30,000 tokens must not keep 30,000 inter-token latencies, and a
 * wave of 10,000 such requests must not keep 300 million. Inter-token latencies cluster tightly
 * (one decode step ± jitter), so a request typically occupies tens of buckets; the worst case is
 * bounded by the range of the values, not their number: values spanning a factor of a million
 * (1 µs to 1 s) can occupy at most about 2,800 buckets.
 *
 * <p>Values are milliseconds, finite and ≥ 0; values below one nanosecond share a zero bucket.
 * Weights may be fractional: a chunk that carried 2.5 tokens on average records its per-token gap
 * with weight 2.5. Not thread-safe.
 */
public final class LatencyHistogram {

    /** Each bucket's upper bound is this factor times its lower bound. */
    static final double GROWTH = 1.005;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    /** One nanosecond, in milliseconds: the lower bound of bucket 0. */
    private static final double SMALLEST = 1e-6;
    private static final int ZERO_BUCKET = -1;

    private int[] keys = new int[8];
    private double[] weights = new double[8];
    private int size;
    private double totalWeight;
    private double weightedSum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    /** Records one value with weight 1. */
    public void record(double millis) {
        record(millis, 1);
    }

    /**
     * Records {@code millis} as {@code weight} observations.
     *
     * @throws IllegalArgumentException for a negative or non-finite value or weight
     */
    public void record(double millis, double weight) {
        if (!(millis >= 0) || Double.isInfinite(millis)) {
            throw new IllegalArgumentException("a latency must be finite and >= 0 ms, got " + millis);
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("a weight must be finite and >= 0, got " + weight);
        }
        if (weight == 0) {
            return;
        }
        add(bucket(millis), weight);
        totalWeight += weight;
        weightedSum += millis * weight;
        min = Math.min(min, millis);
        max = Math.max(max, millis);
    }

    /** Adds every observation of {@code other} to this histogram. */
    public void addAll(LatencyHistogram other) {
        if (other.size == 0) {
            return;
        }
        int[] k = new int[size + other.size];
        double[] w = new double[k.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < size || j < other.size) {
            if (j == other.size || (i < size && keys[i] < other.keys[j])) {
                k[n] = keys[i];
                w[n++] = weights[i++];
            } else if (i == size || other.keys[j] < keys[i]) {
                k[n] = other.keys[j];
                w[n++] = other.weights[j++];
            } else {
                k[n] = keys[i];
                w[n++] = weights[i++] + other.weights[j++];
            }
        }
        keys = k;
        weights = w;
        size = n;
        totalWeight += other.totalWeight;
        weightedSum += other.weightedSum;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
    }

    /**
     * A new histogram in which every observation is divided into {@code parts} equal parts: a gap
     * of {@code g} ms recorded once becomes {@code parts} observations of {@code g / parts} ms. The
     * sum of all values is unchanged; {@code parts == 1} returns a copy with no rounding. Buckets
     * are re-binned from their middles, so quantiles may move by up to one more bucket (0.5 %).
     */
    public LatencyHistogram divided(double parts) {
        if (!(parts > 0) || Double.isInfinite(parts)) {
            throw new IllegalArgumentException("parts must be finite and > 0, got " + parts);
        }
        LatencyHistogram out = new LatencyHistogram();
        if (parts == 1) {
            out.addAll(this);
            return out;
        }
        for (int i = 0; i < size; i++) {
            out.add(bucket(middle(keys[i]) / parts), weights[i] * parts);
        }
        out.totalWeight = totalWeight * parts;
        out.weightedSum = weightedSum;
        out.min = size == 0 ? min : min / parts;
        out.max = size == 0 ? max : max / parts;
        return out;
    }

    /** Total weight recorded (the number of observations when every weight is 1). */
    public double weight() {
        return totalWeight;
    }

    /** Exact weighted mean; NaN when empty. */
    public double mean() {
        return totalWeight > 0 ? weightedSum / totalWeight : Double.NaN;
    }

    /** Exact weighted sum of the values, in milliseconds. */
    public double sum() {
        return weightedSum;
    }

    /** Exact smallest value; NaN when empty. */
    public double min() {
        return size > 0 ? min : Double.NaN;
    }

    /** Exact largest value; NaN when empty. */
    public double max() {
        return size > 0 ? max : Double.NaN;
    }

    /** Occupied buckets: the memory this histogram holds, in entries. */
    public int buckets() {
        return size;
    }

    /**
     * The {@code q}-quantile: the middle of the first bucket at which the cumulative weight
     * reaches {@code q} of the total, clamped to the exact min and max. {@code q = 0} gives the
     * min, {@code q = 1} the max; NaN when empty.
     */
    public double quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("a quantile must lie in [0, 1], got " + q);
        }
        if (size == 0) {
            return Double.NaN;
        }
        if (q == 0) {
            return min;
        }
        if (q == 1) {
            return max;
        }
        double target = q * totalWeight;
        double cumulative = 0;
        int i = 0;
        for (; i < size - 1; i++) {
            cumulative += weights[i];
            if (cumulative >= target) {
                break;
            }
        }
        return Math.max(min, Math.min(max, middle(keys[i])));
    }

    private void add(int key, double weight) {
        int at = Arrays.binarySearch(keys, 0, size, key);
        if (at >= 0) {
            weights[at] += weight;
            return;
        }
        at = -at - 1;
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            weights = Arrays.copyOf(weights, size * 2);
        }
        System.arraycopy(keys, at, keys, at + 1, size - at);
        System.arraycopy(weights, at, weights, at + 1, size - at);
        keys[at] = key;
        weights[at] = weight;
        size++;
    }

    static int bucket(double millis) {
        if (millis < SMALLEST) {
            return ZERO_BUCKET;
        }
        return (int) Math.floor(Math.log(millis / SMALLEST) / LOG_GROWTH);
    }

    /** Geometric middle of a bucket: within a factor sqrt(GROWTH) of anything in it. */
    static double middle(int key) {
        return key == ZERO_BUCKET ? 0 : SMALLEST * Math.exp((key + 0.5) * LOG_GROWTH);
    }
}
