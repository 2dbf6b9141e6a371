package org.tokenpowerbench.report.html;

import java.util.Arrays;
import java.util.List;

/**
 * The power of a wave's window split into what went to prefill, to decode and to idle, as mean
 * watts per time bucket: the timeline's stacked band under the power line. The split is the
 * attribution's (each instant's power to the phases then in flight, in proportion to their
 * policy weight — {@code token-weighted}: a phase's tokens over its length; {@code equal-share}:
 * one each — or to idle when no phase is in flight; an instant whose phases all weigh 0 is split
 * equally), taken over the power trace's {@code power_W} as a step (each value is the mean over
 * the interval that ends at its sample). So each bucket's three parts add up to the trace's mean
 * power over the bucket, exactly. It is for the eye: the joules in the tables are the
 * attribution's own, over the counter-fused signal.
 *
 * @param fromMs   where the first bucket starts, Unix ms
 * @param widthMs  each bucket's width
 * @param prefillW mean watts to prefill phases per bucket
 * @param decodeW  mean watts to decode phases per bucket
 * @param idleW    mean watts with no phase in flight per bucket
 * @param uncovered milliseconds of the window with no power value (outside the trace, or an empty {@code power_W})
 */
record PhaseShares(double fromMs, double widthMs, double[] prefillW, double[] decodeW, double[] idleW,
                   double uncovered) {

    /**
     * @param timeMs  the trace's sample times, Unix ms, ascending
     * @param watts   {@code power_W} per sample (NaN where empty)
     * @param policy  {@code token-weighted} or {@code equal-share}
     * @param buckets how many buckets over {@code [fromMs, toMs]}
     */
    static PhaseShares of(List<RequestLine> requests, double[] timeMs, double[] watts, String policy, double fromMs,
                          double toMs, int buckets) {
        boolean equal = "equal-share".equals(policy);
        int n = requests.size();
        double[][] events = new double[4 * n][];
        int e = 0;
        for (RequestLine r : requests) {
            double sent = r.sentMs();
            if (!Double.isFinite(sent)) {
                continue;
            }
            double first = r.firstTokenMs();
            double prefillEnd = Double.isFinite(first) ? first : Double.isFinite(r.e2eMs()) ? sent + r.e2eMs() : sent;
            if (prefillEnd > sent) {
                double w = equal ? 1 : weight(r.promptTokens(), prefillEnd - sent);
                events[e++] = new double[] {sent, w, 0, 1, 0};
                events[e++] = new double[] {prefillEnd, -w, 0, -1, 0};
            }
            double last = r.lastTokenMs();
            if (Double.isFinite(first) && Double.isFinite(last) && last > first) {
                double w = equal ? 1 : weight(r.outputTokens() - 1, last - first);
                events[e++] = new double[] {first, 0, w, 0, 1};
                events[e++] = new double[] {last, 0, -w, 0, -1};
            }
        }
        events = Arrays.copyOf(events, e);
        Arrays.sort(events, (a, b) -> Double.compare(a[0], b[0]));
        double width = (toMs - fromMs) / buckets;
        double[] prefill = new double[buckets];
        double[] decode = new double[buckets];
        double[] idle = new double[buckets];
        double uncovered = 0;
        double wPrefill = 0;
        double wDecode = 0;
        int nPrefill = 0;
        int nDecode = 0;
        int next = 0;
        int sample = firstAfter(timeMs, fromMs);
        double t = fromMs;
        while (t < toMs && width > 0) {
            while (next < e && events[next][0] <= t) {
                wPrefill += events[next][1];
                wDecode += events[next][2];
                nPrefill += (int) events[next][3];
                nDecode += (int) events[next][4];
                next++;
            }
            if (nPrefill == 0) {
                wPrefill = 0; // no residue of the sums once no phase of the kind is in flight
            }
            if (nDecode == 0) {
                wDecode = 0;
            }
            while (sample < timeMs.length && timeMs[sample] <= t) {
                sample++;
            }
            int bucket = Math.min(buckets - 1, (int) ((t - fromMs) / width));
            double end = Math.min(toMs, fromMs + (bucket + 1) * width);
            if (next < e) {
                end = Math.min(end, events[next][0]);
            }
            if (sample < timeMs.length) {
                end = Math.min(end, timeMs[sample]);
            }
            if (end <= t) { // rounding at a bucket edge
                end = Math.min(toMs, Math.nextUp(t));
            }
            double w = sample > 0 && sample < timeMs.length ? watts[sample] : Double.NaN;
            double ms = end - t;
            if (!Double.isFinite(w)) {
                uncovered += ms;
            } else {
                double joulesTimesMs = w * ms;
                if (nPrefill + nDecode == 0) {
                    idle[bucket] += joulesTimesMs;
                } else {
                    double total = wPrefill + wDecode;
                    double toPrefill = total > 1e-12 * (Math.abs(wPrefill) + Math.abs(wDecode)) && total > 0
                            ? Math.min(1, Math.max(0, wPrefill / total)) : (double) nPrefill / (nPrefill + nDecode);
                    prefill[bucket] += joulesTimesMs * toPrefill;
                    decode[bucket] += joulesTimesMs * (1 - toPrefill);
                }
            }
            t = end;
        }
        for (int b = 0; b < buckets; b++) {
            prefill[b] /= width;
            decode[b] /= width;
            idle[b] /= width;
        }
        return new PhaseShares(fromMs, width, prefill, decode, idle, uncovered);
    }

    private static double weight(double tokens, double ms) {
        return Double.isFinite(tokens) && tokens > 0 ? tokens / ms : 0;
    }

    private static int firstAfter(double[] timeMs, double t) {
        int i = Arrays.binarySearch(timeMs, t);
        return i >= 0 ? i : -i - 1;
    }
}
