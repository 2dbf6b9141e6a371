package org.tokenpowerbench.report.html;

import java.util.Arrays;

/**
 * A power trace cut to a time range and thinned for drawing: every sample while there are at
 * most two per bucket, else each bucket's lowest and highest sample in time order (min/max
 * decimation: every peak and trough the full trace has stays visible at the chart's resolution).
 * Display only; no figure of the page is computed from it.
 *
 * @param timeMs    the kept samples' times, Unix ms
 * @param watts     their {@code power_W}
 * @param samples   samples of the trace in the range before thinning
 * @param decimated whether it was thinned
 */
record PowerEnvelope(double[] timeMs, double[] watts, int samples, boolean decimated) {

    /** The samples of {@code (timeMs, watts)} in {@code [fromMs, toMs]} with a value, at most {@code 2 × buckets}. */
    static PowerEnvelope of(double[] timeMs, double[] watts, double fromMs, double toMs, int buckets) {
        int n = 0;
        double[] t = new double[timeMs.length];
        double[] w = new double[timeMs.length];
        for (int i = 0; i < timeMs.length; i++) {
            if (timeMs[i] >= fromMs && timeMs[i] <= toMs && Double.isFinite(watts[i])) {
                t[n] = timeMs[i];
                w[n] = watts[i];
                n++;
            }
        }
        if (n <= 2 * buckets) {
            return new PowerEnvelope(Arrays.copyOf(t, n), Arrays.copyOf(w, n), n, false);
        }
        double width = (toMs - fromMs) / buckets;
        double[] outT = new double[2 * buckets];
        double[] outW = new double[2 * buckets];
        int k = 0;
        int i = 0;
        for (int b = 0; b < buckets && i < n; b++) {
            double end = b == buckets - 1 ? Double.POSITIVE_INFINITY : fromMs + (b + 1) * width;
            int lo = -1;
            int hi = -1;
            for (; i < n && t[i] < end; i++) {
                if (lo < 0 || w[i] < w[lo]) {
                    lo = i;
                }
                if (hi < 0 || w[i] > w[hi]) {
                    hi = i;
                }
            }
            if (lo < 0) {
                continue;
            }
            int a = Math.min(lo, hi);
            int c = Math.max(lo, hi);
            outT[k] = t[a];
            outW[k++] = w[a];
            if (c != a) {
                outT[k] = t[c];
                outW[k++] = w[c];
            }
        }
        return new PowerEnvelope(Arrays.copyOf(outT, k), Arrays.copyOf(outW, k), n, true);
    }
}
