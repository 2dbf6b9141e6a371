package org.tokenpowerbench.workload;

import org.tokenpowerbench.stats.LatencyHistogram;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;

/** SLOs are checked as the user sees them: queue time counts. */
class GoodputTest {

    private static final long MS = 1_000_000L;

    /** Due at {@code due} ms, sent 10 ms later, first token 100 ms after sending, then 50 ms per token. */
    static RequestTimeline request(int index, long due, int outputTokens, String error) {
        long sent = due + 10;
        long first = sent + 100;
        long last = first + 50L * (outputTokens - 1);
        return new RequestTimeline(index, index, due * MS, sent * MS, first * MS, last * MS, (last + 1) * MS, 20,
                outputTokens, outputTokens, TokenCountSource.SERVER_USAGE, outputTokens, new LatencyHistogram(), error,
                error == null ? null : "http-503");
    }

    @Test
    void queueTimeCountsAgainstTtftAndE2e() {
        RequestTimeline r = request(0, 0, 5, null); // queue 10, TTFT 100, TPOT 50, E2E 300
        assertEquals(10, r.queueMillis(), 1e-9);
        assertTrue(new Slo(110, 0, 0).met(r));
        assertFalse(new Slo(105, 0, 0).met(r), "TTFT alone (100 ms) would pass; the user waited 110 ms");
        assertTrue(new Slo(0, 50, 0).met(r));
        assertFalse(new Slo(0, 49.9, 0).met(r));
        assertTrue(new Slo(0, 0, 310).met(r));
        assertFalse(new Slo(0, 0, 305).met(r));
        assertTrue(new Slo(110, 50, 310).met(r));
        assertFalse(new Slo(110, 50, 309).met(r), "every objective must hold");
    }

    @Test
    void failedRequestsAreNeverGoodAndOneTokenHasNoTpot() {
        assertFalse(new Slo(1e9, 0, 0).met(request(0, 0, 5, "HTTP 503")));
        assertTrue(new Slo(0, 1, 0).met(request(0, 0, 1, null)), "no TPOT to miss with a single token");
    }

    @Test
    void goodputOfAWave() {
        List<RequestTimeline> rs = List.of(
                request(0, 0, 5, null),        // latency 310
                request(1, 100, 5, null),      // latency 310
                request(2, 200, 9, null),      // latency 510: misses e2e
                request(3, 300, 5, "HTTP 503"));
        WaveRecord wave = new WaveRecord(0, 2000 * MS, 0, rs);
        Goodput g = Goodput.of(wave, new Slo(0, 0, 400));
        assertEquals(4, g.requests());
        assertEquals(2, g.good());
        assertEquals(0.5, g.share(), 1e-12);
        assertEquals(10, g.goodOutputTokens());
        assertEquals(1.0, g.requestsPerSecond(), 1e-12);
        assertEquals(5.0, g.outputTokensPerSecond(), 1e-12);
        assertEquals("queue+e2e<=400ms", g.slo().describe());
    }

    @Test
    void objectives() {
        assertFalse(Slo.NONE.isSet());
        assertEquals("none", Slo.NONE.describe());
        assertEquals("queue+ttft<=500ms tpot<=12.5ms", new Slo(500, 12.5, 0).describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Slo(0, -1, 0));
        assertEquals("@Slo(tpotMs = -1.0) is not a time: give milliseconds >= 0 (0 for no objective)", e.getMessage());
    }
}
