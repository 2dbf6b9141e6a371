package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The trial's {@code GET /v1/models} is read only up to a cap: a server that answers with a flood
 * (50 MB here, a file server or a broken proxy) is one line naming the URL, not a heap filled
 * before the first wave.
 */
class RemoteEngineModelListTest {

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

    @Test
    void aFiftyMegabyteModelListIsOneLineNamingTheCapAndTheUrl() {
        Buffer flood = new Buffer();
        flood.writeUtf8("{\"object\":\"list\",\"data\":[{\"id\":\"");
        byte[] block = new byte[1 << 20];
        java.util.Arrays.fill(block, (byte) 'x');
        for (int i = 0; i < 50; i++) {
            flood.write(block);
        }
        flood.writeUtf8("\"}]}");
        server.enqueue(new MockResponse().setBody(flood));
        EngineException e = assertThrows(EngineException.class, () -> RemoteEngine.connect(url(), "m", null));
        assertTrue(e.getMessage().contains("more than " + (RemoteEngine.MAX_MODEL_LIST_BYTES >> 20) + " MiB"), e.getMessage());
        assertTrue(e.getMessage().contains(url()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(0, e.getStackTrace().length, "a user's error is stackless");
    }

    @Test
    void aListJustUnderTheCapIsRead() {
        StringBuilder padding = new StringBuilder();
        // one served model, padded with a long field up to a little under the cap
        int pad = (int) RemoteEngine.MAX_MODEL_LIST_BYTES - 200;
        padding.append("x".repeat(pad));
        server.enqueue(new MockResponse().setBody("{\"object\":\"list\",\"pad\":\"" + padding
                + "\",\"data\":[{\"id\":\"other\"}]}"));
        EngineException e = assertThrows(EngineException.class, () -> RemoteEngine.connect(url(), "m", null));
        // read in full: the model check ran and names what the server serves
        assertTrue(e.getMessage().contains("does not serve model 'm'"), e.getMessage());
        assertTrue(e.getMessage().contains("[other]"), e.getMessage());
    }

    /** A server that lists the request's header as a model: the line that names the list keeps no key. */
    @Test
    void aModelListThatEchoesTheKeyIsNamedWithoutIt() throws Exception {
        String key = "sk-secret/12345";
        server.enqueue(new MockResponse().setBody("{\"object\":\"list\",\"data\":[{\"id\":\"wrong-Bearer " + key
                + "\"},{\"id\":\"x-Bearer sk-secret\\/12345\"}]}"));
        EngineException e = assertThrows(EngineException.class, () -> RemoteEngine.connect(url(), "m", key));
        assertTrue(e.getMessage().contains("does not serve model 'm'"), e.getMessage());
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertEquals("Bearer " + key, server.takeRequest().getHeader("Authorization"), "the key was sent");
    }

    /** A key that was sent and refused is said to be refused, not missing. */
    @Test
    void aRefusedKeyIsToldApartFromAMissingOne() {
        server.enqueue(new MockResponse().setResponseCode(401));
        EngineException sent = assertThrows(EngineException.class, () -> RemoteEngine.connect(url(), "m", "k-1"));
        assertTrue(sent.getMessage().contains("refused it") && !sent.getMessage().contains("set the API key"),
                sent.getMessage());
        server.enqueue(new MockResponse().setResponseCode(401));
        EngineException missing = assertThrows(EngineException.class, () -> RemoteEngine.connect(url(), "m", null));
        assertTrue(missing.getMessage().contains("set the API key"), missing.getMessage());
    }
}
