package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.client.TokenCountSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClosedLoopDriverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SERVICE_MILLIS = 300;

    /** Streams max_tokens one-token chunks; the prompt's word count is its token count. */
    private static final class CountingDispatcher extends Dispatcher {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
        volatile String failPrompt;

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                JsonNode body = JSON.readTree(request.getBody().readUtf8());
                String prompt = body.path("prompt").asText();
                int maxTokens = body.path("max_tokens").asInt();
                sent.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
                Thread.sleep(SERVICE_MILLIS); // prefill and decode of a busy server
                if (prompt.equals(failPrompt + "!503")) {
                    return new MockResponse().setResponseCode(503).setBody("overloaded");
                }
                int promptTokens = prompt.split(" ").length;
                StringBuilder sse = new StringBuilder();
                for (int i = 0; i < maxTokens; i++) {
                    sse.append("data: {\"choices\":[{\"index\":0,\"text\":\" t").append(i).append("\"}]}\n\n");
                }
                sse.append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":").append(promptTokens)
                        .append(",\"completion_tokens\":").append(maxTokens).append("}}\n\n");
                if (!prompt.equals(failPrompt)) {
                    sse.append("data: [DONE]\n\n"); // the failing prompt's stream is cut after its usage
                }
                return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sse.toString());
            } catch (IOException e) {
                return new MockResponse().setResponseCode(400).setBody(e.toString());
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private MockWebServer server;
    private CountingDispatcher dispatcher;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        dispatcher = new CountingDispatcher();
        server.setDispatcher(dispatcher);
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private StreamingClient client(int concurrency) {
        String url = server.url("/").toString();
        return new StreamingClient(new Endpoint(url.substring(0, url.length() - 1), "m", null, null), Api.COMPLETIONS,
                concurrency, Duration.ofSeconds(20));
    }

    private static PromptSet prompts(int count) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            p.add(("prompt " + i + " " + "word ".repeat(i + 1)).trim());
        }
        return new PromptSet(p, -1, "test");
    }

    @Test
    void closedLoopSendsEachPromptOnceAtMostConcurrencyAtATime() {
        PromptSet prompts = prompts(7);
        WaveRecord wave;
        try (StreamingClient c = client(3); ClosedLoopDriver driver = new ClosedLoopDriver(c, 3)) {
            wave = driver.run(prompts, 4);
        }
        assertEquals(3, wave.concurrency());
        assertEquals(7, wave.requests().size());
        assertEquals(7, server.getRequestCount());
        assertEquals(7, dispatcher.sent.size());
        for (String p : prompts.prompts()) {
            assertEquals(1, dispatcher.sent.get(p).get(), "prompt sent once: " + p);
        }
        assertTrue(dispatcher.maxInFlight.get() <= 3, "in flight at once: " + dispatcher.maxInFlight.get());
        assertEquals(3, dispatcher.maxInFlight.get(), "three workers should overlap");

        List<RequestTimeline> rs = wave.requests();
        for (int i = 0; i < rs.size(); i++) {
            RequestTimeline r = rs.get(i);
            assertTrue(r.succeeded(), r.error());
            assertEquals(i, r.index(), "requests are ordered by index");
            assertEquals(i, r.promptIndex());
            assertEquals(wave.startNanos(), r.queuedNanos(), "closed loop: every request is due at the wave start");
            assertEquals(TokenCountSource.SERVER_USAGE, r.tokenSource());
            assertEquals(4, r.outputTokens());
            assertEquals(4, r.contentChunks());
            assertTrue(r.doneNanos() <= wave.endNanos());
        }
        // the first three start at once; the others wait for a worker to finish a ~300 ms request
        double firstThreeMax = 0;
        for (int i = 0; i < 3; i++) {
            firstThreeMax = Math.max(firstThreeMax, rs.get(i).queueMillis());
            assertTrue(rs.get(i).queueMillis() < SERVICE_MILLIS / 2.0, "queue of request " + i + ": " + rs.get(i).queueMillis());
        }
        for (int i = 3; i < 7; i++) {
            assertTrue(rs.get(i).queueMillis() >= SERVICE_MILLIS * 0.75, "queue of request " + i + ": " + rs.get(i).queueMillis());
            assertTrue(rs.get(i).queueMillis() > firstThreeMax);
        }
        // the last request waits for two rounds
        assertTrue(rs.get(6).queueMillis() >= 2 * SERVICE_MILLIS * 0.75, "queue of request 6: " + rs.get(6).queueMillis());
        // queue time is not TTFT: every TTFT covers the server's delay only
        for (RequestTimeline r : rs) {
            assertTrue(r.ttftMillis() >= SERVICE_MILLIS * 0.9, "ttft " + r.ttftMillis());
            assertTrue(r.ttftMillis() < 2 * SERVICE_MILLIS + 500, "ttft " + r.ttftMillis());
        }
        assertTrue(wave.seconds() >= 3 * SERVICE_MILLIS * 0.9 / 1000, "three rounds: " + wave.seconds());

        long promptSum = prompts.prompts().stream().mapToLong(p -> p.split(" ").length).sum();
        assertEquals(promptSum, wave.promptTokens());
        assertEquals(7L * 4, wave.outputTokens());
        assertEquals(0, wave.failedRequests());
    }

    @Test
    void failedRequestIsKeptButNotCounted() {
        PromptSet prompts = prompts(5);
        dispatcher.failPrompt = prompts.get(2);
        WaveRecord wave;
        try (StreamingClient c = client(2); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2)) {
            wave = driver.run(prompts, 3);
        }
        assertEquals(5, wave.requests().size());
        assertEquals(1, wave.failedRequests());
        assertFalse(wave.requests().get(2).succeeded());
        RequestTimeline failed = wave.requests().get(2);
        assertEquals("truncated-stream", failed.errorClass());
        assertEquals(3, failed.outputTokens(), "the usage arrived before the cut");
        long promptSum = 0;
        for (int i = 0; i < 5; i++) {
            if (i != 2) {
                promptSum += prompts.get(i).split(" ").length;
            }
        }
        assertEquals(promptSum, wave.promptTokens());
        assertEquals(4L * 3, wave.outputTokens());
        assertTrue(dispatcher.maxInFlight.get() <= 2);
    }

    @Test
    void httpErrorInAWave() {
        PromptSet prompts = prompts(3);
        dispatcher.failPrompt = prompts.get(1);
        List<String> p = new ArrayList<>(prompts.prompts());
        p.set(1, p.get(1) + "!503");
        WaveRecord wave;
        try (StreamingClient c = client(2); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2)) {
            wave = driver.run(new PromptSet(p, -1, "test"), 2);
        }
        assertEquals(1, wave.failedRequests());
        assertEquals("http-503", wave.requests().get(1).errorClass());
        assertEquals(4, wave.outputTokens());
    }

    @Test
    void concurrencyOneIsSequential() {
        WaveRecord wave;
        try (StreamingClient c = client(1); ClosedLoopDriver driver = new ClosedLoopDriver(c, 1)) {
            wave = driver.run(prompts(3), 2);
        }
        assertEquals(1, dispatcher.maxInFlight.get());
        List<RequestTimeline> rs = wave.requests();
        for (int i = 1; i < rs.size(); i++) {
            assertTrue(rs.get(i).sentNanos() >= rs.get(i - 1).doneNanos(), "request " + i + " overlapped the previous");
        }
    }

    @Test
    void concurrencyAboveThePromptCount() {
        WaveRecord wave;
        try (StreamingClient c = client(8); ClosedLoopDriver driver = new ClosedLoopDriver(c, 8)) {
            wave = driver.run(prompts(3), 2);
        }
        assertEquals(3, wave.requests().size());
        assertEquals(3, server.getRequestCount());
        for (RequestTimeline r : wave.requests()) {
            assertTrue(r.queueMillis() < 100, "queue " + r.queueMillis());
        }
    }

    @Test
    void driverIsReusableAcrossWaves() {
        try (StreamingClient c = client(2); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2)) {
            WaveRecord a = driver.run(prompts(3), 2);
            WaveRecord b = driver.run(prompts(3), 2);
            assertTrue(b.startNanos() >= a.endNanos());
            assertEquals(3, b.requests().size());
        }
        assertEquals(6, server.getRequestCount());
    }

    @Test
    void concurrencyMustBePositive() {
        try (StreamingClient c = client(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ClosedLoopDriver(c, 0));
            assertTrue(e.getMessage().contains("0"), e.getMessage());
        }
    }

    @Test
    void aTimedWaveKeepsEveryWorkerSendingUntilItsTimeIsUp() {
        // 2 workers, 300 ms per request, a 1 s wave: each worker starts a request at about 0, 0.3,
        // 0.6 and 0.9 s; none starts after 1 s, and the ones in flight at 1 s are waited for
        PromptSet prompts = prompts(3);
        long waveNanos = 1_000_000_000L;
        WaveRecord wave;
        try (StreamingClient c = client(2); ClosedLoopDriver driver = new ClosedLoopDriver(c, 2)) {
            wave = driver.run(prompts, 2, waveNanos);
        }
        List<RequestTimeline> rs = wave.requests();
        assertTrue(rs.size() >= 4 && rs.size() <= 8, "about 8 requests in 1 s: " + rs.size());
        assertTrue(rs.size() > prompts.size(), "the prompts are cycled");
        for (int i = 0; i < rs.size(); i++) {
            RequestTimeline r = rs.get(i);
            assertTrue(r.succeeded(), r.error());
            assertEquals(i, r.index());
            assertEquals(i % 3, r.promptIndex(), "request i uses prompt i mod 3");
            assertTrue(r.queuedNanos() - wave.startNanos() < waveNanos, "no request becomes due after the wave's time");
            assertTrue(r.queuedNanos() <= r.sentNanos());
            assertTrue(r.queueMillis() < 250, "due when a worker is free, not at the wave start: " + r.queueMillis());
        }
        RequestTimeline last = rs.get(rs.size() - 1);
        assertTrue(wave.endNanos() >= last.doneNanos(), "requests in flight at the end are waited for");
        assertTrue(wave.endNanos() - wave.startNanos() >= waveNanos, "the wave lasts at least its time");
        assertTrue(dispatcher.sent.get(prompts.get(0)).get() >= 2, "prompt 0 was sent again");
        assertThrows(IllegalArgumentException.class, () -> new ClosedLoopDriver(client(1), 1).run(prompts, 2, -1));
    }
}
