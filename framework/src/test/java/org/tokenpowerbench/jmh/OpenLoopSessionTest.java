package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.workload.Goodput;
import org.tokenpowerbench.workload.PromptSource;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * What the generated harness does for an open-loop, dataset-driven benchmark with an SLO, on the
 * embedded engine: open the session from a {@link BenchmarkSpec}, run a wave, and report goodput.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OpenLoopSessionTest {

    @TempDir
    Path dir;

    private String oldRunDir;
    private String oldIdle;

    @BeforeEach
    void quietRunFolder() {
        oldRunDir = System.getProperty("tpb.runDir");
        oldIdle = System.getProperty(InferenceSession.IDLE_SECONDS);
        System.setProperty("tpb.runDir", dir.resolve("run").toString());
        System.setProperty(InferenceSession.IDLE_SECONDS, "0");
    }

    @AfterEach
    void restore() {
        restore("tpb.runDir", oldRunDir);
        restore(InferenceSession.IDLE_SECONDS, oldIdle);
        WaveLedger.clear();
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private static BenchmarkSpec spec(String dataset, String api, double rate, double e2eSlo) {
        return BenchmarkSpec.builder("demo.OpenLoop").set("model", "synthetic:llama-tiny").set("dataset", dataset)
                .set("outputTokens", 5).set("prompts", 3).set("api", api).set("rate", rate).set("arrivals", "gamma")
                .set("burstiness", 0.5).set("maxConcurrency", 2).set("warmupRequests", 1).set("datasetMaxTokens", 256)
                .set("sloE2eMs", e2eSlo).build();
    }

    @Test
    void chatDatasetOpenLoopWithGoodput() throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"messages\": [{\"role\": \"system\", \"content\": \"answer briefly\"}, {\"role\": \"user\", \"content\": \"what is energy\"}], \"output_tokens\": 3}",
                "{\"prompt\": \"name three rivers\", \"output_tokens\": 4}",
                "{\"prompt\": \"count the stars\"}",
                "{\"prompt\": \"describe the sea at night\"}",
                ""));
        BenchmarkSpec spec = spec(file.toString(), "chat", 25, 120_000);
        assertTrue(spec.describe().contains("dataset=" + file), spec.describe());
        assertTrue(spec.describe().contains("rate=25 arrivals=gamma burstiness=0.5 maxConcurrency=2 warmupRequests=1"),
                spec.describe());
        assertEquals(2, spec.slots());
        WaveRecord wave;
        try (InferenceSession session = InferenceSession.open(spec)) {
            session.beginIteration("measurement");
            wave = session.runWave();
        }
        assertEquals(3, wave.requests().size());
        assertEquals(2, wave.concurrency());
        for (RequestTimeline r : wave.requests()) {
            assertTrue(r.succeeded(), () -> r.errorClass() + ": " + r.error());
            assertTrue(r.outputTokens() == 3 || r.outputTokens() == 4 || r.outputTokens() == 5,
                    "own output length or the default: " + r.outputTokens());
            assertEquals(r.requestedOutputTokens(), r.outputTokens());
        }
        WaveLedger.Entry entry = WaveLedger.latest();
        assertNotNull(entry);
        assertTrue(entry.promptTokenization().startsWith("dataset " + file + " (jsonl): 4 prompts sampled"),
                entry.promptTokenization());
        Goodput g = entry.goodput();
        assertNotNull(g);
        assertEquals(3, g.requests());
        assertEquals(3, g.good(), "two minutes is a generous end-to-end objective");
        assertEquals(wave.outputTokens(), g.goodOutputTokens());

        Collection<? extends Result> results = profiler().afterIteration(null,
                new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1), null);
        Map<String, Double> byLabel = results.stream().collect(Collectors.toMap(Result::getLabel, Result::getScore));
        assertEquals(1.0, byLabel.get("goodput.share"), 1e-12);
        assertEquals(3 / wave.seconds(), byLabel.get("goodput.requests/s"), 1e-9);
        assertEquals(3 / wave.seconds(), byLabel.get("requests/s"), 1e-9);
        assertTrue(byLabel.containsKey("latency.p99"), byLabel.keySet().toString());
        assertTrue(byLabel.containsKey("queue.p50"), byLabel.keySet().toString());
        String iterations = Files.readString(dir.resolve("run/iterations.jsonl"));
        assertTrue(iterations.contains("\"goodput\":{\"slo\":\"queue+e2e<=120000ms\",\"requests\":3,\"good\":3"), iterations);
        assertTrue(iterations.contains("\"arrivals\":\"gamma(0.5) 25.0/s\""), iterations);
    }

    @Test
    void contextLengthBuildsPromptsOfThatLength() {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Ctx").set("model", "synthetic:llama-tiny").set("batch", 2)
                .set("contextLength", 40).set("outputTokens", 2).set("prompts", 3).build();
        assertTrue(spec.describe().contains(" contextLength=40 "), spec.describe());
        WaveRecord wave;
        try (InferenceSession session = InferenceSession.open(spec)) {
            session.beginIteration("measurement");
            wave = session.runWave();
        }
        assertEquals(3, wave.requests().size());
        for (RequestTimeline r : wave.requests()) {
            assertTrue(r.succeeded(), () -> r.errorClass() + ": " + r.error());
            assertEquals(40, r.promptTokens(), "exactly contextLength tokens, as the server counts them");
        }
        assertNull(WaveLedger.latest().goodput(), "no @Slo, no goodput");
    }

    @Test
    void drawnLengthsAndATimedWaveOnTheEmbeddedEngine() {
        // a closed loop of 2 that keeps sending for 1.5 s, cycling through 4 prompts whose prompt
        // and output lengths are drawn: the server must see each prompt's own length and produce
        // each request's own output length
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Spread").set("model", "synthetic:llama-tiny").set("batch", 2)
                .set("inputTokens", 24).set("outputTokens", 6).set("prompts", 4).set("inputLengths", "uniform:0.5")
                .set("outputLengths", "normal:0.5:2:12").set("waveSeconds", 1.5).build();
        assertTrue(spec.describe().endsWith("inputLengths=uniform:0.5 outputLengths=normal:0.5:2:12 waveSeconds=1.5"),
                spec.describe());
        WaveRecord wave;
        PromptSource.Loaded expected = spec.promptSource().load(null, 6); // lengths only: drawn the same way
        try (InferenceSession session = InferenceSession.open(spec)) {
            session.beginIteration("measurement");
            wave = session.runWave();
        }
        assertTrue(wave.requests().size() > 4, "a 1.5 s wave cycles the 4 prompts: " + wave.requests().size());
        java.util.Set<Integer> promptLengths = new java.util.HashSet<>();
        for (RequestTimeline r : wave.requests()) {
            assertTrue(r.succeeded(), () -> r.errorClass() + ": " + r.error());
            int want = expected.measured().outputTokens(r.promptIndex(), 6);
            assertEquals(want, r.requestedOutputTokens(), "request " + r.index() + " asks for its prompt's length");
            assertEquals(want, r.outputTokens(), "and the server produced exactly that");
            assertTrue(r.promptTokens() >= 12 && r.promptTokens() <= 36, "uniform:0.5 of 24: " + r.promptTokens());
            promptLengths.add(r.promptTokens());
        }
        assertTrue(promptLengths.size() > 1, "prompt lengths vary: " + promptLengths);
        assertTrue(wave.seconds() >= 1.5, "the wave lasts its time: " + wave.seconds());
    }

    @Test
    void requestFieldsReachTheEmbeddedEngineAndControlledOnesStopTheTrial() {
        // sampled decoding instead of greedy: the embedded engine takes temperature, top_p, top_k
        // and seed; the output length stays forced
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Sampled").set("model", "synthetic:llama-tiny").set("batch", 2)
                .set("inputTokens", 16).set("outputTokens", 5).set("prompts", 4)
                .set("requestFields", "temperature=0.9;top_p=0.8;top_k=20;seed=11").build();
        assertTrue(spec.describe().endsWith(" requestFields=temperature=0.9;top_p=0.8;top_k=20;seed=11"), spec.describe());
        WaveRecord wave;
        try (InferenceSession session = InferenceSession.open(spec)) {
            session.beginIteration("measurement");
            wave = session.runWave();
        }
        assertEquals(4, wave.requests().size());
        for (RequestTimeline r : wave.requests()) {
            assertTrue(r.succeeded(), () -> r.errorClass() + ": " + r.error());
            assertEquals(5, r.outputTokens());
        }

        BenchmarkSpec controlled = BenchmarkSpec.builder("demo.Bad").set("model", "synthetic:llama-tiny")
                .set("inputTokens", 16).set("outputTokens", 5).set("prompts", 2).set("requestFields", "max_tokens=3")
                .build();
        BenchmarkFailure e = assertThrows(BenchmarkFailure.class, () -> InferenceSession.open(controlled));
        assertTrue(e.getMessage().startsWith("requestFields sets 'max_tokens', which the benchmark controls"),
                e.getMessage());
    }

    @Test
    void closedLoopHasNoGoodputWithoutSlo() {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Closed").set("model", "synthetic:llama-tiny")
                .set("inputTokens", 16).set("outputTokens", 2).set("prompts", 2).build();
        assertEquals("model=synthetic:llama-tiny quantization=f16 batch=1 inputTokens=16 outputTokens=2 prompts=2 "
                + "engine=embedded api=completions", spec.describe(), "closed-loop trials keep their names");
        assertNull(new WaveLedger.Entry(spec, new WaveRecord(0, 1, 1, java.util.List.of()), "x").goodput());
    }

    @Test
    void badOpenLoopValuesFailTheTrialWithOneLine() {
        BenchmarkSpec negative = BenchmarkSpec.builder("demo.Bad").set("model", "synthetic:llama-tiny")
                .set("inputTokens", 16).set("outputTokens", 2).set("prompts", 2).set("rate", -3.0).build();
        BenchmarkFailure e = assertThrows(BenchmarkFailure.class, () -> InferenceSession.open(negative));
        assertTrue(e.getMessage().startsWith("rate=-3.0 is not an arrival rate"), e.getMessage());

        BenchmarkSpec missing = spec(dir.resolve("absent.jsonl").toString(), "completions", 4, 0);
        e = assertThrows(BenchmarkFailure.class, () -> InferenceSession.open(missing));
        assertTrue(e.getMessage().startsWith("dataset file '" + dir.resolve("absent.jsonl") + "' does not exist"),
                e.getMessage());

        BenchmarkSpec context = BenchmarkSpec.builder("demo.Ctx").set("model", "synthetic:llama-tiny")
                .set("contextLength", 0).set("outputTokens", 2).set("prompts", 2).build();
        e = assertThrows(BenchmarkFailure.class, () -> InferenceSession.open(context));
        assertTrue(e.getMessage().startsWith("contextLength=0 is not allowed"), e.getMessage());
    }

    /** The profiler as a fork under our Main makes it; its constructor only refuses JMH's own Main. */
    private static RequestMetricsProfiler profiler() {
        try {
            return new RequestMetricsProfiler();
        } catch (org.openjdk.jmh.profile.ProfilerException e) {
            throw new AssertionError(e);
        }
    }
}
