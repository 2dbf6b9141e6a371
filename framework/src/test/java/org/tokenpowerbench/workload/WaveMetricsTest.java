package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.stats.LatencyHistogram;

/** A wave's latency and token figures, computed without JMH, against waves built by hand. */
class WaveMetricsTest {

    private static final long MS = 1_000_000L;

    /** A request sent at 1 ms, first token at 5 ms, then {@code produced - 1} gaps of {@code gapMs} (one of {@code stallMs}). */
    private static RequestTimeline request(int i, int produced, int requested, double gapMs, double stallMs) {
        LatencyHistogram itl = new LatencyHistogram();
        itl.record(gapMs, produced - 2);
        itl.record(stallMs, 1);
        long last = 5 * MS + Math.round(((produced - 2) * gapMs + stallMs) * MS);
        return new RequestTimeline(i, i, 0, MS, 5 * MS, last, last + MS, 10, produced, requested,
                TokenCountSource.SERVER_USAGE, produced, itl, null, null);
    }

    private static WaveRecord wave(RequestTimeline... rs) {
        return new WaveRecord(0, 10_000 * MS, rs.length, List.of(rs));
    }

    @Test
    void figuresOfTheSucceededRequests() {
        WaveMetrics m = WaveMetrics.of(wave(request(0, 8, 8, 2, 2), request(1, 8, 8, 2, 2)), false, Slo.NONE);
        assertEquals(2, m.succeeded());
        assertEquals(0, m.failed());
        assertEquals(16, m.outputTokens());
        assertEquals(20, m.promptTokens());
        assertEquals(4.0, m.ttft().p50(), 1e-9, "first token 4 ms after the send");
        assertEquals(2.0, m.itl().p50(), 0.02);
        assertEquals(1.0, m.shareOfRequested(), 1e-12);
        assertEquals("server-usage", m.tokenSource());
        assertNull(m.latency(), "closed loop: no due-time latency");
        assertNull(m.goodput(), "no SLO");
        assertNull(m.lengthWarning(0, "p"));
        assertNull(m.stallWarning());
        assertNull(m.prefixCacheWarning());
    }

    @Test
    void retriesAreTheWavesTotalFailedRequestsIncluded() {
        RequestTimeline failed = RequestTimeline.notSent(2, 2, 0, MS, 8, "io", "cut").withRetries(1);
        WaveMetrics m = WaveMetrics.of(wave(request(0, 8, 8, 2, 2).withRetries(1), request(1, 8, 8, 2, 2), failed),
                false, Slo.NONE);
        assertEquals(2, m.retries());
        assertEquals(0, WaveMetrics.of(wave(request(0, 8, 8, 2, 2)), false, Slo.NONE).retries());
    }

    @Test
    void aStallTheServerRecoveredFromIsSaidEvenWhenPercentilesHideIt() {
        // 2 requests x 64 tokens with 2 ms gaps, and one gap of 30 s: p99 of the gaps stays 2 ms
        WaveMetrics m = WaveMetrics.of(wave(request(0, 64, 64, 2, 30_000), request(1, 64, 64, 2, 2)), false, Slo.NONE);
        assertEquals(2.0, m.itl().p99(), 0.02, "the percentiles hide it");
        assertEquals(30_000, m.itl().max(), 30_000 * 0.005, "the longest gap does not");
        String warning = m.stallWarning();
        assertTrue(warning != null && warning.contains("30000 ms") && warning.contains("stalled"), warning);
    }

    @Test
    void aLongGapThatIsTheWavesUsualPaceIsNoStall() {
        // a slow model: every gap is 1.5 s; nothing stands out
        WaveMetrics m = WaveMetrics.of(wave(request(0, 4, 4, 1500, 1500)), false, Slo.NONE);
        assertNull(m.stallWarning(), "1.5 s is this wave's median");
    }

    @Test
    void aShortWaveIsNoStallEitherHoweverUneven() {
        WaveMetrics m = WaveMetrics.of(wave(request(0, 8, 8, 1, 500)), false, Slo.NONE);
        assertNull(m.stallWarning(), "500 ms is under the 1 s floor");
    }

    @Test
    void outputsOtherThanAskedForAreWarnedBeyondTheTolerance() {
        WaveMetrics m = WaveMetrics.of(wave(request(0, 6, 8, 2, 2), request(1, 8, 8, 2, 2)), false, Slo.NONE);
        assertEquals(14.0 / 16, m.shareOfRequested(), 1e-12);
        assertEquals(1, m.otherLength());
        assertTrue(m.lengthWarning(0, "tpb.outputTolerance").contains("produced 14 output tokens where 16"));
        assertNull(m.lengthWarning(0.2, "tpb.outputTolerance"), "within 20 %");
    }

    @Test
    void moreTokensThanAskedForAreSetAgainstTheChunksThatCarriedThem() {
        // the server says 20 where 8 were asked for, and streamed 8 chunks: it ignored max_tokens, or it lies
        RequestTimeline counted20 = new RequestTimeline(0, 0, 0, MS, 5 * MS, 19 * MS, 20 * MS, 10, 20, 8,
                TokenCountSource.SERVER_USAGE, 8, new LatencyHistogram(), null, null);
        String w = WaveMetrics.of(wave(counted20), false, Slo.NONE).lengthWarning(0, "p");
        assertTrue(w.contains("produced 20 output tokens where 8") && w.contains("carried 8 chunks of text")
                && w.contains("fit within what was asked for"), w);
    }

    /** A request that succeeded with {@code chunks} chunks of text, none counted (no usage, no tokenizer). */
    private static RequestTimeline uncounted(int i, int chunks) {
        return new RequestTimeline(i, i, 0, MS, 5 * MS, 9 * MS, 10 * MS, -1, -1, 8, TokenCountSource.NONE, chunks,
                new LatencyHistogram(), null, null);
    }

    @Test
    void requestsWithNoTokenCountAreNamedAndNeverCountedAsZero() {
        // once: "produced 0 output tokens where 8 were requested (0 of 1 requests differ ...)"
        WaveMetrics all = WaveMetrics.of(wave(uncounted(0, 4)), false, Slo.NONE);
        assertEquals("none", all.tokenSource());
        assertNull(all.lengthWarning(0, "p"), "no length is known to differ");
        String w = all.tokenCountWarning();
        assertTrue(w != null && w.contains("1 of 1 successful requests have no output token count")
                && w.contains("none is reported") && w.contains("tokenizer="), w);
        WaveMetrics some = WaveMetrics.of(wave(request(0, 8, 8, 2, 2), uncounted(1, 4)), false, Slo.NONE);
        assertNull(some.lengthWarning(0, "p"), "the counted request got its 8");
        assertEquals(1.0, some.shareOfRequested(), 1e-12);
        assertTrue(some.tokenCountWarning().contains("1 of 2") && some.tokenCountWarning().contains("too low"),
                some.tokenCountWarning());
        assertNull(WaveMetrics.of(wave(request(0, 8, 8, 2, 2)), false, Slo.NONE).tokenCountWarning());
    }

    @Test
    void tokensThatArrivedInOneReadOrNeverAsTextAreSaid() {
        // every token in the read that brought the first: TPOT 0 is the client's view, not the decode's
        RequestTimeline burst = new RequestTimeline(0, 0, 0, MS, 500 * MS, 500 * MS, 501 * MS, 10, 4, 4,
                TokenCountSource.SERVER_USAGE, 4, new LatencyHistogram(), null, null);
        assertEquals(0.0, burst.tpotMillis(), 0);
        String w = WaveMetrics.of(wave(burst, request(1, 8, 8, 2, 2)), false, Slo.NONE).deliveryWarning();
        assertTrue(w != null && w.contains("1 of 2 successful requests delivered every token in one read"), w);
        // four tokens counted, no text streamed: no TTFT, no TPOT
        RequestTimeline textless = new RequestTimeline(0, 0, 0, MS, -1, -1, 10 * MS, 10, 4, 4,
                TokenCountSource.SERVER_USAGE, 0, new LatencyHistogram(), null, null);
        w = WaveMetrics.of(wave(textless), false, Slo.NONE).deliveryWarning();
        assertTrue(w != null && w.contains("1 of 1 successful requests streamed no text"), w);
        assertNull(WaveMetrics.of(wave(request(0, 8, 8, 2, 2)), false, Slo.NONE).deliveryWarning());
    }

    @Test
    void openLoopHasDueTimeLatency() {
        WaveMetrics m = WaveMetrics.of(wave(request(0, 8, 8, 2, 2)), true, Slo.NONE);
        assertEquals(1 + m.e2e().p50(), m.latency().p50(), 1e-9, "queued 1 ms before the send: latency is queue + E2E");
        assertEquals(1 / 10.0, m.requestsPerSecond(), 1e-12, "one request in a 10 s window");
    }
}
