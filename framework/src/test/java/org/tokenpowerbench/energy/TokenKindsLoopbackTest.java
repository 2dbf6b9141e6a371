package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.CompletionRequest;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.TokenKinds;

/**
 * The token-kind split end to end with known truth: a loopback server streams a reasoning model's
 * answer (reasoning deltas, then content deltas, then usage with {@code reasoning_tokens} and
 * {@code cached_tokens}) through the real client, and a power trace of a known constant power
 * covers it. At constant power each part's joules are the power times the part's span on the
 * timeline the client recorded, so the expected values come from those stamps, not from any timing
 * the test assumes.
 */
class TokenKindsLoopbackTest {

    private static final double WATTS = 300;
    private static final int PROMPT = 40;
    private static final int CACHED = 32;
    private static final int REASONING = 4;
    private static final int ANSWER = 3;
    private static final Duration UPDATE = Duration.ofMillis(100);

    private HttpServer server;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", TokenKindsLoopbackTest::reasoningStream);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }

    /** A chat stream as a reasoning model sends it: paced, one token per chunk. */
    private static void reasoningStream(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}");
            pause(30); // the prefill
            for (int i = 0; i < REASONING; i++) {
                event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"r" + i + "\"}}]}");
                pause(12);
            }
            for (int i = 0; i < ANSWER; i++) {
                event(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a" + i + "\"}}]}");
                pause(8);
            }
            event(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":" + PROMPT + ",\"completion_tokens\":"
                    + (REASONING + ANSWER) + ",\"prompt_tokens_details\":{\"cached_tokens\":" + CACHED + "},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":" + REASONING + "}}}");
            event(out, "[DONE]");
        }
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<RequestTimeline> send(int concurrency) throws Exception {
        String base = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
        try (StreamingClient client = new StreamingClient(new Endpoint(base, "m", null, null), Api.CHAT, concurrency,
                Duration.ofSeconds(20))) {
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            try {
                List<Future<RequestTimeline>> futures = new ArrayList<>();
                for (int i = 0; i < concurrency; i++) {
                    int index = i;
                    futures.add(pool.submit(() -> client.send(new CompletionRequest(index, "Why?", REASONING + ANSWER),
                            index, System.nanoTime())));
                }
                List<RequestTimeline> out = new ArrayList<>();
                for (Future<RequestTimeline> f : futures) {
                    RequestTimeline t = f.get();
                    assertTrue(t.succeeded(), t.error());
                    out.add(t);
                }
                return out;
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** A constant power over a span that holds every request, and that span. */
    private static PowerSignal constantPower(List<RequestTimeline> requests, long[] window) {
        long from = requests.stream().mapToLong(RequestTimeline::sentNanos).min().orElseThrow();
        long to = requests.stream().mapToLong(RequestTimeline::doneNanos).max().orElseThrow();
        window[0] = from;
        window[1] = to;
        return PowerSignal.of(Fixtures.piecewiseConstantCounter(new long[] {from - 1_000_000_000L, to + 1_000_000_000L},
                new double[] {WATTS}), Long.MAX_VALUE / 4);
    }

    @Test
    void oneReasoningRequestWithACachedPrefixGetsPowerTimesEachSpan() throws Exception {
        RequestTimeline t = send(1).get(0);
        assertEquals(new TokenKinds(REASONING, TokenCountSource.SERVER_USAGE, -1, -1), t.kinds());
        assertEquals(CACHED, t.cachedPromptTokens());
        assertTrue(t.firstTokenNanos() < t.firstAnswerNanos() && t.firstAnswerNanos() < t.lastTokenNanos(), t.toString());

        long[] window = new long[2];
        PowerSignal signal = constantPower(List.of(t), window);
        for (AttributionPolicy policy : AttributionPolicy.values()) {
            WaveEnergy w = PhaseAttribution.attribute(signal, List.of(t), window[0], window[1], policy, UPDATE);
            RequestEnergy e = w.requests().get(0);
            double reasoning = WATTS * (t.firstAnswerNanos() - t.firstTokenNanos()) * 1e-9;
            double answer = WATTS * (t.lastTokenNanos() - t.firstAnswerNanos()) * 1e-9;
            double prefill = WATTS * (t.firstTokenNanos() - t.sentNanos()) * 1e-9;
            assertEquals(reasoning, e.reasoningJ(), 1e-9 * reasoning, policy.label());
            assertEquals(answer, e.answerJ(), 1e-9 * answer, policy.label());
            assertEquals(prefill, e.prefillJ(), 1e-9 * prefill, policy.label());
            // the first token is prefill's; the reasoning decode holds the steps to the first answer token
            assertEquals(REASONING, e.reasoningTokens());
            assertEquals(ANSWER - 1, e.answerTokens());
            assertEquals(reasoning / REASONING, w.joulesPerReasoningToken(), 1e-9 * reasoning);
            assertEquals(answer / (ANSWER - 1), w.joulesPerAnswerToken(), 1e-9 * answer);
            assertEquals(prefill / (PROMPT - CACHED), w.joulesPerComputedPromptToken(), 1e-9 * prefill);
            assertEquals("server-usage", w.reasoningTokenSource());
        }
    }

    @Test
    void overlappingReasoningRequestsConserveTheDecodeAndTheWave() throws Exception {
        List<RequestTimeline> requests = send(3);
        long[] window = new long[2];
        PowerSignal signal = constantPower(requests, window);
        List<RequestTimeline> plain = requests.stream()
                .map(r -> new RequestTimeline(r.index(), r.promptIndex(), r.queuedNanos(), r.sentNanos(),
                        r.firstTokenNanos(), r.lastTokenNanos(), r.doneNanos(), r.promptTokens(), r.outputTokens(),
                        r.requestedOutputTokens(), r.tokenSource(), r.contentChunks(), r.itl(), r.error(),
                        r.errorClass(), r.firstTokenNanos(), r.arrivals(), -1, r.retries(), r.replica(),
                        TokenKinds.PLAIN))
                .toList();
        for (AttributionPolicy policy : AttributionPolicy.values()) {
            WaveEnergy w = PhaseAttribution.attribute(signal, requests, window[0], window[1], policy, UPDATE);
            WaveEnergy p = PhaseAttribution.attribute(signal, plain, window[0], window[1], policy, UPDATE);
            double total = WATTS * (window[1] - window[0]) * 1e-9;
            assertEquals(total, w.totalJ(), 1e-9 * total);
            assertEquals(total, w.attributedJ(), 1e-9 * total, policy.label());
            assertEquals(w.decodeJ(), w.reasoningJ() + w.answerJ(), 1e-9 * total, policy.label());
            for (int i = 0; i < requests.size(); i++) {
                RequestEnergy e = w.requests().get(i);
                assertEquals(e.decodeJ(), e.reasoningJ() + e.answerJ(), 1e-9 * total);
                assertEquals(p.requests().get(i).decodeJ(), e.decodeJ(), 1e-9 * total, "the cut moves no joule");
                assertTrue(e.reasoningJ() > 0 && e.answerJ() > 0, e.toString());
            }
            assertEquals(3L * REASONING, w.reasoningTokens());
            assertEquals(3L * (ANSWER - 1), w.answerTokens());
            assertEquals(3L * CACHED, w.cachedPromptTokens());
            assertEquals(w.succeededPrefillJ() / (3.0 * (PROMPT - CACHED)), w.joulesPerComputedPromptToken(), 1e-12);
        }
    }
}
