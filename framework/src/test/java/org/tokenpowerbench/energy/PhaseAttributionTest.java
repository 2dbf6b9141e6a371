package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.NAN;
import static org.tokenpowerbench.energy.Fixtures.T0;
import static org.tokenpowerbench.energy.Fixtures.between;
import static org.tokenpowerbench.energy.Fixtures.integral;
import static org.tokenpowerbench.energy.Fixtures.request;
import static org.tokenpowerbench.energy.Fixtures.timeline;
import static org.tokenpowerbench.energy.Fixtures.times;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.energy.RequestEnergy.Outcome;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.workload.WaveRecord;

class PhaseAttributionTest {

    private static final Duration UPDATE = Duration.ofMillis(10);
    private static final long NO_GAP = Long.MAX_VALUE / 4;
    private static final int REPETITIONS = 2000;

    // ---- conservation, the property ----

    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void partsAddUpToTheMeasuredTotalForAnyOverlapSpacingAndWindow(AttributionPolicy policy) {
        Random rnd = new Random(20240401L + policy.ordinal());
        int nonTrivial = 0;
        for (int rep = 0; rep < REPETITIONS; rep++) {
            PowerTrace trace = Fixtures.randomTrace(rnd);
            PowerSignal signal = PowerSignal.of(trace, 50 * MS);
            long from = between(rnd, signal.startNanos(), signal.endNanos());
            long to = rnd.nextInt(10) == 0 ? signal.endNanos() : between(rnd, from, signal.endNanos());
            List<RequestTimeline> requests = Fixtures.randomRequests(rnd, from, to);
            WaveEnergy w = PhaseAttribution.attribute(signal, requests, from, to, policy, UPDATE);

            String where = "repetition " + rep + " (" + policy.label() + ")";
            double total = signal.energyJoules(from, to);
            assertEquals(total, w.totalJ(), 0.0, where);
            assertEquals(total, w.attributedJ(), 1e-9 * Math.abs(total) + 1e-300, where);
            double sum = w.idleJ();
            double seconds = w.idleSeconds();
            for (RequestEnergy r : w.requests()) {
                assertTrue(r.prefillJ() >= -1e-9 * total && r.decodeJ() >= -1e-9 * total, where + ": " + r);
                sum += r.prefillJ() + r.decodeJ();
                seconds += r.prefillShareSeconds() + r.decodeShareSeconds();
            }
            assertEquals(total, sum, 1e-9 * Math.abs(total) + 1e-300, where);
            assertEquals(w.seconds(), seconds, 1e-9 * w.seconds() + 1e-300, where);
            assertEquals(w.policy(), policy);
            if (total > 0 && w.idleJ() < total) {
                nonTrivial++;
            }
        }
        assertTrue(nonTrivial > REPETITIONS / 2, "most repetitions must attribute something: " + nonTrivial);
    }

    /** The sweep agrees with a brute-force split of every piece between boundaries and samples. */
    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void sweepAgreesWithBruteForce(AttributionPolicy policy) {
        Random rnd = new Random(777 + policy.ordinal());
        for (int rep = 0; rep < 300; rep++) {
            PowerTrace trace = Fixtures.randomTrace(rnd);
            PowerSignal signal = PowerSignal.of(trace, NO_GAP);
            long from = between(rnd, signal.startNanos(), signal.endNanos());
            long to = between(rnd, from, signal.endNanos());
            List<RequestTimeline> requests = Fixtures.randomRequests(rnd, from, to);
            WaveEnergy w = PhaseAttribution.attribute(signal, requests, from, to, policy, UPDATE);
            double[][] expected = bruteForce(signal, requests, from, to, policy);
            double tol = 1e-9 * Math.max(1e-12, w.totalJ());
            for (int i = 0; i < requests.size(); i++) {
                RequestEnergy r = w.requests().get(i);
                assertEquals(expected[i][0], r.prefillJ(), tol, "prefill of request " + i + " in repetition " + rep);
                assertEquals(expected[i][1], r.decodeJ(), tol, "decode of request " + i + " in repetition " + rep);
            }
        }
    }

    /** O(pieces x requests): cut at every phase boundary and every trace sample, split each piece directly. */
    private static double[][] bruteForce(PowerSignal signal, List<RequestTimeline> requests, long from, long to,
                                         AttributionPolicy policy) {
        int n = requests.size();
        long[][] phase = new long[2 * n][];
        double[] weight = new double[2 * n];
        List<Long> cuts = new ArrayList<>(List.of(from, to));
        for (int i = 0; i < n; i++) {
            RequestTimeline r = requests.get(i);
            if (r.sentNanos() < 0) {
                continue;
            }
            long f = r.firstTokenNanos();
            long pe = Math.max(r.sentNanos(), f >= 0 ? f : r.doneNanos());
            long de = f >= 0 ? Math.max(f, r.lastTokenNanos()) : pe;
            phase[2 * i] = new long[] {r.sentNanos(), pe};
            phase[2 * i + 1] = new long[] {pe, de};
            if (policy == AttributionPolicy.EQUAL_SHARE) {
                weight[2 * i] = 1;
                weight[2 * i + 1] = 1;
            } else {
                weight[2 * i] = r.promptTokens() > 0 && pe > r.sentNanos() ? r.promptTokens() / ((pe - r.sentNanos()) * 1e-9) : 0;
                int dt = r.outputTokens() > 1 ? r.outputTokens() - 1 : 0;
                weight[2 * i + 1] = dt > 0 && de > pe ? dt / ((de - pe) * 1e-9) : 0;
            }
            for (long x : phase[2 * i]) {
                cuts.add(x);
            }
            cuts.add(de);
        }
        List<Long> inside = cuts.stream().filter(x -> x >= from && x <= to).distinct().sorted().toList();
        double[][] out = new double[n][2];
        for (int k = 0; k + 1 < inside.size(); k++) {
            long a = inside.get(k);
            long b = inside.get(k + 1);
            double e = signal.energyJoules(a, b);
            double total = 0;
            int active = 0;
            for (int p = 0; p < 2 * n; p++) {
                if (phase[p] != null && phase[p][0] <= a && phase[p][1] >= b && phase[p][1] > phase[p][0]) {
                    total += weight[p];
                    active++;
                }
            }
            for (int p = 0; p < 2 * n; p++) {
                if (phase[p] != null && phase[p][0] <= a && phase[p][1] >= b && phase[p][1] > phase[p][0]) {
                    out[p / 2][p % 2] += total > 0 ? e * weight[p] / total : e / active;
                }
            }
        }
        return out;
    }

    // ---- exactness on constructed cases ----

    private static final long[] STEPS = times(10 * MS, 11);
    private static final double[] WATTS = {100, 300, 50, 200, 0, 120, 80, 400, 10, 250};

    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void oneRequestOnAPiecewiseConstantCounterGetsExactlyTheIntegralOfEachPhase(AttributionPolicy policy) {
        exactForOneRequest(Fixtures.piecewiseConstantCounter(STEPS, WATTS), policy);
    }

    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void oneRequestOnAPiecewiseConstantPowerTraceGetsExactlyTheIntegralOfEachPhase(AttributionPolicy policy) {
        exactForOneRequest(Fixtures.piecewiseConstantPower(STEPS, WATTS), policy);
    }

    private static void exactForOneRequest(PowerTrace trace, AttributionPolicy policy) {
        PowerSignal signal = PowerSignal.of(trace, NO_GAP);
        long sent = T0 + 13 * MS + 123;
        long first = T0 + 37 * MS + 4567;
        long last = T0 + 71 * MS + 89;
        long from = T0 + 2 * MS + 1;
        long to = T0 + 93 * MS + 7;
        RequestTimeline r = timeline(0, from, sent, first, last, last + 3 * MS, 64, 20, null);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), from, to, policy, UPDATE);
        RequestEnergy e = w.requests().get(0);
        assertEquals(integral(STEPS, WATTS, sent, first), e.prefillJ(), 1e-12);
        assertEquals(integral(STEPS, WATTS, first, last), e.decodeJ(), 1e-12);
        assertEquals(integral(STEPS, WATTS, from, sent) + integral(STEPS, WATTS, last, to), w.idleJ(), 1e-12);
        assertEquals(integral(STEPS, WATTS, from, to), w.totalJ(), 1e-12);
        assertEquals((first - sent) * 1e-9, e.prefillShareSeconds(), 1e-15);
        assertEquals((last - first) * 1e-9, e.decodeShareSeconds(), 1e-15);
        assertEquals(e.prefillJ() / 64, w.joulesPerPromptToken(), 1e-15);
        assertEquals(e.decodeJ() / 19, w.joulesPerDecodeToken(), 1e-15);
        assertTrue(w.flags().clean(), w.flags().summary());
    }

    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void twoIdenticalOverlappingRequestsGetEqualShares(AttributionPolicy policy) {
        Random rnd = new Random(5 + policy.ordinal());
        for (int rep = 0; rep < 200; rep++) {
            PowerSignal signal = PowerSignal.of(Fixtures.randomTrace(rnd), NO_GAP);
            long from = signal.startNanos();
            long to = signal.endNanos();
            long sent = between(rnd, from, to);
            long first = between(rnd, sent, to);
            long last = between(rnd, first, to);
            int prompt = 1 + rnd.nextInt(2000);
            int output = 2 + rnd.nextInt(500);
            RequestTimeline a = request(0, sent, first, last, prompt, output);
            RequestTimeline b = request(1, sent, first, last, prompt, output);
            WaveEnergy w = PhaseAttribution.attribute(signal, List.of(a, b), from, to, policy, UPDATE);
            RequestEnergy ea = w.requests().get(0);
            RequestEnergy eb = w.requests().get(1);
            assertEquals(ea.prefillJ(), eb.prefillJ(), 1e-12 * Math.max(1, w.totalJ()));
            assertEquals(ea.decodeJ(), eb.decodeJ(), 1e-12 * Math.max(1, w.totalJ()));
            assertEquals(signal.energyJoules(sent, first) / 2, ea.prefillJ(), 1e-9 * Math.max(1, w.totalJ()));
            assertEquals(signal.energyJoules(first, last) / 2, ea.decodeJ(), 1e-9 * Math.max(1, w.totalJ()));
        }
    }

    @Test
    void tokenWeightedSplitsByTokensPerSecondAndEqualShareDoesNot() {
        long[] t = times(100 * MS, 21); // 2 s at 100 W
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, Fixtures.repeat(100, 20)), NO_GAP);
        // A decodes 101 tokens over [0, 2 s]: 50 tokens/s. B prefills 500 tokens over [0.5 s, 1.0 s]: 1000 tokens/s.
        RequestTimeline a = request(0, T0 - 10 * MS, T0, T0 + 2000 * MS, 10, 101);
        RequestTimeline b = request(1, T0 + 500 * MS, T0 + 1000 * MS, T0 + 1000 * MS, 500, 1);
        List<RequestTimeline> both = List.of(a, b);
        WaveEnergy tw = PhaseAttribution.attribute(signal, both, T0, T0 + 2000 * MS, AttributionPolicy.TOKEN_WEIGHTED,
                UPDATE);
        // during B's prefill (50 J), B gets 1000/1050 of the power, A 50/1050
        assertEquals(50.0 * 1000 / 1050, tw.requests().get(1).prefillJ(), 1e-9);
        assertEquals(200.0 - 50.0 * 1000 / 1050, tw.requests().get(0).decodeJ(), 1e-9);
        assertEquals(0.0, tw.requests().get(1).decodeJ());
        assertEquals(1, tw.flags().singleTokenRequests());
        WaveEnergy eq = PhaseAttribution.attribute(signal, both, T0, T0 + 2000 * MS, AttributionPolicy.EQUAL_SHARE,
                UPDATE);
        assertEquals(25.0, eq.requests().get(1).prefillJ(), 1e-9);
        assertEquals(175.0, eq.requests().get(0).decodeJ(), 1e-9);
        // time shares follow the same split
        assertEquals(0.5 * 1000 / 1050, tw.requests().get(1).prefillShareSeconds(), 1e-12);
    }

    @Test
    void aConstantPowerAboveBaselineLeavesNothingPerToken() {
        long[] t = times(100 * MS, 11);
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, Fixtures.repeat(40, 10)), NO_GAP);
        List<RequestTimeline> rs = List.of(request(0, T0, T0 + 200 * MS, T0 + 900 * MS, 100, 50),
                request(1, T0 + 100 * MS, T0 + 250 * MS, T0 + 600 * MS, 30, 9));
        for (AttributionPolicy policy : AttributionPolicy.values()) {
            WaveEnergy w = PhaseAttribution.attribute(signal, rs, T0, T0 + 1000 * MS, policy, UPDATE);
            assertEquals(0.0, w.joulesPerPromptTokenAbove(40), 1e-12);
            assertEquals(0.0, w.joulesPerDecodeTokenAbove(40), 1e-12);
        }
    }

    // ---- timeline edge cases ----

    @Test
    void queueTimeIsNeverAttributed() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline r = timeline(0, T0, T0 + 30 * MS, T0 + 50 * MS, T0 + 60 * MS, T0 + 61 * MS, 8, 4, null);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS,
                AttributionPolicy.EQUAL_SHARE, UPDATE);
        assertEquals(integral(STEPS, WATTS, T0, T0 + 30 * MS) + integral(STEPS, WATTS, T0 + 60 * MS, T0 + 100 * MS),
                w.idleJ(), 1e-12);
    }

    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void aRequestThatFailedBeforeItsFirstTokenHasOnlyAPrefillUntilItFailed(AttributionPolicy policy) {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline failed = timeline(0, T0, T0 + 10 * MS, -1, -1, T0 + 45 * MS, -1, -1, "HTTP 503");
        RequestTimeline ok = request(1, T0 + 50 * MS, T0 + 60 * MS, T0 + 90 * MS, 16, 11);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(failed, ok), T0, T0 + 100 * MS, policy, UPDATE);
        RequestEnergy f = w.requests().get(0);
        assertEquals(Outcome.FAILED_BEFORE_FIRST_TOKEN, f.outcome());
        assertEquals(integral(STEPS, WATTS, T0 + 10 * MS, T0 + 45 * MS), f.prefillJ(), 1e-12);
        assertEquals(0.0, f.decodeJ());
        assertEquals(f.prefillJ(), w.failedJ(), 1e-15);
        assertEquals(1, w.flags().failedBeforeFirstToken());
        assertEquals(1, w.flags().unknownTokenCounts());
        // per-token figures count the successful request only
        assertEquals(16, w.promptTokens());
        assertEquals(integral(STEPS, WATTS, T0 + 50 * MS, T0 + 60 * MS) / 16, w.joulesPerPromptToken(), 1e-12);
        assertEquals(integral(STEPS, WATTS, T0 + 60 * MS, T0 + 90 * MS) / 10, w.joulesPerDecodeToken(), 1e-12);
    }

    @Test
    void aRequestWithZeroOutputTokensHasAPrefillUntilDone() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline r = timeline(0, T0, T0 + 10 * MS, -1, -1, T0 + 35 * MS, 12, 0, null);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        RequestEnergy e = w.requests().get(0);
        assertEquals(Outcome.NO_OUTPUT, e.outcome());
        assertEquals(integral(STEPS, WATTS, T0 + 10 * MS, T0 + 35 * MS), e.prefillJ(), 1e-12);
        assertEquals(0.0, e.decodeJ());
        assertEquals(1, w.flags().noOutputTokens());
        assertTrue(Double.isNaN(w.joulesPerDecodeToken()));
    }

    @Test
    void aRequestWithOneOutputTokenHasNoDecodeEnergy() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline r = timeline(0, T0, T0 + 10 * MS, T0 + 30 * MS, T0 + 30 * MS, T0 + 33 * MS, 12, 1, null);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertEquals(0.0, w.requests().get(0).decodeJ());
        assertEquals(integral(STEPS, WATTS, T0 + 10 * MS, T0 + 30 * MS), w.requests().get(0).prefillJ(), 1e-12);
        assertEquals(1, w.flags().singleTokenRequests());
        assertEquals(0, w.decodeTokens());
    }

    @Test
    void aFirstTokenInTheLastSampleIntervalIsExact() {
        // samples every 10 ms up to T0 + 100 ms; first token at 95 ms, last token on the last sample
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantPower(STEPS, WATTS), NO_GAP);
        RequestTimeline r = request(0, T0 + 5 * MS, T0 + 95 * MS, T0 + 100 * MS, 32, 6);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertEquals(integral(STEPS, WATTS, T0 + 5 * MS, T0 + 95 * MS), w.requests().get(0).prefillJ(), 1e-12);
        assertEquals(250 * 0.005, w.requests().get(0).decodeJ(), 1e-12);
        assertEquals(1, w.flags().shortPhases()); // a 5 ms decode under a 10 ms update period
    }

    @Test
    void phasesPastTheTraceAreCutAndFlaggedNeverExtrapolated() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantPower(STEPS, WATTS), NO_GAP);
        RequestTimeline r = request(0, T0 + 5 * MS, T0 + 95 * MS, T0 + 130 * MS, 32, 6);
        WaveRecord wave = new WaveRecord(T0 - 20 * MS, T0 + 140 * MS, 1, List.of(r));
        WaveEnergy w = PhaseAttribution.attribute(signal, wave, AttributionPolicy.EQUAL_SHARE, UPDATE);
        assertEquals(T0, w.fromNanos());
        assertEquals(T0 + 100 * MS, w.toNanos());
        assertEquals(250 * 0.005, w.requests().get(0).decodeJ(), 1e-12);
        assertEquals(1, w.flags().clippedPhases());
        assertEquals(w.totalJ(), w.attributedJ(), 1e-12);
        WaveRecord outside = new WaveRecord(T0 + 200 * MS, T0 + 300 * MS, 1, List.of(r));
        assertThrows(IllegalArgumentException.class,
                () -> PhaseAttribution.attribute(signal, outside, AttributionPolicy.EQUAL_SHARE, UPDATE));
        assertThrows(IllegalArgumentException.class, () -> PhaseAttribution.attribute(signal, List.of(r), T0 - 1,
                T0 + 10 * MS, AttributionPolicy.EQUAL_SHARE, UPDATE));
    }

    @Test
    void sampleGapsInTheWindowAreFlagged() {
        long[] t = times(10 * MS, 30);
        double[] p = Fixtures.repeat(100, 30);
        for (int i = 5; i < 25; i++) {
            p[i] = NAN;
        }
        PowerSignal signal = PowerSignal.of(new PowerTrace(List.of(Fixtures.power("p", "gpu0")), t,
                new double[][] {p}), 50 * MS);
        RequestTimeline r = request(0, T0 + 10 * MS, T0 + 20 * MS, T0 + 280 * MS, 10, 20);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 290 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertEquals(1, w.flags().gaps().size());
        assertTrue(w.flags().summary().contains("1 sample gap(s), longest 210.0 ms"), w.flags().summary());
        WaveEnergy before = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 30 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertTrue(before.flags().gaps().isEmpty());
    }

    @Test
    void phasesShorterThanTheUpdatePeriodAreCounted() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        List<RequestTimeline> rs = List.of(request(0, T0 + 10 * MS, T0 + 13 * MS, T0 + 60 * MS, 8, 10),
                request(1, T0 + 20 * MS, T0 + 40 * MS, T0 + 45 * MS, 8, 2),
                request(2, T0 + 20 * MS, T0 + 40 * MS, T0 + 80 * MS, 8, 5));
        WaveEnergy w = PhaseAttribution.attribute(signal, rs, T0, T0 + 100 * MS, AttributionPolicy.EQUAL_SHARE,
                UPDATE);
        assertEquals(2, w.flags().shortPhases());
        assertTrue(w.flags().summary().startsWith("2 phase(s) shorter than the sensor's 10 ms update period"));
    }

    @Test
    void unknownTokenCountsFallBackToAnEqualSplitUnderTokenWeighting() {
        long[] t = times(100 * MS, 11);
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, Fixtures.repeat(10, 10)), NO_GAP);
        List<RequestTimeline> rs = List.of(request(0, T0, T0 + 400 * MS, T0 + 500 * MS, -1, -1),
                request(1, T0, T0 + 400 * MS, T0 + 500 * MS, -1, -1));
        WaveEnergy w = PhaseAttribution.attribute(signal, rs, T0, T0 + 1000 * MS, AttributionPolicy.TOKEN_WEIGHTED,
                UPDATE);
        assertEquals(2.0, w.requests().get(0).prefillJ(), 1e-12);
        assertEquals(2.0, w.requests().get(1).prefillJ(), 1e-12);
        assertEquals(2, w.flags().unknownTokenCounts());
        assertTrue(w.flags().equalShareFallbackSegments() > 0);
        assertEquals(5.0, w.idleJ(), 1e-12);
    }

    @Test
    void notSentRequestsGetNothing() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline r = timeline(0, T0, -1, -1, -1, -1, 8, 0, "cancelled");
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS,
                AttributionPolicy.EQUAL_SHARE, UPDATE);
        assertEquals(Outcome.NOT_SENT, w.requests().get(0).outcome());
        assertEquals(w.totalJ(), w.idleJ(), 1e-12);
        assertEquals(1, w.flags().notSent());
    }

    @Test
    void eventsAreSortedStablyByTime() {
        int[] order = PhaseAttribution.sortByTime(new long[] {5, 3, 5, 1, 3, 9});
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {3, 1, 4, 0, 2, 5}, order);
    }

    @Test
    void policiesParseFromTheirLabels() {
        assertEquals(AttributionPolicy.TOKEN_WEIGHTED, AttributionPolicy.parse("token-weighted"));
        assertEquals(AttributionPolicy.EQUAL_SHARE, AttributionPolicy.parse("EQUAL_SHARE"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AttributionPolicy.parse("x"));
        assertTrue(e.getMessage().contains("equal-share"), e.getMessage());
    }
}
