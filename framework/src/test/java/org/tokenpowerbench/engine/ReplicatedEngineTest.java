package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.Route;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.workload.ClosedLoopDriver;
import org.tokenpowerbench.workload.PromptSet;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * A deployment of several replicas behind one engine value, {@code http://a|http://b}: opened
 * through {@link Engines} as a user's value is, against two real HTTP servers, its requests
 * shared by the route the value names, each request's replica recorded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplicatedEngineTest {

    private final MockWebServer a = new MockWebServer();
    private final MockWebServer b = new MockWebServer();

    /** A replica that serves model {@code m}: counts its completions, and waits on {@code gate} before each when given one. */
    private static final class Replica extends Dispatcher {
        final AtomicInteger completions = new AtomicInteger();
        final CountDownLatch gate;
        final CountDownLatch served;

        Replica(CountDownLatch gate, CountDownLatch served) {
            this.gate = gate;
            this.served = served;
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            if (request.getPath().equals("/v1/models")) {
                return new MockResponse().setBody("{\"data\":[{\"id\":\"m\"}]}");
            }
            if (!request.getPath().equals("/v1/completions")) {
                return new MockResponse().setResponseCode(404); // no /tokenize
            }
            completions.incrementAndGet();
            if (gate != null && !gate.await(30, TimeUnit.SECONDS)) {
                return new MockResponse().setResponseCode(500).setBody("the test never let this replica answer");
            }
            if (served != null) {
                served.countDown();
            }
            return new MockResponse().setHeader("Content-Type", "text/event-stream")
                    .setBody("data: {\"choices\":[{\"index\":0,\"text\":\" a\"}]}\n\n"
                            + "data: {\"choices\":[{\"index\":0,\"text\":\" b\"}]}\n\n"
                            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":2}}\n\n"
                            + "data: [DONE]\n\n");
        }
    }

    @BeforeEach
    void start() throws IOException {
        a.start();
        b.start();
    }

    @AfterEach
    void stop() throws IOException {
        a.shutdown();
        b.shutdown();
    }

    private static String url(MockWebServer s) {
        return "http://127.0.0.1:" + s.getPort();
    }

    private static PromptSet prompts(int n) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add("prompt " + i);
        }
        return new PromptSet(p, -1, "test");
    }

    private static WaveRecord wave(Endpoint endpoint, int batch, int requests) {
        try (StreamingClient client = new StreamingClient(endpoint, Api.COMPLETIONS, batch, Duration.ofSeconds(30));
             ClosedLoopDriver driver = new ClosedLoopDriver(client, batch)) {
            return driver.run(prompts(requests), 2);
        }
    }

    private static long on(WaveRecord wave, int replica) {
        return wave.requests().stream().filter(r -> r.replica() == replica).count();
    }

    private static Endpoint open(String value) {
        return Engines.open(new EngineRequest(value, "m", "auto", 2, 0, null)).endpoint();
    }

    @Test
    void roundRobinSplitsEightRequestsFourAndFour() {
        Replica ra = new Replica(null, null);
        Replica rb = new Replica(null, null);
        a.setDispatcher(ra);
        b.setDispatcher(rb);
        Endpoint endpoint = open(url(a) + "|" + url(b));
        assertEquals(List.of(url(a), url(b)), endpoint.replicas());
        assertEquals(Route.ROUND_ROBIN, endpoint.route(), "round robin unless the value names another");
        assertNull(Engines.open(new EngineRequest(url(a) + "|" + url(b), "m", "auto", 2, 0, null)).metricsPath(),
                "one replica's /metrics set against the whole wave's tokens would read as a mismatch: not scraped");
        assertEquals("/metrics", Engines.open(new EngineRequest(url(a), "m", "auto", 2, 0, null)).metricsPath());

        WaveRecord wave = wave(endpoint, 2, 8);
        assertEquals(4, ra.completions.get());
        assertEquals(4, rb.completions.get());
        assertEquals(4, on(wave, 0), "each row names the replica that served it");
        assertEquals(4, on(wave, 1));
        assertTrue(wave.requests().stream().allMatch(RequestTimeline::succeeded));
    }

    @Test
    void leastInFlightSendsToTheIdleReplicaWhileTheOtherIsBusy() {
        // replica a answers only once b has served seven: a is the slow one, without a clock in the test
        CountDownLatch sevenOnB = new CountDownLatch(7);
        Replica ra = new Replica(sevenOnB, null);
        Replica rb = new Replica(null, sevenOnB);
        a.setDispatcher(ra);
        b.setDispatcher(rb);
        Endpoint endpoint = open(url(a) + "|" + url(b) + ";route=leastInFlight");
        assertEquals(Route.LEAST_IN_FLIGHT, endpoint.route());

        WaveRecord wave = wave(endpoint, 2, 8);
        assertEquals(1, ra.completions.get(), "the busy replica got only the first request");
        assertEquals(7, rb.completions.get(), "the idle one got every other");
        assertEquals(1, on(wave, 0));
        assertEquals(7, on(wave, 1));
        assertTrue(wave.requests().stream().allMatch(RequestTimeline::succeeded));
    }

    @Test
    void aDeadReplicasRequestsFailAndAreRecordedWhileTheOtherServes() throws IOException {
        Replica ra = new Replica(null, null);
        a.setDispatcher(ra);
        String dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort();
        }
        // opened by hand: opening through Engines refuses a replica that does not answer, as it should
        Endpoint endpoint = new Endpoint(url(a), "m", null, null, false, false, List.of(url(a), dead), Route.ROUND_ROBIN);

        WaveRecord wave = wave(endpoint, 1, 8);
        assertEquals(8, wave.requests().size(), "every request has its row");
        for (RequestTimeline r : wave.requests()) {
            if (r.replica() == 0) {
                assertTrue(r.succeeded(), r.error());
            } else {
                assertEquals(1, r.replica());
                assertEquals("connect", r.errorClass());
                assertTrue(r.error().contains(dead), "the failure names the replica: " + r.error());
            }
        }
        // round robin alternates a, dead, a, dead, a, dead: the third refusal in a row takes the dead
        // replica out of the rotation, and the last two requests go to a
        assertEquals(3, on(wave, 1), "three refused connections, then no more");
        assertEquals(5, ra.completions.get());
        // the wave's server-gone rule counts failures in a row: the live replica's answers break the
        // streak, so a deployment with one replica alive is measured, not stopped
        assertNull(wave.stop());
    }

    /**
     * A dead replica fails at once, so to least-in-flight it always looks idle: left in, it would draw
     * nearly every request. Three refusals in a row take it out; the live replica serves the rest.
     */
    @Test
    void leastInFlightStopsSendingToADeadReplica() throws IOException {
        Replica rb = new Replica(null, null);
        b.setDispatcher(rb);
        String dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort();
        }
        Endpoint endpoint = new Endpoint(dead, "m", null, null, false, false, List.of(dead, url(b)), Route.LEAST_IN_FLIGHT);

        WaveRecord wave = wave(endpoint, 2, 16);
        assertEquals(16, wave.requests().size(), "every request has its row");
        long onDead = on(wave, 0);
        // two workers: at most one more request can be on its way to the dead replica when the third
        // refusal lands
        assertTrue(onDead >= 3 && onDead <= 4, onDead + " requests went to the dead replica");
        assertEquals(16 - onDead, rb.completions.get(), "the live replica served every other");
        assertTrue(wave.requests().stream().filter(r -> r.replica() == 0).allMatch(r -> "connect".equals(r.errorClass())));
        assertNull(wave.stop());
    }

    /**
     * A replica down when the run starts: the run goes on with the replicas that answer (one line
     * names the dead one), requests go only to those, and indices keep their meaning. Every replica
     * down is the one-line error it always was.
     */
    @Test
    void aReplicaDownAtTheStartIsLeftOutNamedAndTheTrialRunsOnTheOthers() throws IOException {
        Replica ra = new Replica(null, null);
        a.setDispatcher(ra);
        String dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = "http://127.0.0.1:" + s.getLocalPort();
        }
        String value = dead + "|" + url(a);
        Engines.check(value, "m", "auto"); // no exception: one replica answers
        Endpoint endpoint = open(value);
        assertEquals(java.util.Set.of(0), endpoint.unreachable());
        assertEquals(List.of(dead, url(a)), endpoint.replicas(), "indices keep their meaning");

        WaveRecord wave = wave(endpoint, 2, 6);
        assertEquals(6, on(wave, 1), "every request to the live replica");
        assertEquals(6, ra.completions.get());
        assertTrue(wave.requests().stream().allMatch(RequestTimeline::succeeded));

        String dead2;
        try (ServerSocket s = new ServerSocket(0)) {
            dead2 = "http://127.0.0.1:" + s.getLocalPort();
        }
        String allDead = dead + "|" + dead2;
        UserError e = assertThrows(UserError.class, () -> Engines.check(allDead, "m", "auto"));
        assertTrue(e.getMessage().contains(dead), e.getMessage());
        assertThrows(UserError.class, () -> open(allDead));
    }

    @Test
    void badValuesAreOneLineNamingWhatToWrite() {
        for (String bad : List.of("http://a:1||http://b:1", "http://a:1|b:1", "http://a:1|http://a:1",
                "http://a:1|http://b:1;route=fastest", "http://a:1;usage=final|http://b:1", "http://a:1|")) {
            EngineException e = assertThrows(EngineException.class, () -> RemoteEngineValue.parse(bad), bad);
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("engine"), e.getMessage());
        }
        RemoteEngineValue v = RemoteEngineValue.parse(" http://a:1 | http://b:1 ;route=leastInFlight;usage=continuous");
        assertEquals(List.of("http://a:1", "http://b:1"), v.replicas());
        assertEquals("http://a:1", v.url());
        assertEquals(Route.LEAST_IN_FLIGHT, v.route());
        assertTrue(v.continuousUsage(), "options after the list apply to every replica");
        assertEquals(List.of("http://a:1"), RemoteEngineValue.parse("http://a:1").replicas());
    }
}
