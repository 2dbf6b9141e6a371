package org.tokenpowerbench.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.workload.ClosedLoopDriver;
import org.tokenpowerbench.workload.PromptSet;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * The scraper against an engine we write ourselves on {@link MockWebServer}: it streams
 * completions with usage and serves vLLM-shaped {@code /metrics} whose counters advance with the
 * tokens it serves, so the truth of every wave is known.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EngineMetricsScraperTest {

    private MockWebServer server;
    private final AtomicLong promptCounter = new AtomicLong();
    private final AtomicLong generatedCounter = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger completions = new AtomicInteger();
    private volatile MetricsAnswer metrics = this::vllmMetrics;

    interface MetricsAnswer {
        MockResponse answer() throws InterruptedException;
    }

    @BeforeEach
    void start() throws Exception {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (request.getPath().startsWith("/metrics")) {
                    return metrics.answer();
                }
                if (request.getPath().startsWith("/v1/completions")) {
                    return completion(request.getBody().readUtf8());
                }
                return new MockResponse().setResponseCode(404);
            }
        });
        server.start();
        System.clearProperty(EngineMetricsScraper.PERIOD);
        System.clearProperty(EngineMetricsScraper.NAMES);
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdown();
        System.clearProperty(EngineMetricsScraper.PERIOD);
        System.clearProperty(EngineMetricsScraper.NAMES);
    }

    /** A completion whose token counts follow from its body, counted by the "engine" before it answers. */
    private MockResponse completion(String body) {
        int prompt = 5 + body.length() % 37;
        int generated = 2 + body.length() % 5;
        running.incrementAndGet();
        promptCounter.addAndGet(prompt);
        generatedCounter.addAndGet(generated);
        StringBuilder sse = new StringBuilder();
        for (int i = 0; i < generated; i++) {
            sse.append("data: {\"choices\":[{\"index\":0,\"text\":\"t").append(i).append("\"}]}\n\n");
        }
        sse.append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":").append(prompt)
                .append(",\"completion_tokens\":").append(generated).append("}}\n\ndata: [DONE]\n\n");
        running.decrementAndGet();
        completions.incrementAndGet();
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sse.toString());
    }

    private MockResponse vllmMetrics() {
        return new MockResponse().setBody("# TYPE vllm:prompt_tokens_total counter\n"
                + "vllm:prompt_tokens_total{engine=\"0\",model_name=\"m\"} " + promptCounter.get() + ".0\n"
                + "# TYPE vllm:generation_tokens_total counter\n"
                + "vllm:generation_tokens_total{engine=\"0\",model_name=\"m\"} " + generatedCounter.get() + ".0\n"
                + "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} " + running.get() + ".0\n"
                + "vllm:num_requests_waiting{engine=\"0\",model_name=\"m\"} 0.0\n"
                + "vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"m\"} 0.125\n"
                + "vllm:prefix_cache_queries_total{engine=\"0\",model_name=\"m\"} " + promptCounter.get() + ".0\n"
                + "vllm:prefix_cache_hits_total{engine=\"0\",model_name=\"m\"} 0.0\n"
                + "vllm:num_preemptions_total{engine=\"0\",model_name=\"m\"} 0.0\n"
                + "process_resident_memory_bytes 1.0e9\n");
    }

    private String baseUrl() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    private StreamingClient client() {
        return new StreamingClient(new Endpoint(baseUrl(), "m", null, null), Api.COMPLETIONS, 4, Duration.ofSeconds(30));
    }

    private static PromptSet prompts(int n, String word) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add((word + " ").repeat(i + 1).trim());
        }
        return new PromptSet(p, -1, "test");
    }

    private static long prompt(WaveRecord w) {
        return w.requests().stream().mapToLong(RequestTimeline::promptTokens).sum();
    }

    @Test
    void theServersCountsOfAWaveEqualTheTokensItServedInIt() throws Exception {
        System.setProperty(EngineMetricsScraper.PERIOD, "10");
        try (StreamingClient c = client(); ClosedLoopDriver driver = new ClosedLoopDriver(c, 3)) {
            driver.run(prompts(5, "before"), 4); // served before the scraper opens: not this wave's
            try (EngineMetricsScraper scraper = EngineMetricsScraper.open(baseUrl(), "/metrics", null)) {
                for (int wave = 0; wave < 2; wave++) {
                    long promptBefore = promptCounter.get();
                    long generatedBefore = generatedCounter.get();
                    scraper.waveStarted();
                    WaveRecord w = driver.run(prompts(12, "wave" + wave), 4);
                    WaveScrapes ws = scraper.waveEnded();
                    ServerWave s = ServerWave.of(ws, w.startNanos(), w.endNanos(), w.promptTokens(), w.outputTokens());
                    assertEquals(ServerFamily.VLLM, s.family());
                    assertEquals(promptCounter.get() - promptBefore, (long) s.promptTokens(), "the truth");
                    assertEquals(generatedCounter.get() - generatedBefore, (long) s.generatedTokens());
                    assertEquals(prompt(w), (long) s.promptTokens(), "and ours agree with it");
                    assertEquals(0.0, s.promptDifferencePercent());
                    assertEquals(0.0, s.generatedDifferencePercent());
                    assertNull(s.tokenWarning());
                    assertNull(s.why());
                    assertEquals(0.0, s.prefixCacheHitRate());
                    assertEquals(0, s.errors());
                    assertFalse(ws.during().isEmpty(), "one scrape at the wave's start at least");
                    assertEquals(0.125, s.kvCacheMax());
                    for (Scrape scrape : ws.all()) {
                        assertFalse(scrape.exposition().has("process_resident_memory_bytes"), "not ours to keep");
                        assertFalse(scrape.exposition().has("vllm:num_preemptions_total"), "not asked for");
                    }
                }
            }
        }
    }

    @Test
    void speculativeAcceptanceIsTheWavesDeltaOfAcceptedOverProposedDraftTokens() {
        String counters = "vllm:prompt_tokens_total 100\nvllm:generation_tokens_total 10\n"
                + "vllm:spec_decode_num_draft_tokens_total{engine=\"0\"} %d\n"
                + "vllm:spec_decode_num_accepted_tokens_total{engine=\"0\"} %d\n";
        Exposition before = ExpositionParser.parse(String.format(counters, 500, 300));
        Exposition after = ExpositionParser.parse(String.format(counters, 900, 540));
        ServerWave s = ServerWave.of(new WaveScrapes(new Scrape(0, 1, before), List.of(), new Scrape(10, 11, after), 0,
                null, 0), 2, 9, 0, 0);
        assertEquals(240.0 / 400, s.draftAcceptance(), 1e-15);
        // without a draft model the counters stay put: no rate, and none in the results
        ServerWave none = ServerWave.of(new WaveScrapes(new Scrape(0, 1, before), List.of(), new Scrape(10, 11, before), 0,
                null, 0), 2, 9, 0, 0);
        assertTrue(Double.isNaN(none.draftAcceptance()));
        // an engine without the counters (llama-server without a draft model exposes them at 0; TGI not at all)
        ServerWave plain = ServerWave.of(new WaveScrapes(new Scrape(0, 1, ExpositionParser.parse(
                "vllm:prompt_tokens_total 1\n")), List.of(), new Scrape(10, 11, ExpositionParser.parse(
                "vllm:prompt_tokens_total 2\n")), 0, null, 0), 2, 9, 0, 0);
        assertTrue(Double.isNaN(plain.draftAcceptance()));
    }

    @Test
    void aServerThatCountsMoreThanWeDidIsWarnedAbout() {
        Exposition before = ExpositionParser.parse("vllm:prompt_tokens_total 100\nvllm:generation_tokens_total 10\n");
        Exposition after = ExpositionParser.parse("vllm:prompt_tokens_total 1100\nvllm:generation_tokens_total 110\n");
        ServerWave s = ServerWave.of(new WaveScrapes(new Scrape(0, 1, before), List.of(), new Scrape(10, 11, after), 0,
                null, 0), 2, 9, 990, 100);
        assertEquals(1000.0, s.promptTokens());
        assertEquals(100.0 * 10 / 990, s.promptDifferencePercent(), 1e-9);
        assertEquals(0.0, s.generatedDifferencePercent());
        assertTrue(s.tokenWarning().contains("1000 prompt tokens against our 990 (+1.01 %)"), s.tokenWarning());
        assertFalse(s.tokenWarning().contains("generated"), "only the count that is off");
    }

    @Test
    void theUsersNamesAreKeptWithTheirSeries() throws Exception {
        System.setProperty(EngineMetricsScraper.NAMES, "vllm:num_preemptions, process_resident_memory_bytes");
        try (EngineMetricsScraper scraper = EngineMetricsScraper.open(baseUrl(), "/metrics", null)) {
            assertTrue(scraper.keeps("vllm:num_preemptions_total"));
            assertTrue(scraper.keeps("process_resident_memory_bytes"));
            assertFalse(scraper.keeps("process_cpu_seconds_total"));
        }
        System.setProperty(EngineMetricsScraper.NAMES, "ok_name,9bad");
        UserError e = assertThrows(UserError.class, () -> EngineMetricsScraper.open(baseUrl(), "/metrics", null));
        assertTrue(e.getMessage().contains("'9bad'"), e.getMessage());
        System.clearProperty(EngineMetricsScraper.NAMES);
        System.setProperty(EngineMetricsScraper.PERIOD, "5");
        assertThrows(UserError.class, () -> EngineMetricsScraper.open(baseUrl(), "/metrics", null));
        System.setProperty(EngineMetricsScraper.PERIOD, "0");
        assertNull(EngineMetricsScraper.open(baseUrl(), "/metrics", null), "0 turns scraping off");
    }

    /** An engine (or a proxy) that echoes the request's header into a label: the kept series hold no key. */
    @Test
    void aLabelThatEchoesTheKeyIsKeptWithoutIt() throws Exception {
        String key = "sk-secret/12345";
        metrics = () -> new MockResponse().setBody("vllm:num_requests_running{model_name=\"Bearer " + key + "\"} 1.0\n"
                + "vllm:num_requests_waiting{model_name=\"Bearer sk-secret\\\\/12345\"} 0.0\n");
        try (EngineMetricsScraper scraper = EngineMetricsScraper.open(baseUrl(), "/metrics", key)) {
            scraper.waveStarted();
            WaveScrapes scrapes = scraper.waveEnded();
            List<Sample> samples = scrapes.after().exposition().samples();
            assertEquals(2, samples.size(), samples::toString);
            for (Sample sample : samples) {
                assertEquals("Bearer <redacted>", sample.labels().get("model_name"), sample::toString);
            }
        }
    }

    @Test
    void aFirst404TurnsScrapingOffWithOneLine() throws Exception {
        metrics = () -> new MockResponse().setResponseCode(404);
        PrintStream err = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
        try (StreamingClient c = client(); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2);
             EngineMetricsScraper scraper = EngineMetricsScraper.open(baseUrl(), "/metrics", null)) {
            assertTrue(scraper.off());
            for (int wave = 0; wave < 3; wave++) {
                scraper.waveStarted();
                WaveRecord w = driver.run(prompts(3, "x"), 2);
                assertNull(scraper.waveEnded());
                assertEquals(0, w.failedRequests(), "the wave goes on");
            }
        } finally {
            System.setErr(err);
        }
        String text = said.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().filter(l -> l.contains("404")).count(), text);
        assertTrue(text.contains("--metrics"), text);
        assertEquals(1, server.getRequestCount() - completions.get(), "asked once, never again");
    }

    @Test
    void brokenLinesAreCountedInEveryScrapeAndTheRestIsRead() throws Exception {
        System.setProperty(EngineMetricsScraper.PERIOD, "10");
        metrics = () -> {
            MockResponse ok = vllmMetrics();
            return ok.setBody(ok.getBody().readUtf8() + "vllm:broken{engine=\"0\" 1\nvllm:num_requests_waiting 1f\n");
        };
        try (StreamingClient c = client(); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2);
             EngineMetricsScraper scraper = EngineMetricsScraper.open(baseUrl(), "/metrics", null)) {
            scraper.waveStarted();
            WaveRecord w = driver.run(prompts(6, "y"), 3);
            WaveScrapes ws = scraper.waveEnded();
            ServerWave s = ServerWave.of(ws, w.startNanos(), w.endNanos(), w.promptTokens(), w.outputTokens());
            assertEquals(2 * ws.all().size(), s.malformedLines());
            assertEquals(0.0, s.promptDifferencePercent(), "the good lines still count");
        }
    }

    @Test
    void failedScrapesAreCountedAndNeverFailTheWave() throws Exception {
        AtomicBoolean opened = new AtomicBoolean();
        metrics = () -> opened.getAndSet(true) ? new MockResponse().setResponseCode(500) : vllmMetrics();
        try (StreamingClient c = client(); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2);
             EngineMetricsScraper scraper = EngineMetricsScraper.open(baseUrl(), "/metrics", null)) {
            scraper.waveStarted();
            WaveRecord w = driver.run(prompts(4, "z"), 2);
            WaveScrapes ws = scraper.waveEnded();
            ServerWave s = ServerWave.of(ws, w.startNanos(), w.endNanos(), w.promptTokens(), w.outputTokens());
            assertEquals(0, w.failedRequests());
            assertTrue(s.errors() >= 2, "the one at the start and the closing one: " + s.errors());
            assertEquals("HTTP 500", s.firstError());
            assertEquals("the scrape after the wave failed", s.why());
            assertTrue(Double.isNaN(s.promptTokens()));
        }
    }

    @Test
    void aSlowMetricsEndpointDoesNotHoldTheWavesRequestsBack() throws Exception {
        int requests = 8;
        CountDownLatch served = new CountDownLatch(requests);
        AtomicBoolean opened = new AtomicBoolean();
        AtomicBoolean heldUntilTheWaveWasServed = new AtomicBoolean();
        metrics = () -> {
            if (opened.getAndSet(true) && served.getCount() > 0) {
                // held until every request of the wave is served; if the wave waited for this
                // scrape, they would never be, and the guard below would give up
                heldUntilTheWaveWasServed.set(served.await(60, TimeUnit.SECONDS));
            }
            return vllmMetrics();
        };
        Dispatcher inner = server.getDispatcher();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                MockResponse r = inner.dispatch(request);
                if (request.getPath().startsWith("/v1/completions")) {
                    served.countDown();
                }
                return r;
            }
        });
        try (StreamingClient c = client(); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2);
             EngineMetricsScraper scraper = EngineMetricsScraper.open(baseUrl(), "/metrics", null)) {
            scraper.waveStarted();
            WaveRecord w = driver.run(prompts(requests, "s"), 2);
            assertEquals(0, served.getCount(), "every request was served while the scrape was held");
            WaveScrapes ws = scraper.waveEnded();
            assertNotNull(ws.after());
            assertEquals(0, w.failedRequests());
        }
        assertTrue(heldUntilTheWaveWasServed.get(), "the scrape at the wave's start was held and the wave went on");
    }
}
