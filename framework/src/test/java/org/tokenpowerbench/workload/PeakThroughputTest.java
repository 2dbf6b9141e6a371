package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.client.ChunkArrivals;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.stats.LatencyHistogram;

class PeakThroughputTest {

    private static final long STEP = ChunkArrivals.STEP_NANOS;
    /** A wave that starts on a step boundary, far from zero. */
    private static final long T0 = 1_000_000 * STEP;

    /** A request whose chunks arrived {@code perStep[i]} at a time in step {@code fromStep + i}. */
    private static RequestTimeline request(int fromStep, int[] perStep, int outputTokens, String error) {
        int chunks = 0;
        for (int c : perStep) {
            chunks += c;
        }
        return new RequestTimeline(0, 0, T0, T0, T0 + fromStep * STEP, T0 + (fromStep + perStep.length) * STEP,
                T0 + (fromStep + perStep.length) * STEP, 10, outputTokens, outputTokens, TokenCountSource.SERVER_USAGE,
                chunks, new LatencyHistogram(), error, error == null ? null : "io", T0 + fromStep * STEP,
                new ChunkArrivals(T0 / STEP + fromStep, perStep));
    }

    private static int[] steps(int n, int each) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, each);
        return a;
    }

    @Test
    void theBusiestSecondCountsTokensNotChunks() {
        List<RequestTimeline> rs = new ArrayList<>();
        rs.add(request(0, steps(30, 2), 60, null));          // 2 chunks per step, 1 token each: 20 tokens/s
        rs.add(request(10, steps(10, 5), 200, null));        // steps 10-19: 50 chunks of 4 tokens: 200 tokens in 1 s
        WaveRecord wave = new WaveRecord(T0, T0 + 30 * STEP, 2, rs);
        PeakThroughput p = PeakThroughput.of(wave);
        assertEquals(20 + 200, p.tokensPerSecond(), 1e-9, "the second with both requests streaming");
        assertEquals(T0 + 10 * STEP, p.windowStartNanos());
    }

    @Test
    void failedRequestsAndRequestsWithoutCountsDoNotCount() {
        List<RequestTimeline> rs = new ArrayList<>();
        rs.add(request(0, steps(20, 3), 60, null));
        rs.add(request(0, steps(20, 9), 180, "cut"));
        rs.add(request(0, steps(20, 9), -1, null));
        PeakThroughput p = PeakThroughput.of(new WaveRecord(T0, T0 + 20 * STEP, 3, rs));
        assertEquals(30, p.tokensPerSecond(), 1e-9);
    }

    @Test
    void aWaveShorterThanASecondHasNoPeak() {
        List<RequestTimeline> rs = List.of(request(0, steps(5, 4), 20, null));
        assertNull(PeakThroughput.of(new WaveRecord(T0, T0 + 5 * STEP, 1, rs)));
        assertNull(PeakThroughput.of(new WaveRecord(T0, T0 + 20 * STEP, 1, List.of())), "nothing counted");
    }

    @Test
    void chunksOutsideTheWaveAreNotItsThroughput() {
        // a request streaming before the wave's window opened (an open-loop warm-up, say)
        List<RequestTimeline> rs = List.of(request(-10, steps(20, 10), 200, null));
        PeakThroughput p = PeakThroughput.of(new WaveRecord(T0, T0 + 15 * STEP, 1, rs));
        assertEquals(100, p.tokensPerSecond(), 1e-9, "only steps 0-9 of the wave: 10 x 10 chunks of 1 token");
    }
}
