package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

/** The energy line of iterations.jsonl carries each kind of token only where the wave has it. */
class EnergyRowTokenKindsTest {

    private static final long T0 = 1_000_000_000_000L;
    private static final long MS = 1_000_000L;

    private static IterationEnergy wave(int cached, TokenKinds kinds, long firstAnswerAfter) {
        long[] t = new long[201];
        double[] c = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = T0 + i * 10 * MS;
            c[i] = 150 * i * 0.01;
        }
        PowerTrace trace = new PowerTrace(List.of(new PowerChannel("gpu0", "GPU-A", Scope.GPU, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES)), t, new double[][] {c});
        long sent = T0 + 100 * MS;
        long first = sent + 300 * MS;
        RequestTimeline r = new RequestTimeline(0, 0, sent, sent, first, first + 1000 * MS, first + 1000 * MS, 300, 51,
                51, TokenCountSource.SERVER_USAGE, 51, new LatencyHistogram(), null, null, first + firstAnswerAfter, null,
                cached, 0, -1, kinds);
        return IterationEnergy.measure("nvml", trace, PowerSignal.of(trace, 50 * MS), 100 * MS,
                new WaveRecord(sent, first + 1000 * MS, 1, List.of(r)), AttributionPolicy.TOKEN_WEIGHTED, null, -1);
    }

    private static JsonNode line(Path root, IterationEnergy e) {
        RunDirectory dir = new RunDirectory(root);
        return EnergyRow.json(dir, new EnergyRow.Context("t", "B", "g", "measurement", 1, 201, 0, 0, 0, "none"), e);
    }

    @Test
    void aReasoningWaveWithACacheAndDraftsCarriesEachKind(@TempDir Path root) {
        JsonNode n = line(root, wave(100, new TokenKinds(30, TokenCountSource.STREAM_CHUNKS, 20, 15), 400 * MS));
        JsonNode k = n.path("reasoning");
        assertEquals(n.path("decodeJ").asDouble(), k.path("reasoningJ").asDouble() + k.path("answerJ").asDouble(),
                1e-9 * n.path("decodeJ").asDouble());
        assertEquals(30, k.path("reasoningTokens").asLong());
        assertEquals(20, k.path("answerTokens").asLong());
        assertEquals("stream-chunks", k.path("reasoningTokenSource").asText());
        assertEquals(k.path("reasoningJ").asDouble() / 30, k.path("jPerReasoningToken").asDouble(), 1e-12);
        assertEquals(100, n.path("promptCache").path("cachedPromptTokens").asLong());
        assertEquals(200, n.path("promptCache").path("computedPromptTokens").asLong());
        assertEquals(n.path("prefillJ").asDouble() / 200, n.path("promptCache").path("jPerComputedPromptToken").asDouble(),
                1e-12);
        assertEquals(0.75, n.path("speculative").path("acceptance").asDouble(), 1e-15);
    }

    @Test
    void aPlainWaveCarriesNone(@TempDir Path root) {
        JsonNode n = line(root, wave(0, TokenKinds.PLAIN, 0));
        assertFalse(n.has("reasoning"));
        assertFalse(n.has("promptCache"));
        assertFalse(n.has("speculative"));
    }
}
