package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.T0;
import static org.tokenpowerbench.energy.Fixtures.request;
import static org.tokenpowerbench.energy.Fixtures.times;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.client.RequestTimeline;

class SteadyStateWindowTest {

    /** Batch 2, four requests: two rounds in a closed loop. */
    private static final List<RequestTimeline> WAVE = List.of(
            request(0, T0, T0 + 10 * MS, T0 + 50 * MS, 20, 41),
            request(1, T0, T0 + 12 * MS, T0 + 60 * MS, 20, 41),
            request(2, T0 + 50 * MS, T0 + 58 * MS, T0 + 100 * MS, 20, 41),
            request(3, T0 + 60 * MS, T0 + 70 * MS, T0 + 110 * MS, 20, 41));

    @Test
    void opensWhenBatchRequestsHaveATokenAndClosesWhenTheFirstOfTheLastBatchFinishes() {
        SteadyStateWindow w = SteadyStateWindow.find(WAVE, 2).orElseThrow();
        assertEquals(T0 + 12 * MS, w.fromNanos());
        assertEquals(T0 + 100 * MS, w.toNanos());
        assertNull(SteadyStateWindow.whyNone(WAVE, 2));
        // batch 1: from the first token to the end of the last request
        SteadyStateWindow one = SteadyStateWindow.find(WAVE, 1).orElseThrow();
        assertEquals(T0 + 10 * MS, one.fromNanos());
        assertEquals(T0 + 110 * MS, one.toNanos());
    }

    @Test
    void isEmptyWhenTheWaveIsTooShortAndSaysWhy() {
        assertTrue(SteadyStateWindow.find(WAVE, 8).isEmpty());
        assertTrue(SteadyStateWindow.whyNone(WAVE, 8).contains("fewer than the batch of 8"));
        List<RequestTimeline> staggered = List.of(
                request(0, T0, T0 + 10 * MS, T0 + 20 * MS, 5, 5),
                request(1, T0, T0 + 30 * MS, T0 + 40 * MS, 5, 5));
        assertTrue(SteadyStateWindow.find(staggered, 2).isEmpty());
        assertTrue(SteadyStateWindow.whyNone(staggered, 2).contains("too short for batch 2"),
                SteadyStateWindow.whyNone(staggered, 2));
    }

    @Test
    void tokensOverTheWholeWaveCountEveryTokenOnce() {
        long[] t = times(10 * MS, 13);
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, Fixtures.repeat(30, 12)), 1_000 * MS);
        SteadyStateEnergy whole = new SteadyStateWindow(T0, T0 + 120 * MS).measure(signal, WAVE);
        assertEquals(4 * 20, whole.promptTokens(), 1e-9);
        assertEquals(4 * 41, whole.outputTokens(), 1e-9);
        assertEquals(30 * 0.12, whole.joules(), 1e-12);
        SteadyStateEnergy steady = SteadyStateWindow.find(WAVE, 2).orElseThrow().measure(signal, WAVE);
        assertEquals(30 * 0.088, steady.joules(), 1e-12);
        assertEquals(30.0, steady.averageWatts(), 1e-9);
        // r0: decode [10,50] fully inside after 12? no: 38/40 of its 40 decode tokens; its first token (10 ms) is outside
        double expectedOutput = 40 * 38.0 / 40 + (1 + 40) + (1 + 40) + (1 + 40 * 30.0 / 40);
        assertEquals(expectedOutput, steady.outputTokens(), 1e-9);
        double expectedPrompt = 0 + 0 + 20 + 20;
        assertEquals(expectedPrompt, steady.promptTokens(), 1e-9);
        assertEquals(steady.joules() / (expectedOutput + expectedPrompt), steady.joulesPerToken(), 1e-12);
    }
}
