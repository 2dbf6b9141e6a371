package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;

/**
 * The host's check of a server before any fork ({@link Engines#check}): the README promises that
 * a server answering 4xx/5xx stops the run with one line before the first trial (exit 2), not
 * inside it.
 */
class RemoteEngineCheckTest {

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

    private String url() {
        return "http://" + server.getHostName() + ":" + server.getPort();
    }

    private UserError refused(int code) {
        server.enqueue(new MockResponse().setResponseCode(code));
        return assertThrows(UserError.class, () -> Engines.check(url(), "m", "auto"));
    }

    @Test
    void notFoundStopsBeforeTheTrialNamingTheCodeAndTheFlag() {
        UserError e = refused(404);
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("-p engine="), e.getMessage());
        assertTrue(e.getMessage().contains(url()), e.getMessage());
    }

    @Test
    void serverErrorStopsBeforeTheTrial() {
        UserError e = refused(503);
        assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
    }

    @Test
    void unauthorisedPassesBecauseTheKeyIsOnlyKnownInTheTrial() {
        server.enqueue(new MockResponse().setResponseCode(401));
        assertDoesNotThrow(() -> Engines.check(url(), "m", "auto"));
    }

    @Test
    void successPasses() {
        server.enqueue(new MockResponse().setBody("{\"object\":\"list\",\"data\":[]}"));
        assertDoesNotThrow(() -> Engines.check(url() + "/v1", "m", "auto"));
    }
}
