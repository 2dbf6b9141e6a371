package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.report.RunDirectory;

class RegressionRefitTest {

    /** Energy = 0.01 J per prompt token + 0.2 J per decode token + 5 W, exactly. */
    private static ObjectNode line(RunDirectory dir, int input, int output, double seconds, String iteration) {
        double prompt = 8.0 * input;
        double decode = 8.0 * (output - 1);
        double energy = 0.01 * prompt + 0.2 * decode + 5 * seconds;
        ObjectNode n = dir.newObject();
        n.put("kind", "energy");
        n.put("sensor", "cpu");
        n.put("benchmark", "Sample");
        n.put("group", "model=m quantization=q batch=1 engine=e api=chat");
        n.put("trial", "inputTokens=" + input + " outputTokens=" + output);
        n.put("iteration", iteration);
        n.put("method", "estimated");
        n.put("energyJ", energy);
        n.put("promptTokens", prompt);
        n.put("decodeTokens", decode);
        n.put("seconds", seconds);
        n.putObject("idleBaseline").put("watts", 5.0);
        ObjectNode p = n.putObject("policies").putObject("token-weighted");
        // an attribution that gives each phase its marginal cost plus 5 W times its share of the time
        double prefillS = seconds * 0.25;
        p.put("prefillJ", 0.01 * prompt + 5 * prefillS);
        p.put("decodeJ", 0.2 * decode + 5 * (seconds - prefillS));
        p.put("prefillShareSeconds", prefillS);
        p.put("decodeShareSeconds", seconds - prefillS);
        return n;
    }

    @Test
    void fitsEveryGroupFromTheRunFolderAndComparesTheAttribution(@TempDir Path root) throws Exception {
        RunDirectory dir = new RunDirectory(root);
        double s = 1.0;
        for (int input : new int[] {32, 128}) {
            for (int output : new int[] {16, 64}) {
                for (int rep = 0; rep < 2; rep++) {
                    dir.appendJsonLine("iterations.jsonl", line(dir, input, output, s, "measurement"));
                    s += 0.37;
                }
            }
        }
        dir.appendJsonLine("iterations.jsonl", line(dir, 999, 999, 99, "warmup")); // ignored
        ObjectNode other = dir.newObject().put("kind", "requests");
        dir.appendJsonLine("iterations.jsonl", other); // ignored
        RegressionRefit.update(dir);

        assertTrue(Files.exists(root.resolve("regression.json")));
        List<JsonNode> fits = new ArrayList<>();
        for (Iterator<JsonNode> it = RegressionRefit.fits(root.resolve("regression.json")); it.hasNext(); ) {
            fits.add(it.next());
        }
        assertEquals(2, fits.size()); // the group and the pooled "all"
        JsonNode g = fits.get(0);
        assertEquals(8, g.path("observations").asInt());
        assertEquals(4, g.path("sweepPoints").asInt());
        JsonNode free = g.path("fit");
        assertEquals(0.01, free.path("a_JPerPrefillToken").path("value").asDouble(), 1e-9);
        assertEquals(0.2, free.path("b_JPerDecodeToken").path("value").asDouble(), 1e-9);
        assertEquals(5.0, free.path("c_W").path("value").asDouble(), 1e-9);
        JsonNode fixed = g.path("fitAboveIdleBaseline");
        assertEquals(0.01, fixed.path("a_JPerPrefillToken").path("value").asDouble(), 1e-9);
        assertEquals(0.2, fixed.path("b_JPerDecodeToken").path("value").asDouble(), 1e-9);
        assertEquals(5.0, g.path("meanIdleBaselineW").asDouble(), 1e-12);
        JsonNode a = g.path("attribution").path("token-weighted");
        assertEquals(0.01, a.path("jPerPromptTokenAboveC").asDouble(), 1e-9);
        assertEquals(0.2, a.path("jPerDecodeTokenAboveC").asDouble(), 1e-9);
        assertEquals(0.0, a.path("prefillVsFit").asDouble(), 1e-9);
        assertEquals(0.01, a.path("dynamicJPerPromptToken").asDouble(), 1e-9);
        assertEquals(0.0, a.path("decodeVsFitAboveIdleBaseline").asDouble(), 1e-9);
        assertEquals("all", fits.get(1).path("group").asText());
    }

    @Test
    void aResumedTrialCountsOnceWithItsLatestAttempt(@TempDir Path root) throws Exception {
        RunDirectory dir = new RunDirectory(root);
        try {
            // the first command measured one good wave of the 32-token trial, then the trial failed
            // with a wave whose figures are off (the engine died half-way)
            System.setProperty(RunDirectory.INVOCATION, "first");
            dir.appendJsonLine("iterations.jsonl", line(dir, 32, 16, 1.0, "measurement"));
            ObjectNode broken = line(dir, 32, 16, 1.37, "measurement");
            broken.put("energyJ", broken.path("energyJ").asDouble() * 3);
            dir.appendJsonLine("iterations.jsonl", broken);
            dir.appendJsonLine("iterations.jsonl", line(dir, 128, 64, 1.74, "measurement")); // another trial
            // the resumed command ran the failed trial again, and only that one
            System.setProperty(RunDirectory.INVOCATION, "second");
            for (double s : new double[] {2.11, 2.48, 2.85}) {
                dir.appendJsonLine("iterations.jsonl", line(dir, 32, 16, s, "measurement"));
            }
            dir.appendJsonLine("iterations.jsonl", line(dir, 128, 16, 3.22, "measurement"));
            dir.appendJsonLine("iterations.jsonl", line(dir, 32, 64, 3.59, "measurement"));
        } finally {
            System.clearProperty(RunDirectory.INVOCATION);
        }
        RegressionRefit.update(dir);
        JsonNode g = RegressionRefit.fits(root.resolve("regression.json")).next();
        // first's two 32/16 waves are dropped, its 128/64 wave (not rerun) stays: 3 + 1 + 2
        assertEquals(6, g.path("observations").asInt());
        assertEquals(4, g.path("sweepPoints").asInt());
        assertEquals(0.2, g.path("fit").path("b_JPerDecodeToken").path("value").asDouble(), 1e-9,
                "the broken wave is not in the fit");
    }

    private static BenchmarkSpec closed(int batch, int inputTokens, int outputTokens, int prompts, long seed) {
        return BenchmarkSpec.builder("S").set("model", "m").set("quantization", "q").set("batch", batch)
                .set("inputTokens", inputTokens).set("outputTokens", outputTokens).set("prompts", prompts)
                .set("seed", seed).build();
    }

    @Test
    void aGroupIsATrialWithoutItsPromptCountAndLengths() {
        BenchmarkSpec a = closed(8, 32, 16, 64, 1L);
        BenchmarkSpec b = closed(8, 128, 64, 32, 2L);
        BenchmarkSpec c = closed(32, 128, 64, 32, 2L);
        assertEquals("model=m quantization=q batch=8 engine=embedded api=completions", RegressionRefit.group(a));
        assertEquals(RegressionRefit.group(a), RegressionRefit.group(b));
        assertFalse(RegressionRefit.group(a).equals(RegressionRefit.group(c)));
    }

    @Test
    void saysWhyWhenTheRunCannotSeparatePrefillFromDecode(@TempDir Path root) throws Exception {
        RunDirectory dir = new RunDirectory(root);
        for (int rep = 0; rep < 5; rep++) {
            dir.appendJsonLine("iterations.jsonl", line(dir, 64, 64, 2 + 0.1 * rep, "measurement"));
        }
        RegressionRefit.update(dir);
        JsonNode g = RegressionRefit.fits(root.resolve("regression.json")).next();
        assertTrue(g.path("fit").path("problem").asText().contains("inputTokens"), g.toString());
        assertTrue(g.path("fitAboveIdleBaseline").path("problem").asText().contains("inputTokens"), g.toString());
        assertFalse(g.path("fit").has("a_JPerPrefillToken"));
    }
}
