package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamingClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "sk-secret-key-1234567890";

    private MockWebServer server;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    private String baseUrl() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    private StreamingClient client(Api api, String apiKey, Duration timeout) {
        return new StreamingClient(new Endpoint(baseUrl(), "test-model", apiKey, null), api, 4, timeout);
    }

    static String completionsStream(int promptTokens, String... texts) {
        StringBuilder sb = new StringBuilder();
        for (String t : texts) {
            sb.append("data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"")
                    .append(t).append("\",\"finish_reason\":null}]}\n\n");
        }
        sb.append("data: {\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":").append(promptTokens)
                .append(",\"completion_tokens\":").append(texts.length).append(",\"total_tokens\":")
                .append(promptTokens + texts.length).append("}}\n\n");
        sb.append("data: [DONE]\n\n");
        return sb.toString();
    }

    private static MockResponse sse(String body) {
        return new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body);
    }

    @Test
    void normalCompletionsStream() throws Exception {
        server.enqueue(sse(completionsStream(11, "Hello", " there", " friend")));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            long queued = System.nanoTime();
            t = c.send(new CompletionRequest(5, "Say hello", 3), 2, queued);
        }
        assertTrue(t.succeeded(), t.error());
        assertNull(t.errorClass());
        assertEquals(2, t.index());
        assertEquals(5, t.promptIndex());
        assertEquals(11, t.promptTokens());
        assertEquals(3, t.outputTokens());
        assertEquals(3, t.requestedOutputTokens());
        assertEquals(3, t.contentChunks());
        assertEquals(TokenCountSource.SERVER_USAGE, t.tokenSource());
        assertTrue(t.queuedNanos() <= t.sentNanos());
        assertTrue(t.sentNanos() <= t.firstTokenNanos());
        assertTrue(t.firstTokenNanos() <= t.lastTokenNanos());
        assertTrue(t.lastTokenNanos() <= t.doneNanos());
        assertTrue(t.ttftMillis() >= 0);
        assertEquals(2, t.itl().weight(), 1e-9);

        RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull(req);
        assertEquals("POST", req.getMethod());
        assertEquals("/v1/completions", req.getPath());
        assertNull(req.getHeader("Authorization"), "no API key, no Authorization header");
        assertEquals("text/event-stream", req.getHeader("Accept"));
        JsonNode body = JSON.readTree(req.getBody().readUtf8());
        assertEquals("test-model", body.path("model").asText());
        assertEquals("Say hello", body.path("prompt").asText());
        assertFalse(body.has("messages"));
        assertEquals(3, body.path("max_tokens").asInt());
        assertTrue(body.path("stream").isBoolean() && body.path("stream").asBoolean());
        assertTrue(body.path("stream_options").path("include_usage").asBoolean());
        assertTrue(body.path("ignore_eos").asBoolean());
        assertEquals(0.0, body.path("temperature").asDouble());
    }

    @Test
    void emptyApiKeySendsNoAuthorization() throws Exception {
        server.enqueue(sse(completionsStream(1, "a")));
        try (StreamingClient c = client(Api.COMPLETIONS, "", Duration.ofSeconds(10))) {
            assertTrue(c.send(new CompletionRequest(0, "p", 1), 0, System.nanoTime()).succeeded());
        }
        assertNull(server.takeRequest(5, TimeUnit.SECONDS).getHeader("Authorization"));
    }

    @Test
    void apiKeyIsSentAsBearerAndNeverPrinted() throws Exception {
        server.enqueue(sse(completionsStream(1, "a")));
        server.enqueue(new MockResponse().setResponseCode(401).setBody("{\"error\":\"bad key\"}"));
        RequestTimeline ok;
        RequestTimeline denied;
        try (StreamingClient c = client(Api.COMPLETIONS, KEY, Duration.ofSeconds(10))) {
            ok = c.send(new CompletionRequest(0, "p", 1), 0, System.nanoTime());
            denied = c.send(new CompletionRequest(0, "p", 1), 1, System.nanoTime());
            assertFalse(c.endpoint().toString().contains(KEY), c.endpoint().toString());
        }
        assertTrue(ok.succeeded(), ok.error());
        assertEquals("Bearer " + KEY, server.takeRequest(5, TimeUnit.SECONDS).getHeader("Authorization"));
        assertEquals("http-401", denied.errorClass());
        assertFalse(denied.error().contains(KEY), denied.error());
        assertFalse(denied.toString().contains(KEY));

        Endpoint e = new Endpoint("http://h:1", "m", KEY, null);
        assertFalse(e.toString().contains(KEY), e.toString());
        assertTrue(e.toString().contains("hidden"), e.toString());
        assertFalse(new Endpoint("http://h:1", "m", null, null).toString().contains("apiKey"));
    }

    @Test
    void chatRouteAndBody() throws Exception {
        String body = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"}}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":8,\"completion_tokens\":2}}\n\n"
                + "data: [DONE]\n\n";
        server.enqueue(sse(body));
        RequestTimeline t;
        try (StreamingClient c = client(Api.CHAT, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "Hello?", 2), 0, System.nanoTime());
        }
        assertTrue(t.succeeded(), t.error());
        assertEquals(2, t.contentChunks());
        assertEquals(2, t.outputTokens());
        assertEquals(8, t.promptTokens());
        RecordedRequest req = server.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("/v1/chat/completions", req.getPath());
        JsonNode json = JSON.readTree(req.getBody().readUtf8());
        assertFalse(json.has("prompt"));
        assertEquals("user", json.path("messages").path(0).path("role").asText());
        assertEquals("Hello?", json.path("messages").path(0).path("content").asText());
        assertTrue(json.path("stream").asBoolean());
        assertTrue(json.path("stream_options").path("include_usage").asBoolean());
    }

    @Test
    void crlfStreamSplitIntoSmallChunks() throws Exception {
        String body = completionsStream(3, "é", "€", "😀").replace("\n", "\r\n");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setChunkedBody(body, 5));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertTrue(t.succeeded(), t.error());
        assertEquals(3, t.contentChunks());
    }

    @Test
    void throttledStreamHasIncreasingTimestamps() throws Exception {
        // each content event is about 90 bytes; 100 bytes every 40 ms spreads them out in time
        server.enqueue(sse(completionsStream(3, "a", "b", "c")).throttleBody(100, 40, TimeUnit.MILLISECONDS));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertTrue(t.succeeded(), t.error());
        assertTrue(t.e2eMillis() > t.ttftMillis() + 20, "e2e " + t.e2eMillis() + " ttft " + t.ttftMillis());
        assertTrue(t.tpotMillis() > 10, "tpot " + t.tpotMillis());
    }

    @Test
    void aChunkObserverHearsEveryContentChunkInOrder() {
        server.enqueue(sse(completionsStream(3, "a", "b", "c")).throttleBody(100, 20, TimeUnit.MILLISECONDS));
        java.util.List<long[]> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        RequestTimeline t;
        try (StreamingClient c = new StreamingClient(new Endpoint(baseUrl(), "test-model", null, null), Api.COMPLETIONS,
                4, Duration.ofSeconds(10), (prompt, at) -> heard.add(new long[] {prompt, at}))) {
            t = c.send(new CompletionRequest(9, "p", 3), 0, System.nanoTime());
        }
        assertTrue(t.succeeded(), t.error());
        assertEquals(3, heard.size(), "one call per content chunk; the usage chunk and [DONE] are not content");
        heard.forEach(h -> assertEquals(9, h[0], "the request's prompt index"));
        assertEquals(t.firstTokenNanos(), heard.get(0)[1]);
        assertEquals(t.lastTokenNanos(), heard.get(2)[1]);
        assertTrue(heard.get(1)[1] >= heard.get(0)[1]);
        assertEquals((t.lastTokenNanos() - t.firstTokenNanos()) / 1e6, t.itl().sum(), 1e-6);
    }

    @Test
    void requestFieldsGoIntoEveryBodyAndReplaceTheDefaultTemperature() throws Exception {
        server.enqueue(sse(completionsStream(3, "a", "b")));
        RequestBodyFields fields = RequestBodyFields.parse("requestFields", "temperature=0.8;top_p=0.95;seed=7;stop=[\"END\"]");
        RequestTimeline t;
        try (StreamingClient c = new StreamingClient(new Endpoint(baseUrl(), "test-model", null, null), Api.COMPLETIONS,
                4, Duration.ofSeconds(10), null, fields)) {
            t = c.send(new CompletionRequest(0, "p", 2), 0, System.nanoTime());
        }
        assertTrue(t.succeeded(), t.error());
        JsonNode body = JSON.readTree(server.takeRequest(5, TimeUnit.SECONDS).getBody().readUtf8());
        assertEquals(0.8, body.path("temperature").asDouble());
        assertEquals(0.95, body.path("top_p").asDouble());
        assertEquals(7, body.path("seed").asInt());
        assertEquals("END", body.path("stop").get(0).asText());
        assertEquals(2, body.path("max_tokens").asInt(), "the measuring fields stay");
        assertTrue(body.path("ignore_eos").asBoolean());
        assertTrue(body.path("stream_options").path("include_usage").asBoolean());
    }

    @Test
    void continuousUsageIsAskedForOnlyWhenTheEngineSaysSo() throws Exception {
        CompletionRequest request = new CompletionRequest(0, "p", 2);
        try (StreamingClient plain = client(Api.COMPLETIONS, null, Duration.ofSeconds(5));
             StreamingClient continuous = new StreamingClient(new Endpoint(baseUrl(), "m", null, null, true),
                     Api.COMPLETIONS, 1, Duration.ofSeconds(5))) {
            JsonNode p = JSON.readTree(plain.body(request)).path("stream_options");
            assertTrue(p.path("include_usage").asBoolean());
            assertTrue(p.path("continuous_usage_stats").isMissingNode(), "a strict server could refuse an unknown field");
            JsonNode c = JSON.readTree(continuous.body(request)).path("stream_options");
            assertTrue(c.path("include_usage").asBoolean() && c.path("continuous_usage_stats").asBoolean());
        }
    }

    @Test
    void prefixCacheOffGivesEveryRequestASaltOfItsOwn() throws Exception {
        CompletionRequest request = new CompletionRequest(0, "the same prompt", 2);
        try (StreamingClient plain = client(Api.COMPLETIONS, null, Duration.ofSeconds(5));
             StreamingClient fresh = new StreamingClient(new Endpoint(baseUrl(), "m", null, null, false, true),
                     Api.COMPLETIONS, 1, Duration.ofSeconds(5))) {
            assertTrue(JSON.readTree(plain.body(request)).path("cache_salt").isMissingNode());
            String a = JSON.readTree(fresh.body(request)).path("cache_salt").asText();
            String b = JSON.readTree(fresh.body(request)).path("cache_salt").asText();
            assertTrue(a.startsWith("tpb-") && b.startsWith("tpb-"), a);
            assertNotEquals(a, b, "the same prompt twice gets two salts");
        }
    }

    @Test
    void http429And503AreRecorded() {
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "3")
                .setBody("{\"error\":{\"message\":\"rate limited\"}}"));
        server.enqueue(new MockResponse().setResponseCode(503).setBody("Service Unavailable"));
        RequestTimeline t429;
        RequestTimeline t503;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t429 = c.send(new CompletionRequest(0, "p", 4), 0, System.nanoTime());
            t503 = c.send(new CompletionRequest(1, "p", 4), 1, System.nanoTime());
        }
        assertFalse(t429.succeeded());
        assertEquals("http-429", t429.errorClass());
        assertTrue(t429.error().contains("429"), t429.error());
        assertTrue(t429.error().contains("rate limited"), t429.error());
        assertTrue(t429.error().contains("(Retry-After: 3)"), t429.error());
        assertFalse(t429.hasFirstToken());
        assertEquals(0, t429.contentChunks());
        assertEquals(TokenCountSource.NONE, t429.tokenSource());
        assertEquals("http-503", t503.errorClass());
        assertTrue(t503.error().contains("503"), t503.error());
        assertFalse(t503.error().contains("Retry-After"), "none sent, none claimed: " + t503.error());
        assertEquals(2, server.getRequestCount(), "no silent retry");
    }

    @Test
    void streamWithoutDoneIsTruncated() {
        String body = completionsStream(3, "a", "b").replace("data: [DONE]\n\n", "");
        server.enqueue(sse(body));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 2), 0, System.nanoTime());
        }
        assertFalse(t.succeeded());
        assertEquals("truncated-stream", t.errorClass());
        assertEquals(2, t.contentChunks(), "what arrived before the cut is kept");
    }

    @Test
    void aChunkedStreamInTinyPiecesOnOneConnectionIsReadWholeEveryTime() {
        // chunk sizes, chunk data and events all split across reads, and the connection kept for the next request
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
                    .setChunkedBody(completionsStream(5, "x", "y", "z"), 7).throttleBody(5, 1, java.util.concurrent.TimeUnit.MILLISECONDS));
        }
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            for (int i = 0; i < 3; i++) {
                RequestTimeline t = c.send(new CompletionRequest(i, "p", 3), i, System.nanoTime());
                assertTrue(t.succeeded(), t.errorClass() + ": " + t.error());
                assertEquals(3, t.contentChunks());
                assertEquals(3, t.outputTokens());
                assertEquals(5, t.promptTokens());
            }
        }
        assertEquals(3, server.getRequestCount());
    }

    @Test
    void theSelectorsReadLagIsCountedAndTakenAfresh() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(sse(completionsStream(3, "a", "b")));
        }
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            for (int i = 0; i < 3; i++) {
                assertTrue(c.send(new CompletionRequest(i, "p", 2), i, System.nanoTime()).succeeded());
            }
            org.tokenpowerbench.stats.LatencyHistogram lag = c.takeReaderLag();
            if (c.transport() == Transport.SELECTOR) {
                assertTrue(lag.weight() >= 3, "at least one read per answer: " + lag.weight());
                assertTrue(lag.max() >= 0 && lag.max() < 10_000, "ms behind the round's start: " + lag.max());
            } else {
                assertEquals(0, lag.weight(), "OkHttp's threads have no selector rounds");
            }
            assertEquals(0, c.takeReaderLag().weight(), "taken: the count starts afresh");
        }
    }

    @Test
    void aPooledConnectionTheServerDroppedIsRetriedOnANewOne() {
        // some servers advertise keep-alive yet close the connection after a stream (seen with a
        // llama.cpp server build): the next request on it dies before any answer comes back
        server.enqueue(sse(completionsStream(3, "a", "b")));
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        server.enqueue(sse(completionsStream(3, "c", "d")));
        RequestTimeline first;
        RequestTimeline second;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            first = c.send(new CompletionRequest(0, "p", 2), 0, System.nanoTime());
            second = c.send(new CompletionRequest(1, "p", 2), 1, System.nanoTime());
        }
        assertTrue(first.succeeded(), first.error());
        assertTrue(second.succeeded(), second.errorClass() + ": " + second.error());
        assertEquals(3, server.getRequestCount(), "the dropped attempt reached the server and was sent again");
        assertEquals(0, first.retries());
        assertEquals(1, second.retries(), "the lost attempt is counted");
    }

    @Test
    void aServerThatClosesEveryConnectionWhileAdvertisingKeepAliveCostsEveryLaterRequestOneRetry() {
        // as a stock llama-server: each stream ends, the server closes the socket, the header said keep-alive
        for (int i = 0; i < 4; i++) {
            server.enqueue(sse(completionsStream(3, "a", "b")).setHeader("Connection", "keep-alive")
                    .setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
        }
        List<RequestTimeline> done = new java.util.ArrayList<>();
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            for (int i = 0; i < 4; i++) {
                done.add(c.send(new CompletionRequest(i, "p", 2), i, System.nanoTime()));
            }
        }
        for (RequestTimeline t : done) {
            assertTrue(t.succeeded(), t.errorClass() + ": " + t.error());
        }
        List<Integer> retries = done.stream().map(RequestTimeline::retries).toList();
        if (Transport.fromProperty() == Transport.OKHTTP) {
            assertEquals(List.of(0, 1, 1, 1), retries, "the first request opens a connection; each later one first meets the closed one");
        } else {
            // the selector watches idle connections and drops one as soon as the server closes it, so a later
            // request meets the closed one only when it leases it before the server's FIN has arrived
            assertEquals(0, retries.get(0), "the first request opens a connection");
            assertTrue(retries.stream().allMatch(r -> r <= 1), "at most one lost attempt each: " + retries);
        }
        assertEquals(4, server.getRequestCount(), "a dead connection's attempt never reaches a server");
    }

    @Test
    void serverIgnoringStreamTrueIsNamedAsSuch() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "application/json")
                .setBody("{\"choices\":[{\"text\":\"hello\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}"));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 2), 0, System.nanoTime());
        }
        assertEquals("not-streamed", t.errorClass(), t.error());
    }

    @Test
    void connectionCutMidStream() {
        String body = completionsStream(3, "a", "b", "c", "d", "e", "f", "g", "h");
        server.enqueue(sse(body).setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 8), 0, System.nanoTime());
        }
        assertFalse(t.succeeded());
        assertTrue(List.of("truncated-stream", "io").contains(t.errorClass()), t.errorClass() + ": " + t.error());
    }

    @Test
    void chunkedConnectionCutMidStream() {
        String body = completionsStream(3, "a", "b", "c", "d", "e", "f", "g", "h");
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setChunkedBody(body, 64)
                .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 8), 0, System.nanoTime());
        }
        assertFalse(t.succeeded());
        assertTrue(List.of("truncated-stream", "io").contains(t.errorClass()), t.errorClass() + ": " + t.error());
    }

    @Test
    void stalledStreamTimesOut() {
        // the first bytes arrive, then 10 bytes a second: far slower than the 400 ms request timeout
        server.enqueue(sse(completionsStream(3, "a", "b", "c")).throttleBody(10, 1, TimeUnit.SECONDS));
        RequestTimeline t;
        long start = System.nanoTime();
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofMillis(400))) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertFalse(t.succeeded());
        assertEquals("timeout", t.errorClass(), t.error());
        assertTrue(seconds < 5, "the timeout took " + seconds + " s");
    }

    private StreamingClient client(StreamLimits limits, String apiKey) {
        return new StreamingClient(new Endpoint(baseUrl(), "test-model", apiKey, null), Api.COMPLETIONS, 4, limits,
                null, RequestBodyFields.NONE);
    }

    @Test
    void aStreamThatStopsSendingIsStalledLongBeforeTheRequestTimeout() {
        // one chunk, then nothing on an open connection that promised more: silent for far longer
        // than the 300 ms stall limit, far less than the 60 s request timeout
        String stream = completionsStream(3, "a", "b", "c");
        String first = stream.substring(0, stream.indexOf("\n\n") + 2);
        server.enqueue(sse(first).setHeader("Content-Length", stream.length()).setSocketPolicy(SocketPolicy.KEEP_OPEN));
        RequestTimeline t;
        try (StreamingClient c = client(new StreamLimits(Duration.ofSeconds(60), Duration.ofMillis(300), 1 << 20), null)) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertEquals(StreamingClient.STALLED, t.errorClass(), t.error());
        assertTrue(t.error().contains("no event from " + baseUrl() + " for 0.3 s"), t.error());
        assertTrue(t.error().contains("-Dtpb.stallSeconds"), "it says what to raise: " + t.error());
        assertTrue(t.hasFirstToken(), "what came before the stall is kept");
    }

    /**
     * A server that trickles a byte every 100 ms, never finishing an event, beats a rule of "no byte
     * for 300 ms" forever (bounded only by the request timeout). Progress is a complete event.
     */
    @Test
    void aServerTricklingBytesThatNeverFinishAnEventIsStalled() {
        String trickle = ":" + "x".repeat(60) + "\n\n"; // one comment line, 62 bytes, 6 s at 1 byte per 100 ms
        server.enqueue(sse(trickle + completionsStream(3, "a", "b", "c")).throttleBody(1, 100, TimeUnit.MILLISECONDS));
        RequestTimeline t;
        long start = System.nanoTime();
        try (StreamingClient c = client(new StreamLimits(Duration.ofSeconds(60), Duration.ofMillis(300), 1 << 20), null)) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(StreamingClient.STALLED, t.errorClass(), t.error());
        assertTrue(t.error().contains("no event from"), t.error());
        assertTrue(seconds < 6, "cut long before the trickle ends (6 s): " + seconds + " s");
    }

    @Test
    void aServerThatNeverAnswersIsStalled() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        RequestTimeline t;
        try (StreamingClient c = client(new StreamLimits(Duration.ofSeconds(60), Duration.ofMillis(300), 1 << 20), null)) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertEquals(StreamingClient.STALLED, t.errorClass(), t.error());
        assertFalse(t.hasFirstToken());
    }

    @Test
    void aSlowButSteadyStreamIsNotStalled() throws IOException {
        // 8 bytes every 20 ms never leave the stream silent for the 1 s stall limit, though the
        // whole stream takes longer than that (MockWebServer would throttle our request too: a
        // socket of our own paces only the answer)
        RequestTimeline t;
        try (PacedServer paced = new PacedServer(completionsStream(3, "a", "b", "c"), 8, 20);
             StreamingClient c = new StreamingClient(new Endpoint(paced.url(), "test-model", null, null), Api.COMPLETIONS, 4,
                     new StreamLimits(Duration.ofSeconds(60), Duration.ofSeconds(1), 1 << 20), null, RequestBodyFields.NONE)) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertTrue(t.succeeded(), t.error());
        assertEquals(3, t.outputTokens());
    }

    @Test
    void requestsInFlightCanBeCutWithAReason() throws Exception {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        try (StreamingClient c = client(new StreamLimits(Duration.ofSeconds(60), Duration.ZERO, 1 << 20), null)) {
            java.util.concurrent.CompletableFuture<RequestTimeline> f = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime()));
            assertNotNull(server.takeRequest(10, TimeUnit.SECONDS), "the request reached the server");
            c.cutInFlight("wave-stopped", "cut: the wave stopped");
            RequestTimeline t = f.get(10, TimeUnit.SECONDS);
            assertEquals("wave-stopped", t.errorClass(), t.error());
            assertEquals("cut: the wave stopped", t.error());
        }
    }

    @Test
    void aLineWithoutEndFailsTheRequestWithItsOwnClass() {
        // 2 MB without a line end: the parser stops at 4 KB instead of growing a buffer until the JVM dies
        server.enqueue(sse("data: {\"choices\":[{\"text\":\"" + "x".repeat(2_000_000)));
        RequestTimeline t;
        try (StreamingClient c = client(new StreamLimits(Duration.ofSeconds(60), Duration.ZERO, 4096), null)) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertEquals(SseParser.LINE_TOO_LONG, t.errorClass(), t.error());
        assertTrue(t.error().contains("more than 4096 bytes") && t.error().contains("tpb.maxSseLineBytes"), t.error());
    }

    @Test
    void usageThatTheBytesCannotCarryFailsTheRequest() {
        server.enqueue(sse("data: {\"choices\":[{\"text\":\"a\"}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":5000000000}}\n\n"
                + "data: [DONE]\n\n"));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 5_000), 0, System.nanoTime());
        }
        assertEquals("implausible-usage", t.errorClass(), t.error());
        assertTrue(t.error().contains("completion_tokens=5000000000 but the stream brought only"), t.error());
        assertEquals(-1, t.outputTokens());
    }

    @Test
    void aPageThatIsNotAStreamSaysSoWithItsFirstBytes() {
        server.enqueue(new MockResponse().setHeader("Content-Type", "text/html; charset=utf-8")
                .setBody("<!DOCTYPE html><html><head><title>Sign in</title></head><body>" + "x".repeat(100_000)));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertEquals(StreamingClient.NOT_A_STREAM, t.errorClass(), t.error());
        assertTrue(t.error().contains("not an event stream (Content-Type: text/html; charset=utf-8"), t.error());
        assertTrue(t.error().contains("It begins: <!DOCTYPE html><html><head><title>Sign in"), t.error());
        assertFalse(t.error().contains("mid-stream"), t.error());
    }

    /**
     * Answers labelled event streams that hold no event: once each was "connection closed
     * mid-stream?", which sends a user to the network; each now says what it was.
     */
    @Test
    void anAnswerLabelledAStreamThatHoldsNoEventSaysWhatItWas() throws Exception {
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
            gz.write("data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
        server.enqueue(sse(""));
        server.enqueue(sse("").setHeader("Content-Encoding", "gzip").setBody(new okio.Buffer().write(zipped.toByteArray())));
        server.enqueue(sse("<!DOCTYPE html><html><body>Sign in</body></html>"));
        server.enqueue(sse("data: {\"choices\":[{\"text\":\"a\"}]}\n\n")); // one event, then the end: cut
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            RequestTimeline empty = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
            assertEquals(StreamingClient.EMPTY_STREAM, empty.errorClass(), empty.error());
            assertTrue(empty.error().contains("empty event stream (0 bytes)"), empty.error());
            RequestTimeline gzip = c.send(new CompletionRequest(1, "p", 3), 1, System.nanoTime());
            if (c.transport() == Transport.OKHTTP) {
                assertTrue(gzip.succeeded(), "OkHttp asks for gzip itself and unpacks it: " + gzip.error());
            } else {
                assertEquals(StreamingClient.NOT_A_STREAM, gzip.errorClass(), gzip.error());
                assertTrue(gzip.error().contains("Content-Encoding: gzip"), gzip.error());
            }
            RequestTimeline page = c.send(new CompletionRequest(2, "p", 3), 2, System.nanoTime());
            assertEquals(StreamingClient.NOT_A_STREAM, page.errorClass(), page.error());
            assertTrue(page.error().contains("held no event") && page.error().contains("It begins: <!DOCTYPE html>"),
                    page.error());
            RequestTimeline cut = c.send(new CompletionRequest(3, "p", 3), 3, System.nanoTime());
            assertEquals("truncated-stream", cut.errorClass(), cut.error());
        }
    }

    @Test
    void anEchoedKeyIsNeverRecorded() {
        // a proxy that echoes the request's headers, the key where the quote is cut, JSON-escaped, mid-stream
        String key = "sk-proj-AbCdEf0123456789xyz";
        server.enqueue(new MockResponse().setResponseCode(401)
                .setBody("x".repeat(170) + " Authorization: Bearer " + key + " " + "y".repeat(10_000_000)));
        server.enqueue(new MockResponse().setResponseCode(400).setBody("{\"detail\":\"header \\\"Bearer " + key + "\\\"\"}"));
        server.enqueue(sse("data: {\"choices\":[{\"text\":\"a\"}]}\n\n"
                + "data: {\"error\":{\"message\":\"invalid key " + key + "\"}}\n\n"));
        server.enqueue(sse("data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: {\"echo\": \"" + key + "\" broken\n\n"));
        try (StreamingClient c = client(Api.COMPLETIONS, key, Duration.ofSeconds(10))) {
            for (String expected : List.of("http-401", "http-400", "server-error", "malformed-event")) {
                RequestTimeline t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
                assertEquals(expected, t.errorClass(), t.error());
                assertFalse(t.error().contains(key.substring(0, 6)), "no trace of the key: " + t.error());
                assertTrue(t.error().contains("<redact"), "redacted, then cut where the key began: " + t.error());
            }
        }
    }

    @Test
    void noResponseAtAllTimesOut() {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofMillis(400))) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertEquals("timeout", t.errorClass(), t.error());
        assertFalse(t.hasFirstToken());
    }

    @Test
    void refusedConnectionIsConnect() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RequestTimeline t;
        try (StreamingClient c = new StreamingClient(new Endpoint("http://127.0.0.1:" + port, "m", KEY, null),
                Api.COMPLETIONS, 1, Duration.ofSeconds(5))) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertFalse(t.succeeded());
        assertEquals("connect", t.errorClass(), t.error());
        assertTrue(t.error().contains(String.valueOf(port)), t.error());
        assertFalse(t.error().contains(KEY));
    }

    @Test
    void malformedEventOverHttp() {
        server.enqueue(sse("data: {\"choices\":[{\"text\":\"a\"}]}\n\ndata: not json\n\ndata: [DONE]\n\n"));
        RequestTimeline t;
        try (StreamingClient c = client(Api.COMPLETIONS, null, Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "p", 3), 0, System.nanoTime());
        }
        assertEquals("malformed-event", t.errorClass());
    }

    @Test
    void noUsageFallsBackToTheEndpointTokenizer() {
        Tokenizer chars = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return new int[text.length()];
            }

            @Override
            public int specialTokensAdded() {
                return 1;
            }

            @Override
            public String description() {
                return "chars";
            }
        };
        server.enqueue(sse("data: {\"choices\":[{\"text\":\"ab\"}]}\n\ndata: {\"choices\":[{\"text\":\"c\"}]}\n\ndata: [DONE]\n\n"));
        RequestTimeline t;
        try (StreamingClient c = new StreamingClient(new Endpoint(baseUrl(), "m", null, chars), Api.COMPLETIONS, 1,
                Duration.ofSeconds(10))) {
            t = c.send(new CompletionRequest(0, "prompt", 3), 0, System.nanoTime());
        }
        assertTrue(t.succeeded(), t.error());
        assertEquals(TokenCountSource.TOKENIZER, t.tokenSource());
        assertEquals(3, t.outputTokens());
        assertEquals(7, t.promptTokens());
    }

    /**
     * One HTTP answer with an event stream, written {@code bytes} at a time with a pause between
     * writes: a server that is slow but never silent for long.
     */
    private static final class PacedServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0);
        private final Thread thread;

        PacedServer(String body, int bytes, long pauseMillis) throws IOException {
            thread = new Thread(() -> {
                try (java.net.Socket s = socket.accept()) {
                    java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                            s.getInputStream(), java.nio.charset.StandardCharsets.ISO_8859_1));
                    int length = 0;
                    for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).trim());
                        }
                    }
                    in.skip(length);
                    byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    java.io.OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + b.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    for (int i = 0; i < b.length; i += bytes) {
                        out.write(b, i, Math.min(bytes, b.length - i));
                        out.flush();
                        Thread.sleep(pauseMillis);
                    }
                } catch (IOException | InterruptedException e) {
                    // the test sees what the client recorded
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
