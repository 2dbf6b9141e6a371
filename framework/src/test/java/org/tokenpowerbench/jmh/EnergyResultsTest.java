package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.TokenKinds;
import org.tokenpowerbench.energy.AttributionPolicy;
import org.tokenpowerbench.energy.IterationEnergy;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.WaveRecord;

/** Energy per kind of token in the JMH results: there for a wave with such tokens, absent (never 0) for a plain one. */
class EnergyResultsTest {

    private static final long T0 = 1_000_000_000_000L;
    private static final long MS = 1_000_000L;

    /** A GPU counter at a constant 200 W from T0 for 2 s. */
    private static PowerTrace constant() {
        long[] t = new long[201];
        double[] c = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = T0 + i * 10 * MS;
            c[i] = 200 * i * 0.01;
        }
        return new PowerTrace(List.of(new PowerChannel("gpu0", "GPU-A", Scope.GPU, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES)), t, new double[][] {c});
    }

    private static RequestTimeline request(int index, long firstAnswer, int cached, TokenKinds kinds) {
        long sent = T0 + 100 * MS + index * 20 * MS;
        long first = sent + 200 * MS;
        long last = first + 1000 * MS;
        return new RequestTimeline(index, index, sent, sent, first, last, last, 500, 101, 101,
                TokenCountSource.SERVER_USAGE, 101, new LatencyHistogram(), null, null, firstAnswer < 0 ? first : firstAnswer,
                null, cached, 0, -1, kinds);
    }

    private static Map<String, Result> results(List<RequestTimeline> requests) {
        WaveRecord wave = new WaveRecord(T0 + 100 * MS, T0 + 1900 * MS, 2, requests);
        PowerTrace trace = constant();
        IterationEnergy e = IterationEnergy.measure("nvml", trace, PowerSignal.of(trace, 50 * MS), 100 * MS, wave,
                AttributionPolicy.TOKEN_WEIGHTED, null, -1);
        return EnergyResults.of(e).stream().collect(Collectors.toMap(Result::getLabel, Function.identity()));
    }

    @Test
    void aPlainWaveHasNoFigureOfAKindItLacks() {
        Map<String, Result> r = results(List.of(request(0, -1, -1, TokenKinds.PLAIN), request(1, -1, 0, TokenKinds.PLAIN)));
        assertTrue(r.containsKey("nvml.J/decodeToken"));
        for (String absent : List.of("nvml.reasoning.energy", "nvml.answer.energy", "nvml.J/reasoningToken",
                "nvml.J/answerToken", "nvml.J/computedPromptToken", "nvml.speculative.acceptance")) {
            assertFalse(r.containsKey(absent), absent + " must be left out of a plain wave: " + r.keySet());
        }
    }

    @Test
    void aReasoningWaveWithACacheAndDraftsHasEveryKind() {
        TokenKinds kinds = new TokenKinds(60, TokenCountSource.SERVER_USAGE, 50, 40);
        List<RequestTimeline> requests = List.of(request(0, T0 + 900 * MS, 400, kinds),
                request(1, T0 + 920 * MS, 400, kinds));
        Map<String, Result> r = results(requests);
        double reasoning = r.get("nvml.reasoning.energy").getScore();
        double answer = r.get("nvml.answer.energy").getScore();
        assertEquals(r.get("nvml.decode.J").getScore(), reasoning + answer, 1e-9 * (reasoning + answer));
        assertEquals(reasoning / 120, r.get("nvml.J/reasoningToken").getScore(), 1e-12);
        assertEquals(answer / 80, r.get("nvml.J/answerToken").getScore(), 1e-12, "100 decode steps, 60 reasoning, 40 answer");
        assertEquals(r.get("nvml.prefill.J").getScore() / 200, r.get("nvml.J/computedPromptToken").getScore(), 1e-12);
        assertEquals(0.8, r.get("nvml.speculative.acceptance").getScore(), 1e-15);
        assertTrue(r.get("nvml.J/reasoningToken").getScoreUnit().contains("reasoning tokens: server-usage"),
                r.get("nvml.J/reasoningToken").getScoreUnit());
        assertTrue(r.containsKey("nvml.J/reasoningToken.err") && r.containsKey("nvml.J/computedPromptToken.err"));
    }
}
