package org.tokenpowerbench.workload;

import org.tokenpowerbench.client.ChunkArrivals;
import org.tokenpowerbench.client.RequestTimeline;

/**
 * The most output tokens a wave delivered in any one second: the busiest 1-second window, moved
 * in 100 ms steps over the wave (each request's chunks counted per step as they arrived).
 *
 * <p>Tokens, not chunks: a request's chunks are weighted by the tokens they carried on average,
 * {@code outputTokens / contentChunks}, so a server that sends several tokens per chunk
 * (speculative decoding) is not under-counted. Only succeeded requests with a token count count,
 * as for the average throughput. Steps at the wave's edges are partly outside it, which can only
 * lower a window, never raise it.
 *
 * @param tokensPerSecond  output tokens in the busiest window (its length is one second)
 * @param windowStartNanos where that window starts, on the monotonic clock
 */
public record PeakThroughput(double tokensPerSecond, long windowStartNanos) {

    /** Steps in one window: one second. */
    static final int WINDOW_STEPS = (int) (1_000_000_000L / ChunkArrivals.STEP_NANOS);

    /** The peak of {@code wave}, or null when it is shorter than one window or has no counted tokens. */
    public static PeakThroughput of(WaveRecord wave) {
        long first = Math.floorDiv(wave.startNanos(), ChunkArrivals.STEP_NANOS);
        long last = Math.floorDiv(wave.endNanos(), ChunkArrivals.STEP_NANOS);
        long span = last - first + 1;
        if (span < WINDOW_STEPS || span > Integer.MAX_VALUE) {
            return null;
        }
        double[] tokens = new double[(int) span];
        boolean any = false;
        for (RequestTimeline r : wave.requests()) {
            ChunkArrivals a = r.arrivals();
            long chunks = a.chunks();
            if (!r.succeeded() || r.outputTokens() < 0 || chunks == 0) {
                continue;
            }
            double perChunk = (double) r.outputTokens() / chunks;
            int[] counts = a.counts();
            for (int i = 0; i < counts.length; i++) {
                long at = a.firstStep() + i - first;
                if (at >= 0 && at < span && counts[i] > 0) {
                    tokens[(int) at] += counts[i] * perChunk;
                    any = true;
                }
            }
        }
        if (!any) {
            return null;
        }
        double window = 0;
        for (int i = 0; i < WINDOW_STEPS; i++) {
            window += tokens[i];
        }
        double best = window;
        int bestAt = 0;
        for (int i = WINDOW_STEPS; i < tokens.length; i++) {
            window += tokens[i] - tokens[i - WINDOW_STEPS];
            if (window > best + 1e-9) {
                best = window;
                bestAt = i - WINDOW_STEPS + 1;
            }
        }
        return new PeakThroughput(best, (first + bestAt) * ChunkArrivals.STEP_NANOS);
    }
}
