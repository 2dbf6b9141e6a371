package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wave view's split of power among phases, and its thinning of a long trace for drawing. */
class PhaseSharesTest {

    private static RequestLine request(int i, double sent, double first, double last, double prompt, double output) {
        return new RequestLine("t1", "trial", "measurement-1", "inv", i, sent, sent, first, last, last - sent,
                first - sent, Double.NaN, prompt, output, false);
    }

    @Test
    void everyBucketSplitsItsMeanPowerAmongPrefillDecodeAndIdleByTheTokenWeights() {
        // a 100 W step trace sampled every 1 ms over [0, 100] ms
        double[] t = new double[101];
        double[] w = new double[101];
        for (int i = 0; i < t.length; i++) {
            t[i] = i;
            w[i] = i == 0 ? Double.NaN : 100;
        }
        // request 0: prefill [10, 20) with 100 tokens (10/ms), decode [20, 60] with 41 tokens (1/ms)
        // request 1: prefill [20, 30) with 100 tokens (10/ms) while request 0 decodes
        List<RequestLine> requests = List.of(request(0, 10, 20, 60, 100, 41), request(1, 20, 30, 30, 100, 1));
        PhaseShares s = PhaseShares.of(requests, t, w, "token-weighted", 0, 100, 10);
        for (int b = 0; b < 10; b++) {
            assertEquals(100, s.prefillW()[b] + s.decodeW()[b] + s.idleW()[b], 1e-9, "bucket " + b);
        }
        assertEquals(100, s.idleW()[0], 1e-9, "nothing in flight before 10 ms");
        assertEquals(100, s.prefillW()[1], 1e-9, "only request 0's prefill in [10, 20)");
        assertEquals(100 * 10.0 / 11, s.prefillW()[2], 1e-9, "prefill weighs 10 tokens/ms against decode's 1");
        assertEquals(100, s.decodeW()[3], 1e-9);
        assertEquals(100, s.idleW()[7], 1e-9, "nothing in flight after 60 ms");
        assertEquals(0, s.uncovered(), 1e-9);

        PhaseShares equal = PhaseShares.of(requests, t, w, "equal-share", 0, 100, 10);
        assertEquals(50, equal.prefillW()[2], 1e-9, "equal share: one each");
    }

    @Test
    void envelopeKeepsEveryPeakAndTroughOfAThinnedTrace() {
        int n = 100_000;
        double[] t = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i;
            w[i] = 200 + 50 * Math.sin(i / 300.0);
        }
        w[54_321] = 999; // a spike between any two kept samples of a plain stride
        w[12_345] = 1;
        PowerEnvelope e = PowerEnvelope.of(t, w, 0, n, 1000);
        assertTrue(e.decimated());
        assertEquals(n, e.samples());
        assertTrue(e.timeMs().length <= 2000, "at most two points per bucket: " + e.timeMs().length);
        assertEquals(999, Arrays.stream(e.watts()).max().orElseThrow());
        assertEquals(1, Arrays.stream(e.watts()).min().orElseThrow());
        for (int i = 1; i < e.timeMs().length; i++) {
            assertTrue(e.timeMs()[i] > e.timeMs()[i - 1], "in time order");
        }
        PowerEnvelope small = PowerEnvelope.of(Arrays.copyOf(t, 500), Arrays.copyOf(w, 500), 0, 499, 1000);
        assertFalse(small.decimated());
        assertEquals(500, small.timeMs().length);
    }
}
