package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
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
import org.tokenpowerbench.client.ChatMessage;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;

/**
 * The open-loop driver against a mock server. Assertions are about order and cause (a request
 * cannot be sent before a slot frees, a slot frees only after an answer that the server held for
 * a while), never about how fast anything ran.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenLoopDriverTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Streams max_tokens one-token chunks after holding each request; records what it saw. */
    private static final class Server extends Dispatcher {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final Map<String, AtomicInteger> sent = new ConcurrentHashMap<>();
        final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        volatile long holdMillis;
        /** Each request waits (up to 20 s) until this many have arrived: proves they overlap. */
        volatile CountDownLatch gate = new CountDownLatch(0);

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                JsonNode body = JSON.readTree(request.getBody().readUtf8());
                bodies.add(body);
                String prompt = body.has("prompt") ? body.path("prompt").asText()
                        : body.path("messages").get(body.path("messages").size() - 1).path("content").asText();
                sent.computeIfAbsent(prompt, p -> new AtomicInteger()).incrementAndGet();
                gate.countDown();
                gate.await(20, TimeUnit.SECONDS);
                if (holdMillis > 0) {
                    Thread.sleep(holdMillis); // a server slower than the arrival rate
                }
                int maxTokens = body.path("max_tokens").asInt();
                boolean chat = body.has("messages");
                StringBuilder sse = new StringBuilder();
                for (int i = 0; i < maxTokens; i++) {
                    sse.append(chat ? "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" t" + i + "\"}}]}\n\n"
                            : "data: {\"choices\":[{\"index\":0,\"text\":\" t" + i + "\"}]}\n\n");
                }
                sse.append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":").append(prompt.split(" ").length)
                        .append(",\"completion_tokens\":").append(maxTokens).append("}}\n\n");
                sse.append("data: [DONE]\n\n");
                return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(sse.toString());
            } catch (IOException e) {
                return new MockResponse().setResponseCode(400).setBody(e.toString());
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    private MockWebServer mock;
    private Server server;

    @BeforeEach
    void start() throws IOException {
        mock = new MockWebServer();
        server = new Server();
        mock.setDispatcher(server);
        mock.start();
    }

    @AfterEach
    void stop() throws IOException {
        mock.shutdown();
    }

    private StreamingClient client(Api api) {
        String url = mock.url("/").toString();
        return new StreamingClient(new Endpoint(url.substring(0, url.length() - 1), "m", null, null), api, 8,
                Duration.ofSeconds(30));
    }

    private static PromptSet prompts(String prefix, int count) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            p.add(prefix + " " + i);
        }
        return new PromptSet(p, -1, "test");
    }

    private static final PromptSet NO_WARMUP = prompts("warm", 0);

    @Test
    void everyRequestIsDueAtItsSeededArrival() {
        ArrivalProcess arrivals = ArrivalProcess.of(200, "poisson", 1);
        PromptSet set = prompts("prompt", 12);
        long[] schedule = OpenLoopDriver.schedule(arrivals, 5, 0, 12);
        List<long[]> relativeDue = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            WaveRecord wave;
            try (StreamingClient c = client(Api.COMPLETIONS);
                 OpenLoopDriver driver = new OpenLoopDriver(c, arrivals, 0, NO_WARMUP, 5)) {
                wave = driver.run(set, 3);
            }
            assertEquals(12, wave.requests().size());
            long[] due = new long[12];
            for (int i = 0; i < 12; i++) {
                RequestTimeline r = wave.requests().get(i);
                assertTrue(r.succeeded(), r.error());
                assertEquals(i, r.index());
                assertEquals(i, r.promptIndex());
                assertEquals(3, r.outputTokens());
                assertTrue(r.sentNanos() >= r.queuedNanos(), "sent before due: " + r.queueMillis());
                due[i] = r.queuedNanos() - wave.startNanos();
                assertTrue(r.doneNanos() <= wave.endNanos());
            }
            // due exactly at the schedule, relative to the wave's start (the first request's arrival)
            for (int i = 0; i < 12; i++) {
                assertEquals(schedule[i] - schedule[0], due[i], "request " + i);
            }
            relativeDue.add(due);
        }
        assertArrayEquals(relativeDue.get(0), relativeDue.get(1), "same seed, same schedule");
        assertEquals(24, mock.getRequestCount());
        for (String p : set.prompts()) {
            assertEquals(2, server.sent.get(p).get(), "each prompt once per wave: " + p);
        }
    }

    @Test
    void unboundedConcurrencyDoesNotWaitForAnswers() {
        // every request waits at the server until all six have arrived: only an open loop gets there
        server.gate = new CountDownLatch(6);
        WaveRecord wave;
        try (StreamingClient c = client(Api.COMPLETIONS);
             OpenLoopDriver driver = new OpenLoopDriver(c, ArrivalProcess.of(500, "poisson", 1), 0, NO_WARMUP, 1)) {
            wave = driver.run(prompts("p", 6), 2);
        }
        assertEquals(6, server.maxInFlight.get());
        assertEquals(6, wave.concurrency(), "without a bound: the most requests in flight at once");
        assertTrue(wave.requests().stream().allMatch(RequestTimeline::succeeded));
    }

    @Test
    void maxConcurrencyIsRespectedAndTheWaitIsQueueTime() {
        server.gate = new CountDownLatch(2); // the first two overlap for sure
        server.holdMillis = 150;
        ArrivalProcess arrivals = ArrivalProcess.of(1000, "poisson", 1);
        long[] schedule = OpenLoopDriver.schedule(arrivals, 9, 0, 6);
        assertTrue(schedule[5] < 150_000_000L, "precondition: all six are due before the server answers the first");
        WaveRecord wave;
        try (StreamingClient c = client(Api.COMPLETIONS);
             OpenLoopDriver driver = new OpenLoopDriver(c, arrivals, 2, NO_WARMUP, 9)) {
            wave = driver.run(prompts("p", 6), 2);
        }
        assertEquals(2, server.maxInFlight.get(), "never more than maxConcurrency at the server");
        assertEquals(2, wave.concurrency());
        List<RequestTimeline> rs = wave.requests();
        for (RequestTimeline r : rs) {
            assertTrue(r.succeeded(), r.error());
            // at the moment r was sent, at most one other request was still in flight
            long others = rs.stream().filter(o -> o != r && o.sentNanos() <= r.sentNanos() && o.doneNanos() >= r.sentNanos())
                    .count();
            assertTrue(others <= 1, "request " + r.index() + " sent with " + others + " others in flight");
        }
        // requests 2..5 were due before any answer came (precondition) and waited for a slot
        for (int i = 2; i < 6; i++) {
            RequestTimeline r = rs.get(i);
            long freed = rs.subList(0, i).stream().mapToLong(RequestTimeline::doneNanos).min().orElseThrow();
            assertTrue(r.sentNanos() > freed, "request " + i + " sent before any slot was freed");
            assertTrue(r.queueMillis() > 0, "queue of request " + i + ": " + r.queueMillis());
            // latency from due = queue + E2E: the wait is not hidden
            assertEquals((r.lastTokenNanos() - r.queuedNanos()) / 1e6, r.queueMillis() + r.e2eMillis(), 1e-6);
        }
    }

    @Test
    void aServerSlowerThanTheRateMakesTheQueueGrow() {
        server.holdMillis = 60;
        ArrivalProcess arrivals = ArrivalProcess.of(100, "poisson", 1);
        long[] schedule = OpenLoopDriver.schedule(arrivals, 3, 0, 5);
        for (int i = 1; i < 5; i++) {
            assertTrue(schedule[i] - schedule[i - 1] < 60_000_000L, "precondition: arrivals faster than the server");
        }
        WaveRecord wave;
        try (StreamingClient c = client(Api.COMPLETIONS);
             OpenLoopDriver driver = new OpenLoopDriver(c, arrivals, 1, NO_WARMUP, 3)) {
            wave = driver.run(prompts("p", 5), 1);
        }
        List<RequestTimeline> rs = wave.requests();
        for (int i = 1; i < 5; i++) {
            RequestTimeline r = rs.get(i);
            assertTrue(r.sentNanos() > rs.get(i - 1).doneNanos(), "one at a time, in order of arrival");
            assertTrue(r.queueMillis() > 0, "queue of request " + i + ": " + r.queueMillis());
            assertTrue(r.queueMillis() > rs.get(i - 1).queueMillis(), "the wait accumulates: " + r.queueMillis()
                    + " after " + rs.get(i - 1).queueMillis());
        }
    }

    @Test
    void warmupRequestsAreSentFirstAndNotMeasured() {
        WaveRecord wave;
        OpenLoopDriver kept;
        try (StreamingClient c = client(Api.COMPLETIONS);
             OpenLoopDriver driver = new OpenLoopDriver(c, ArrivalProcess.of(300, "gamma", 0.5), 0,
                     prompts("warm", 2), 4)) {
            wave = driver.run(prompts("measured", 3), 2);
            kept = driver;
        }
        assertEquals(5, mock.getRequestCount());
        assertEquals(3, wave.requests().size());
        assertEquals(2, kept.lastWarmup().size());
        assertTrue(kept.lastWarmup().stream().allMatch(RequestTimeline::succeeded));
        long[] schedule = OpenLoopDriver.schedule(ArrivalProcess.of(300, "gamma", 0.5), 4, 0, 5);
        // the window starts when the first measured request is due, after the warm-up ones
        assertEquals(wave.startNanos(), wave.requests().get(0).queuedNanos());
        for (int i = 0; i < 3; i++) {
            RequestTimeline r = wave.requests().get(i);
            assertEquals(i, r.promptIndex());
            assertEquals(schedule[2 + i] - schedule[2], r.queuedNanos() - wave.startNanos());
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(schedule[i] - schedule[2], kept.lastWarmup().get(i).queuedNanos() - wave.startNanos());
        }
        assertEquals(wave.requests().stream().mapToLong(RequestTimeline::doneNanos).max().orElseThrow(), wave.endNanos());
        assertEquals(1, server.sent.get("warm 0").get());
        assertEquals(1, server.sent.get("measured 2").get());
    }

    @Test
    void promptsCarryTheirOwnOutputLengthAndChatMessages() {
        List<List<ChatMessage>> messages = List.of(
                List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "first question")),
                List.of());
        PromptSet set = new PromptSet(List.of("be brief\n\nfirst question", "second question"), -1, "test",
                List.of(4, 7), messages);
        WaveRecord wave;
        try (StreamingClient c = client(Api.CHAT);
             OpenLoopDriver driver = new OpenLoopDriver(c, ArrivalProcess.of(100, "poisson", 1), 1, NO_WARMUP, 2)) {
            wave = driver.run(set, 99);
        }
        assertEquals(4, wave.requests().get(0).outputTokens());
        assertEquals(4, wave.requests().get(0).requestedOutputTokens());
        assertEquals(7, wave.requests().get(1).outputTokens());
        JsonNode first = server.bodies.stream().filter(b -> b.path("max_tokens").asInt() == 4).findFirst().orElseThrow();
        assertEquals("[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"first question\"}]",
                first.path("messages").toString());
        JsonNode second = server.bodies.stream().filter(b -> b.path("max_tokens").asInt() == 7).findFirst().orElseThrow();
        assertEquals("[{\"role\":\"user\",\"content\":\"second question\"}]", second.path("messages").toString());
    }

    @Test
    void aTimedWaveHoldsEveryArrivalDueWithinItsTime() {
        ArrivalProcess arrivals = ArrivalProcess.of(100, "poisson", 1);
        PromptSet set = prompts("prompt", 4);
        PromptSet warm = prompts("warm", 2);
        long waveNanos = 400_000_000L;
        WaveRecord wave;
        try (StreamingClient c = client(Api.COMPLETIONS);
             OpenLoopDriver driver = new OpenLoopDriver(c, arrivals, 0, warm, 8)) {
            wave = driver.run(set, 2, waveNanos);
        }
        // the schedule a timed wave uses: the untimed one of the same seed, cut at the wave's time
        long seed = new java.util.SplittableRandom(8).nextLong();
        long[] expected = arrivals.offsetsWithinNanos(2, waveNanos, seed);
        assertEquals(expected.length - 2, wave.requests().size(), "one request per arrival due within 400 ms");
        assertTrue(wave.requests().size() > set.size(), "about 40 arrivals for 4 prompts: " + wave.requests().size());
        for (int i = 0; i < wave.requests().size(); i++) {
            RequestTimeline r = wave.requests().get(i);
            assertTrue(r.succeeded(), r.error());
            assertEquals(i % 4, r.promptIndex(), "request i uses prompt i mod 4");
            assertTrue(r.queuedNanos() - wave.startNanos() < waveNanos, "due within the wave's time");
        }
        assertEquals(2, server.sent.keySet().stream().filter(p -> p.startsWith("warm")).count(), "warm-ups sent once");
    }
}
