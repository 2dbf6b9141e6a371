package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.T0;
import static org.tokenpowerbench.energy.Fixtures.between;
import static org.tokenpowerbench.energy.Fixtures.integral;
import static org.tokenpowerbench.energy.Fixtures.reasoning;
import static org.tokenpowerbench.energy.Fixtures.times;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.TokenKinds;

/** Energy per kind of token: the decode cut at the first answer token, and the prefill over computed prompt tokens. */
class TokenKindSplitTest {

    private static final Duration UPDATE = Duration.ofMillis(10);
    private static final long NO_GAP = Long.MAX_VALUE / 4;
    private static final long[] STEPS = times(10 * MS, 11);
    private static final double[] WATTS = {100, 300, 50, 200, 0, 120, 80, 400, 10, 250};

    /** Known truth: one request on a piecewise-constant trace gets exactly each span's integral, per kind. */
    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void oneReasoningRequestGetsTheIntegralOfEachSpan(AttributionPolicy policy) {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        long sent = T0 + 3 * MS + 17;
        long first = T0 + 12 * MS + 400;
        long firstAnswer = T0 + 58 * MS + 9;
        long last = T0 + 87 * MS + 3;
        // 30 reasoning tokens then 11 answer tokens: 40 decode steps, 30 before the first answer, 10 after
        RequestTimeline r = reasoning(0, sent, first, firstAnswer, last, 500, -1, 41, 30);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS, policy, UPDATE);
        RequestEnergy e = w.requests().get(0);
        assertEquals(integral(STEPS, WATTS, first, firstAnswer), e.reasoningJ(), 1e-12);
        assertEquals(integral(STEPS, WATTS, firstAnswer, last), e.answerJ(), 1e-12);
        assertEquals(integral(STEPS, WATTS, first, last), e.decodeJ(), 1e-12);
        assertEquals(30, e.reasoningTokens());
        assertEquals(10, e.answerTokens());
        assertEquals(e.reasoningJ() / 30, w.joulesPerReasoningToken(), 1e-15);
        assertEquals(e.answerJ() / 10, w.joulesPerAnswerToken(), 1e-15);
        assertEquals("server-usage", w.reasoningTokenSource());
    }

    /** A constant power and a steady token rate give every kind of token the same joules per step. */
    @Test
    void atConstantPowerAndASteadyRateEveryKindCostsTheSamePerToken() {
        double watts = 250;
        long step = 7 * MS;
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(times(S10, 2), new double[] {watts}),
                NO_GAP);
        long sent = T0 + 100 * MS;
        long first = sent + 40 * MS;
        int reasoningTokens = 64;
        int answerTokens = 33;
        // the first token at `first`, one token every step after it; the first answer token is token 65
        long firstAnswer = first + reasoningTokens * step;
        long last = first + (reasoningTokens + answerTokens - 1) * step;
        RequestTimeline r = reasoning(0, sent, first, firstAnswer, last, 200, -1, reasoningTokens + answerTokens,
                reasoningTokens);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + S10, AttributionPolicy.TOKEN_WEIGHTED,
                UPDATE);
        double perStep = watts * step * 1e-9;
        assertEquals(perStep, w.joulesPerReasoningToken(), 1e-12 * perStep);
        assertEquals(perStep, w.joulesPerAnswerToken(), 1e-12 * perStep);
        assertEquals(perStep, w.joulesPerDecodeToken(), 1e-12 * perStep);
        assertEquals(watts * (firstAnswer - first) * 1e-9, w.reasoningJ(), 1e-9);
        assertEquals(watts * (last - firstAnswer) * 1e-9, w.answerJ(), 1e-9);
    }

    private static final long S10 = 10_000 * MS;

    /**
     * Conservation under any overlap: reasoning + answer is the decode per request and per wave, and
     * the cut moves no joule: each request's decode is what it is when the same wave has no reasoning.
     */
    @ParameterizedTest
    @EnumSource(AttributionPolicy.class)
    void theCutConservesTheDecodeOfEveryRequestUnderConcurrency(AttributionPolicy policy) {
        Random rnd = new Random(14_07L + policy.ordinal());
        int withReasoning = 0;
        for (int rep = 0; rep < 500; rep++) {
            PowerSignal signal = PowerSignal.of(Fixtures.randomTrace(rnd), NO_GAP);
            long from = signal.startNanos();
            long to = signal.endNanos();
            int n = 2 + rnd.nextInt(40);
            List<RequestTimeline> cut = new ArrayList<>();
            List<RequestTimeline> plain = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long sent = between(rnd, from, to);
                long first = between(rnd, sent, to);
                long last = between(rnd, first, to);
                long firstAnswer = rnd.nextInt(8) == 0 ? -1 : between(rnd, first, last);
                int output = 2 + rnd.nextInt(400);
                int reasoningTokens = rnd.nextInt(output);
                int cached = rnd.nextInt(3) == 0 ? -1 : rnd.nextInt(100);
                int prompt = 100 + rnd.nextInt(900);
                cut.add(reasoning(i, sent, first, firstAnswer, last, prompt, cached, output, reasoningTokens));
                plain.add(reasoning(i, sent, first, first, last, prompt, -1, output, 0)
                        .withKinds(TokenKinds.PLAIN));
            }
            WaveEnergy w = PhaseAttribution.attribute(signal, cut, from, to, policy, UPDATE);
            WaveEnergy p = PhaseAttribution.attribute(signal, plain, from, to, policy, UPDATE);
            String where = "repetition " + rep + " (" + policy.label() + ")";
            double scale = Math.max(1e-12, w.totalJ());
            for (int i = 0; i < n; i++) {
                RequestEnergy e = w.requests().get(i);
                assertEquals(e.decodeJ(), e.reasoningJ() + e.answerJ(), 1e-9 * scale, where);
                assertEquals(p.requests().get(i).decodeJ(), e.decodeJ(), 1e-9 * scale, where + ", request " + i);
                assertEquals(p.requests().get(i).prefillJ(), e.prefillJ(), 1e-9 * scale, where + ", request " + i);
                assertTrue(e.reasoningJ() >= -1e-9 * scale && e.answerJ() >= -1e-9 * scale, where);
                assertEquals(0.0, p.requests().get(i).reasoningJ(), 0.0, "a plain stream has no reasoning decode");
                if (e.reasoningTokens() >= 0) {
                    assertEquals(e.decodeTokens(), e.reasoningTokens() + e.answerTokens(), where + ", request " + i);
                }
            }
            assertEquals(w.decodeJ(), w.reasoningJ() + w.answerJ(), 1e-9 * scale, where);
            assertEquals(p.decodeJ(), w.decodeJ(), 1e-9 * scale, where);
            assertEquals(w.totalJ(), w.attributedJ(), 1e-9 * scale, where);
            if (w.reasoningJ() > 0) {
                withReasoning++;
            }
            assertTrue(Double.isNaN(p.joulesPerReasoningToken()) && Double.isNaN(p.joulesPerAnswerToken()),
                    "a plain wave has no per-kind figures");
        }
        assertTrue(withReasoning > 400, "most waves must have reasoning energy: " + withReasoning);
    }

    /** A cached token costs no prefill: all prefill joules go over the computed prompt tokens. */
    @Test
    void jPerComputedPromptTokenIsThePrefillOverPromptMinusCached() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline a = reasoning(0, T0 + 5 * MS, T0 + 30 * MS, T0 + 30 * MS, T0 + 60 * MS, 1000, 768, 20, 0);
        RequestTimeline b = reasoning(1, T0 + 9 * MS, T0 + 41 * MS, T0 + 41 * MS, T0 + 80 * MS, 600, 0, 30, 0);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(a, b), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertEquals(768, w.cachedPromptTokens());
        assertEquals(232 + 600, w.computedPromptTokens());
        assertEquals(w.succeededPrefillJ() / (1600 - 768), w.joulesPerComputedPromptToken(), 1e-15);
        assertEquals(w.succeededPrefillJ() / 1600, w.joulesPerPromptToken(), 1e-15);
        assertTrue(Double.isNaN(w.joulesPerReasoningToken()), "no reasoning in this wave");

        RequestTimeline uncached = reasoning(0, T0 + 5 * MS, T0 + 30 * MS, T0 + 30 * MS, T0 + 60 * MS, 1000, -1, 20, 0);
        WaveEnergy none = PhaseAttribution.attribute(signal, List.of(uncached), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertTrue(Double.isNaN(none.joulesPerComputedPromptToken()), "without a cache the figure is J/promptToken: left out");
    }

    @Test
    void speculativeAcceptanceIsTheServersCountsOverTheWaveAndLeavesTheEnergyAlone() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline a = reasoning(0, T0 + 5 * MS, T0 + 30 * MS, T0 + 30 * MS, T0 + 60 * MS, 100, -1, 20, 0);
        RequestTimeline b = reasoning(1, T0 + 9 * MS, T0 + 41 * MS, T0 + 41 * MS, T0 + 80 * MS, 100, -1, 30, 0);
        RequestTimeline c = reasoning(2, T0 + 9 * MS, T0 + 41 * MS, T0 + 41 * MS, T0 + 80 * MS, 100, -1, 30, 0);
        List<RequestTimeline> drafted = List.of(a.withKinds(new TokenKinds(0, TokenCountSource.NONE, 16, 14)),
                b.withKinds(new TokenKinds(0, TokenCountSource.NONE, 24, 9)), c);
        WaveEnergy w = PhaseAttribution.attribute(signal, drafted, T0, T0 + 100 * MS, AttributionPolicy.TOKEN_WEIGHTED,
                UPDATE);
        WaveEnergy plain = PhaseAttribution.attribute(signal, List.of(a, b, c), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertEquals(40, w.draftTokens());
        assertEquals(23, w.acceptedDraftTokens());
        assertEquals(23.0 / 40, w.draftAcceptance(), 1e-15);
        assertTrue(Double.isNaN(plain.draftAcceptance()), "no server said anything of drafts");
        assertEquals(plain.decodeJ(), w.decodeJ(), 0.0, "the counts do not move a joule");
    }

    @Test
    void aRequestWhoseAnswerNeverCameReasonedItsWholeDecode() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline r = reasoning(0, T0 + 5 * MS, T0 + 20 * MS, -1, T0 + 90 * MS, 100, -1, 50, 50);
        RequestEnergy e = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE).requests().get(0);
        assertEquals(integral(STEPS, WATTS, T0 + 20 * MS, T0 + 90 * MS), e.reasoningJ(), 1e-12);
        assertEquals(0.0, e.answerJ(), 0.0);
        assertEquals(49, e.reasoningTokens());
        assertEquals(0, e.answerTokens());
    }

    @Test
    void aTimelineWithoutAnAnswerStampOrReasoningIsAPlainStream() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        RequestTimeline r = reasoning(0, T0 + 5 * MS, T0 + 20 * MS, -1, T0 + 90 * MS, 100, -1, 50, 0)
                .withKinds(TokenKinds.PLAIN);
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(r), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        assertEquals(0.0, w.reasoningJ(), 0.0);
        assertEquals(49, w.answerTokens());
        assertTrue(Double.isNaN(w.joulesPerReasoningToken()) && Double.isNaN(w.joulesPerAnswerToken()));
    }

    @Test
    void reasoningTheServerCountedButDidNotStreamLeavesTheStepsUnknown() {
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(STEPS, WATTS), NO_GAP);
        // hidden reasoning: the first streamed token is already the answer
        RequestTimeline hidden = reasoning(0, T0 + 5 * MS, T0 + 40 * MS, T0 + 40 * MS, T0 + 90 * MS, 100, -1, 80, 60);
        // streamed reasoning whose count nobody gave
        RequestTimeline uncounted = reasoning(1, T0 + 5 * MS, T0 + 20 * MS, T0 + 50 * MS, T0 + 90 * MS, 100, -1, 80, 0)
                .withKinds(new TokenKinds(-1, TokenCountSource.NONE, -1, -1));
        WaveEnergy w = PhaseAttribution.attribute(signal, List.of(hidden, uncounted), T0, T0 + 100 * MS,
                AttributionPolicy.TOKEN_WEIGHTED, UPDATE);
        for (RequestEnergy e : w.requests()) {
            assertEquals(-1, e.reasoningTokens(), e.toString());
            assertEquals(-1, e.answerTokens(), e.toString());
            assertEquals(e.decodeJ(), e.reasoningJ() + e.answerJ(), 1e-12);
        }
        assertEquals(0.0, w.requests().get(0).reasoningJ(), 0.0, "hidden reasoning has no reasoning decode");
        assertTrue(w.requests().get(1).reasoningJ() > 0);
        assertTrue(Double.isNaN(w.joulesPerReasoningToken()), "no known steps, no figure");
        assertEquals("mixed", w.reasoningTokenSource());
    }
}
