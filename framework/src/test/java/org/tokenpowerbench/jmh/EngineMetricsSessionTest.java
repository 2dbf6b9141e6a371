package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.Result;
import org.tokenpowerbench.prometheus.EngineMetricsScraper;
import org.tokenpowerbench.prometheus.ServerWave;
import org.tokenpowerbench.report.EngineMetricsFile;
import org.tokenpowerbench.report.TrialKey;

/**
 * What a trial against an http engine does with the engine's {@code /metrics}: the session reads
 * it around every wave, hands the wave's figures to the profilers and writes the series to
 * {@code engine-metrics.jsonl}, on an engine we write on {@link MockWebServer} whose counters
 * advance with what it serves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EngineMetricsSessionTest {

    @TempDir
    Path dir;

    private MockWebServer server;
    private final AtomicLong prompt = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    private String oldRunDir;
    private String oldIdle;

    @BeforeEach
    void start() throws Exception {
        oldRunDir = System.getProperty("tpb.runDir");
        oldIdle = System.getProperty(InferenceSession.IDLE_SECONDS);
        System.setProperty("tpb.runDir", dir.resolve("run").toString());
        System.setProperty(InferenceSession.IDLE_SECONDS, "0");
        System.setProperty(EngineMetricsScraper.PERIOD, "20");
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                if (path.startsWith("/v1/models")) {
                    return new MockResponse().setBody("{\"data\":[{\"id\":\"m\"}]}");
                }
                if (path.startsWith("/metrics")) {
                    return new MockResponse().setBody("# TYPE llamacpp:prompt_tokens_total counter\n"
                            + "llamacpp:prompt_tokens_total " + prompt.get() + "\n"
                            + "llamacpp:tokens_predicted_total " + generated.get() + "\n"
                            + "llamacpp:requests_processing 1\nllamacpp:requests_deferred 0\n");
                }
                if (path.startsWith("/v1/completions")) {
                    int p = 7 + request.getBody().readUtf8().length() % 11;
                    prompt.addAndGet(p);
                    generated.addAndGet(4);
                    return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(
                            "data: {\"choices\":[{\"index\":0,\"text\":\"a b c d\"}]}\n\n"
                                    + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":" + p
                                    + ",\"completion_tokens\":4}}\n\ndata: [DONE]\n\n");
                }
                return new MockResponse().setResponseCode(404);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
        restore("tpb.runDir", oldRunDir);
        restore(InferenceSession.IDLE_SECONDS, oldIdle);
        System.clearProperty(EngineMetricsScraper.PERIOD);
        WaveLedger.clear();
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void everyWaveCarriesTheServersCountsAndTheRunFolderItsSeries() throws Exception {
        String url = server.url("/").toString();
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Server").set("model", "m").set("batch", 2).set("inputTokens", 8)
                .set("outputTokens", 4).set("prompts", 5).set("engine", url.substring(0, url.length() - 1)).build();
        try (InferenceSession session = InferenceSession.open(spec)) {
            for (int i = 0; i < 2; i++) {
                session.beginIteration("measurement");
                session.runWave();
                ServerWave s = WaveLedger.latest().server();
                assertNotNull(s);
                assertEquals(WaveLedger.latest().wave().promptTokens(), (long) s.promptTokens());
                assertEquals(20, (long) s.generatedTokens());
                assertEquals(1.0, s.runningMax());
                Map<String, Double> results = RequestMetricsProfiler.serverResults(s).stream()
                        .collect(Collectors.toMap(Result::getLabel, Result::getScore));
                assertEquals(0.0, results.get("server.promptTokens.diff"));
                assertEquals(20.0, results.get("server.generatedTokens"));
                assertTrue(!results.containsKey("server.kvCache.max"), "this llama.cpp exposes none: left out");
            }
        }
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = Files.readAllLines(dir.resolve("run").resolve(EngineMetricsFile.FILE)).stream()
                .map(l -> {
                    try {
                        return json.readTree(l);
                    } catch (Exception e) {
                        throw new AssertionError(l, e);
                    }
                }).toList();
        String id = new TrialKey("demo.Server", spec.describe()).id();
        List<JsonNode> waves = lines.stream().filter(n -> n.path("kind").asText().equals("wave")).toList();
        assertEquals(2, waves.size());
        assertEquals("measurement-2", waves.get(1).path("iteration").asText());
        assertEquals(id, waves.get(1).path("trialId").asText());
        assertEquals("llama_cpp", waves.get(1).path("engine").asText());
        assertEquals(0.0, waves.get(1).path("promptTokensDifferencePercent").asDouble());
        JsonNode sample = lines.stream().filter(n -> n.path("kind").asText().equals("sample")).findFirst().orElseThrow();
        assertTrue(sample.path("tUnixMs").asDouble() > 1.6e12, sample.toString());
        assertEquals(id, sample.path("trialId").asText());
    }
}
