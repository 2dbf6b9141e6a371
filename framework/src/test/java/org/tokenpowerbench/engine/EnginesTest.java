package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup by scheme: which provider a value reaches, and what the user reads when none does. */
class EnginesTest {

    @Test
    void unknownSchemeListsTheKnownOnesWithExamples() {
        for (String value : List.of("ftp://x", "localhost:8000", "")) {
            EngineException e = assertThrows(EngineException.class, () -> Engines.check(value, "m", "f16"));
            String m = e.getMessage();
            assertTrue(m.startsWith("engine '" + value + "' is not known"), m);
            // the schemes come from the registered providers, the test-only one included
            assertTrue(m.contains("embedded, fixture, http, https, launch"), m);
            assertTrue(m.contains("http://localhost:8000") && m.contains("-p engine="), m);
            assertFalse(m.contains("\n"), m);
            assertEquals(0, e.getStackTrace().length, "a user error carries no stack trace");
        }
        EngineException open = assertThrows(EngineException.class,
                () -> Engines.open(new EngineRequest("launch:vllm", "m", "auto", 1, 100, null)));
        // a managed engine is started by the host: a fork given none says how to run it
        assertTrue(open.getMessage().contains("is started by TokenPowerBench's Main before each trial"), open.getMessage());
    }

    @Test
    void theSchemeIsMatchedWithoutRegardToCase(@TempDir Path dir) throws IOException {
        Path fake = Files.writeString(dir.resolve("model.gguf"), "not a model");
        // reaching the embedded provider's check shows as its model check
        EngineException embedded = assertThrows(EngineException.class, () -> Engines.check(" EMBEDDED ", fake.toString(), "f16"));
        assertTrue(embedded.getMessage().contains("not a GGUF file"), embedded.getMessage());
        EngineException options = assertThrows(EngineException.class,
                () -> Engines.check("Embedded;tokenizer=/t.json", "synthetic:llama-tiny", "f16"));
        assertTrue(options.getMessage().contains("takes no options"), options.getMessage());
        EngineException remote = assertThrows(EngineException.class, () -> Engines.check("HTTP://127.0.0.1:9", "m", "auto"));
        assertTrue(remote.getMessage().contains("cannot reach engine HTTP://127.0.0.1:9"), remote.getMessage());
        RunningEngine fixture = Engines.open(new EngineRequest("FiXture:http://127.0.0.1:7", "m", "auto", 1, 0, null));
        assertInstanceOf(FixtureEngineProvider.Opened.class, fixture);
    }

    @Test
    void aProviderRegisteredByAnotherJarsServicesFileIsFoundAndGivenTheWholeRequest() {
        assertTrue(Engines.knownSchemes().containsAll(List.of("embedded", "http", "https", "fixture")),
                Engines.knownSchemes().toString());
        EngineRequest request = new EngineRequest("fixture:http://127.0.0.1:7", "tiny", "q4_0", 3, 256, "secret");
        Engines.check(request);
        try (RunningEngine engine = Engines.open(request)) {
            FixtureEngineProvider.Opened opened = assertInstanceOf(FixtureEngineProvider.Opened.class, engine);
            assertEquals(request, opened.request());
            assertEquals("http://127.0.0.1:7", engine.endpoint().baseUrl());
            assertEquals("tiny", engine.endpoint().modelId());
            assertEquals("secret", engine.endpoint().apiKey());
        }
    }

    @Test
    void checkReachesTheProvidersCheckAndOpenItsOpen() {
        EngineException check = assertThrows(EngineException.class, () -> Engines.check("fixture:reject-check", "m", "auto"));
        assertEquals("fixture check rejects 'fixture:reject-check'", check.getMessage(), "the provider's line passes unchanged");
        Engines.check("fixture:reject-open", "m", "auto");

        EngineException open = assertThrows(EngineException.class,
                () -> Engines.open(new EngineRequest("fixture:reject-open", "m", "auto", 1, 0, null)));
        assertEquals("fixture open rejects 'fixture:reject-open'", open.getMessage());
        Engines.open(new EngineRequest("fixture:reject-check", "m", "auto", 1, 0, null)).close();
    }

    @Test
    void aServerValueWithoutSlashesIsNotTakenForAUrl() {
        EngineException e = assertThrows(EngineException.class, () -> Engines.check("http:localhost:8000", "m", "auto"));
        assertTrue(e.getMessage().contains("'http:localhost:8000' is not a base URL")
                && e.getMessage().contains("http://host:port"), e.getMessage());
    }

    @Test
    void theRequestKnowsItsSchemeAndHidesItsKey() {
        assertEquals("embedded", EngineRequest.beforeFork("  Embedded ", "m", "f16").scheme());
        assertEquals("embedded", EngineRequest.beforeFork("embedded;tokenizer=/t", "m", "f16").scheme());
        assertEquals("https", EngineRequest.beforeFork("HTTPS://h:1;usage=continuous", "m", "f16").scheme());
        assertEquals("launch", EngineRequest.beforeFork("launch:vllm;bin=/opt/vllm", "m", "f16").scheme());
        assertEquals("", EngineRequest.beforeFork(null, "m", "f16").scheme());
        EngineRequest beforeFork = EngineRequest.beforeFork("http://h:1", "m", "f16");
        assertEquals(0, beforeFork.slots());
        assertEquals(null, beforeFork.apiKey());
        String shown = new EngineRequest("http://h:1", "m", "auto", 1, 0, "secret").toString();
        assertFalse(shown.contains("secret"), shown);
        assertTrue(shown.contains("apiKey=<hidden>"), shown);
    }
}
