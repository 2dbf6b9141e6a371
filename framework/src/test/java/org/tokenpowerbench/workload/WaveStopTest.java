package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestBodyFields;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamLimits;
import org.tokenpowerbench.client.StreamingClient;

/**
 * A wave whose server is gone stops early, and an interrupted wave (JMH's iteration timeout) ends
 * at once; either way every request of the wave is in the record, sent or not sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WaveStopTest {

    private static final int PROMPTS = 12;
    private static final Set<String> GONE = Set.of("connect", StreamingClient.STALLED, ServerGone.WAVE_STOPPED,
            ServerGone.NOT_SENT);

    private static PromptSet prompts(int count) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            p.add("prompt " + i);
        }
        return new PromptSet(p, -1, "test");
    }

    private static StreamingClient client(String url, Duration stall) {
        return new StreamingClient(new Endpoint(url, "m", null, null), Api.COMPLETIONS, 4,
                new StreamLimits(Duration.ofSeconds(30), stall, 1 << 20), null, RequestBodyFields.NONE);
    }

    /** A port nobody listens on: every connect is refused, as after a server process died. */
    private static String deadUrl() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    /** Every index of the wave once, each request failed with a class a gone server gives. */
    private static void assertWholeAndGone(WaveRecord wave, int size, int limit) {
        assertEquals(size, wave.requests().size(), "every request of the wave is recorded");
        for (int i = 0; i < size; i++) {
            RequestTimeline r = wave.requests().get(i);
            assertEquals(i, r.index());
            assertTrue(GONE.contains(r.errorClass()), r.errorClass() + ": " + r.error());
        }
        assertNotNull(wave.stop(), "the wave says it stopped early");
        assertFalse(wave.stop().interrupted());
        assertTrue(wave.stop().reason().startsWith("the server is gone: " + limit + " requests in a row"),
                wave.stop().reason());
        assertTrue(wave.notSentRequests() > 0, "what was not sent is recorded as such");
        for (RequestTimeline r : wave.requests()) {
            if (!r.wasSent()) {
                assertEquals(ServerGone.NOT_SENT, r.errorClass());
                assertTrue(r.error().contains("the wave stopped early, the server is gone"), r.error());
                assertTrue(Double.isNaN(r.queueMillis()), "a request never sent has no queue time");
            }
        }
    }

    @Test
    void aClosedLoopWaveStopsAfterConnectFailuresInARow() throws IOException {
        try (StreamingClient c = client(deadUrl(), Duration.ZERO);
             ClosedLoopDriver driver = new ClosedLoopDriver(c, 2, 3)) {
            WaveRecord wave = driver.run(prompts(PROMPTS), 4);
            assertWholeAndGone(wave, PROMPTS, 3);
            long connect = wave.requests().stream().filter(r -> "connect".equals(r.errorClass())).count();
            assertTrue(connect >= 3 && connect <= 4, "three in a row, and at most the one in flight beside them: " + connect);
        }
    }

    @Test
    void aClosedLoopWaveStopsAfterStallsInARow() throws IOException {
        try (MockWebServer server = new MockWebServer()) {
            for (int i = 0; i < PROMPTS; i++) {
                server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
            }
            server.start();
            String url = server.url("/").toString();
            try (StreamingClient c = client(url.substring(0, url.length() - 1), Duration.ofMillis(200));
                 ClosedLoopDriver driver = new ClosedLoopDriver(c, 2, 2)) {
                WaveRecord wave = driver.run(prompts(PROMPTS), 4);
                assertWholeAndGone(wave, PROMPTS, 2);
                assertTrue(wave.requests().stream().filter(r -> StreamingClient.STALLED.equals(r.errorClass())).count() >= 2);
                assertTrue(server.getRequestCount() <= 3, "no prompt is sent to the gone server after the stop: "
                        + server.getRequestCount());
            }
        }
    }

    @Test
    void zeroNeverStopsAWave() throws IOException {
        try (StreamingClient c = client(deadUrl(), Duration.ZERO);
             ClosedLoopDriver driver = new ClosedLoopDriver(c, 2, 0)) {
            WaveRecord wave = driver.run(prompts(5), 4);
            assertNull(wave.stop());
            assertTrue(wave.requests().stream().allMatch(r -> "connect".equals(r.errorClass())));
        }
    }

    @Test
    void aSuccessBetweenFailuresStartsTheCountAgain() {
        ServerGone gone = new ServerGone(2);
        RequestTimeline refused = RequestTimeline.notSent(0, 0, 0, 0, 1, "connect", "refused");
        RequestTimeline answered = RequestTimeline.notSent(1, 0, 0, 0, 1, "http-503", "overloaded");
        assertNull(gone.record(refused));
        assertNull(gone.record(answered), "a server that answers 503 is there");
        assertNull(gone.record(refused));
        assertNotNull(gone.record(refused));
        assertNull(gone.record(refused), "the reason is given once");
    }

    @Test
    void anOpenLoopWaveStopsAfterConnectFailuresInARow() throws IOException {
        // 200 arrivals a second: the stop comes while most arrivals are still due
        try (StreamingClient c = client(deadUrl(), Duration.ZERO);
             OpenLoopDriver driver = new OpenLoopDriver(c, ArrivalProcess.of(200, "poisson", 1), 0, prompts(2), 7, 3)) {
            WaveRecord wave = driver.run(prompts(PROMPTS * 4), 4);
            assertWholeAndGone(wave, PROMPTS * 4, 3);
            assertEquals(2, driver.lastWarmup().size(), "the warm-up requests are recorded too");
        }
    }

    /** Runs a wave on another thread, interrupts it once the server holds requests, and returns it. */
    private static void interruptedWave(Function<StreamingClient, WaveDriver> drivers) throws Exception {
        try (MockWebServer server = new MockWebServer()) {
            for (int i = 0; i < PROMPTS; i++) {
                server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
            }
            server.start();
            String url = server.url("/").toString();
            try (StreamingClient c = client(url.substring(0, url.length() - 1), Duration.ZERO);
                 WaveDriver driver = drivers.apply(c)) {
                AtomicReference<Thread> runner = new AtomicReference<>();
                AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
                CompletableFuture<WaveRecord> result = CompletableFuture.supplyAsync(() -> {
                    runner.set(Thread.currentThread());
                    WaveRecord w = driver.run(prompts(PROMPTS), 4);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                    return w;
                });
                assertNotNull(server.takeRequest(10, TimeUnit.SECONDS), "a request reached the server");
                assertNotNull(server.takeRequest(10, TimeUnit.SECONDS), "a second one too");
                runner.get().interrupt(); // what JMH does when its iteration timeout runs out
                WaveRecord wave = result.get(20, TimeUnit.SECONDS);
                assertEquals(PROMPTS, wave.requests().size(), "every request of the wave is recorded");
                assertNotNull(wave.stop());
                assertTrue(wave.stop().interrupted());
                assertEquals(ServerGone.INTERRUPTED_REASON, wave.stop().reason());
                assertFalse(stillInterrupted.get(), "the status is left clear, for the caller to write the record first");
                long cut = wave.requests().stream().filter(r -> ServerGone.INTERRUPTED.equals(r.errorClass())).count();
                assertTrue(cut >= 2, "the requests in flight are cut: " + cut);
                assertEquals(PROMPTS - cut, wave.notSentRequests(), "and the rest are not sent");
            }
        }
    }

    @Test
    void anInterruptedClosedLoopWaveRecordsEveryRequest() throws Exception {
        interruptedWave(c -> new ClosedLoopDriver(c, 2, 0));
    }

    @Test
    void anInterruptedOpenLoopWaveRecordsEveryRequest() throws Exception {
        // 2 arrivals a second: most are still due when the interrupt comes
        interruptedWave(c -> new OpenLoopDriver(c, ArrivalProcess.of(2, "poisson", 1), 0, prompts(0), 3, 0));
    }
}
