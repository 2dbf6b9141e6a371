package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.engine.EngineException;

/**
 * The API key named in the engine value ({@code ;apiKeyEnv=NAME}) is the one sent, and a server
 * that echoes it back in an error body gets it written nowhere: not in {@code requests.csv}, not in
 * {@code failures.jsonl}, not in the iteration's failure line, not on the console.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ApiKeySessionTest {

    /** A variable every test JVM has, long enough to be found if it leaked: it stands in for the key. */
    private static final String KEY_VARIABLE = "PATH";

    @TempDir
    Path dir;

    private MockWebServer server;
    private String oldRunDir;
    private String oldIdle;

    @BeforeEach
    void start() throws Exception {
        oldRunDir = System.getProperty("tpb.runDir");
        oldIdle = System.getProperty(InferenceSession.IDLE_SECONDS);
        System.setProperty("tpb.runDir", dir.resolve("run").toString());
        System.setProperty(InferenceSession.IDLE_SECONDS, "0");
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getPath().startsWith("/v1/models")) {
                    return new MockResponse().setBody("{\"data\":[{\"id\":\"m\"}]}");
                }
                if (request.getPath().startsWith("/v1/completions")) {
                    // a proxy that quotes the request's headers back
                    return new MockResponse().setResponseCode(401).setBody("{\"error\":\"bad header Authorization: "
                            + request.getHeader("Authorization") + "\"}");
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
        WaveLedger.clear();
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    private String url() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    @Test
    void theEngineValuesKeyIsSentAndAnEchoOfItIsWrittenNowhere() throws Exception {
        String key = System.getenv(KEY_VARIABLE);
        assertTrue(key != null && key.length() > 4, "the test needs " + KEY_VARIABLE + " set");
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Key").set("model", "m").set("batch", 1).set("inputTokens", 8)
                .set("outputTokens", 4).set("prompts", 2).set("engine", url() + ";apiKeyEnv=" + KEY_VARIABLE)
                .set("apiKeyEnv", "TPB_NOT_SET_ANYWHERE").build();
        PrintStream stderr = System.err;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        BenchmarkFailure failure;
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        try (InferenceSession session = InferenceSession.open(spec)) {
            session.beginIteration("measurement");
            failure = assertThrows(BenchmarkFailure.class, session::runWave);
            System.err.println(failure.getMessage()); // what JMH prints
        } finally {
            System.setErr(stderr);
        }
        RecordedRequest sent;
        do {
            sent = server.takeRequest(5, TimeUnit.SECONDS);
        } while (sent != null && !sent.getPath().startsWith("/v1/completions"));
        assertEquals("Bearer " + key, sent.getHeader("Authorization"),
                "the engine value's variable wins over @Engine(apiKeyEnv), which names one that is not set");
        assertTrue(failure.getMessage().contains("[http-401]") && failure.getMessage().contains("<redacted>"),
                failure.getMessage());
        assertFalse(failure.getMessage().contains(key), failure.getMessage());
        String requests = Files.readString(dir.resolve("run/requests.csv"));
        assertTrue(requests.contains("http-401"), requests);
        assertFalse(requests.contains(key), requests);
        String failures = Files.readString(dir.resolve("run/failures.jsonl"));
        assertFalse(failures.contains(key), failures);
        assertFalse(console.toString(StandardCharsets.UTF_8).contains(key), console.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnsetVariableIsOneLineThatNamesIt() {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Key").set("model", "m").set("engine",
                url() + ";apiKeyEnv=TPB_NOT_SET_ANYWHERE").build();
        UserError e = assertThrows(UserError.class, () -> InferenceSession.open(spec).close());
        assertEquals("environment variable TPB_NOT_SET_ANYWHERE (named by apiKeyEnv in the engine value) is not set:"
                + " export it with the server's API key", e.getMessage());
    }

    @Test
    void aKeyInPlaceOfTheNameIsRefusedWithoutBeingRepeated() {
        String pasted = "sk-live-0123456789";
        EngineException e = assertThrows(EngineException.class,
                () -> org.tokenpowerbench.engine.RemoteEngineProvider.apiKeyEnv(url() + ";apiKeyEnv=" + pasted));
        assertFalse(e.getMessage().contains(pasted), e.getMessage());
        assertTrue(e.getMessage().contains("is not an environment variable name: give the variable's name, never the key"),
                e.getMessage());
    }
}
