package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.workload.ClosedLoopDriver;
import org.tokenpowerbench.workload.PromptSet;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * The real thing: llama.cpp in this JVM behind our HTTP endpoint, driven by the real client, on
 * the project's own synthetic model and on a GGUF file nobody on the team wrote.
 */
class EmbeddedEngineTest {

    /** The third-party fixture, at ../shared/models relative to the project root. */
    static Path sharedFixture() {
        Path root = Path.of(System.getProperty("tpb.projectRoot", ".."));
        Path file = root.resolve("../shared/models/llama-2-tiny-random.gguf").normalize();
        if (!Files.isRegularFile(file)) {
            // On CI the fixture must be there; elsewhere a checkout without ../shared skips.
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("shared fixture missing at " + file);
            }
            Assumptions.abort("shared fixture not found at " + file);
        }
        return file;
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void syntheticModelServesExactPromptsAndOutputsOverBothRoutes(Api api) {
        runWave("synthetic:llama-tiny", api, 2, 6, 48, 16);
    }

    @ParameterizedTest
    @EnumSource(Api.class)
    void sharedThirdPartyGgufServesOverBothRoutes(Api api) {
        runWave(sharedFixture().toString(), api, 2, 4, 40, 12);
    }

    private static void runWave(String model, Api api, int batch, int prompts, int inputTokens, int outputTokens) {
        try (RunningEngine engine = Engines.open(new EngineRequest("embedded", model, "f16", batch,
                inputTokens + outputTokens + 64, null));
             StreamingClient client = new StreamingClient(engine.endpoint(), api, batch, Duration.ofSeconds(60));
             ClosedLoopDriver driver = new ClosedLoopDriver(client, batch)) {
            PromptSet set = PromptSet.synthetic(engine.endpoint().tokenizer(), prompts, inputTokens, 7);
            for (String p : set.prompts()) {
                assertEquals(inputTokens, engine.endpoint().tokenizer().promptTokens(p), p);
            }
            WaveRecord wave = driver.run(set, outputTokens);
            assertEquals(prompts, wave.requests().size());
            for (RequestTimeline r : wave.requests()) {
                assertTrue(r.succeeded(), () -> r.errorClass() + ": " + r.error());
                assertEquals(TokenCountSource.SERVER_USAGE, r.tokenSource());
                assertEquals(outputTokens, r.outputTokens());
                if (api == Api.COMPLETIONS) {
                    // the server counts the prompt exactly as the client built it
                    assertEquals(inputTokens, r.promptTokens());
                } else {
                    // the chat template adds a role prefix and suffix around the same text
                    assertTrue(r.promptTokens() > inputTokens, "chat prompt tokens " + r.promptTokens());
                }
                assertTrue(r.contentChunks() >= 1 && r.contentChunks() <= outputTokens, "chunks " + r.contentChunks());
                assertTrue(r.ttftMillis() > 0 && r.e2eMillis() >= r.ttftMillis(), "ttft/e2e ordering");
                assertTrue(r.queueMillis() >= 0);
                assertTrue(r.sentNanos() >= wave.startNanos() && r.doneNanos() <= wave.endNanos());
            }
            assertEquals((long) prompts * outputTokens, wave.outputTokens());
        }
    }

    @Test
    void concurrentRequestsReallyOverlapInTheEngine() {
        // with 4 slots and 4 workers, the four first requests are all in flight before any finishes
        try (RunningEngine engine = Engines.open(new EngineRequest("embedded", "synthetic:llama-tiny", "f16", 4, 200, null));
             StreamingClient client = new StreamingClient(engine.endpoint(), Api.COMPLETIONS, 4, Duration.ofSeconds(60));
             ClosedLoopDriver driver = new ClosedLoopDriver(client, 4)) {
            PromptSet set = PromptSet.synthetic(engine.endpoint().tokenizer(), 4, 64, 3);
            WaveRecord wave = driver.run(set, 96);
            long lastSend = wave.requests().stream().mapToLong(RequestTimeline::sentNanos).max().orElseThrow();
            long firstDone = wave.requests().stream().mapToLong(RequestTimeline::lastTokenNanos).min().orElseThrow();
            assertTrue(lastSend < firstDone, "all four requests should be sent before the first one finishes");
            assertTrue(wave.requests().stream().allMatch(RequestTimeline::succeeded));
        }
    }

    @Test
    void remoteEngineFindsTheModelAndTheTokenizerOfAnOpenAiCompatibleServer() {
        // Our embedded endpoint, seen from outside through its URL, is a server like any other.
        try (RunningEngine server = Engines.open(new EngineRequest("embedded", "synthetic:llama-tiny", "f16", 1, 200, null));
             RunningEngine remote = Engines.open(new EngineRequest(server.endpoint().baseUrl() + "/v1", "synthetic:llama-tiny",
                     "auto", 1, 0, null));
             StreamingClient client = new StreamingClient(remote.endpoint(), Api.COMPLETIONS, 1, Duration.ofSeconds(60));
             ClosedLoopDriver driver = new ClosedLoopDriver(client, 1)) {
            assertEquals(server.endpoint().baseUrl(), remote.endpoint().baseUrl(), "a trailing /v1 is dropped");
            assertTrue(remote.endpoint().tokenizer() != null, "the /tokenize endpoint was found");
            assertEquals(1, remote.endpoint().tokenizer().specialTokensAdded());
            PromptSet set = PromptSet.synthetic(remote.endpoint().tokenizer(), 2, 32, 1);
            WaveRecord wave = driver.run(set, 8);
            assertTrue(wave.requests().stream().allMatch(r -> r.succeeded() && r.promptTokens() == 32 && r.outputTokens() == 8));

            EngineException wrongModel = assertThrows(EngineException.class,
                    () -> Engines.open(new EngineRequest(server.endpoint().baseUrl(), "other-model", "auto", 1, 0, null)));
            assertTrue(wrongModel.getMessage().contains("does not serve model 'other-model'")
                    && wrongModel.getMessage().contains("synthetic:llama-tiny"), wrongModel.getMessage());
        }
    }

    @Test
    void portInUseIsOneClearLine() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            System.setProperty("tpb.embedded.port", Integer.toString(taken.getLocalPort()));
            EngineException e = assertThrows(EngineException.class,
                    () -> Engines.open(new EngineRequest("embedded", "synthetic:llama-tiny", "f16", 1, 100, null)));
            assertTrue(e.getMessage().contains("port " + taken.getLocalPort()) && e.getMessage().contains("in use"), e.getMessage());
        } finally {
            System.clearProperty("tpb.embedded.port");
        }
    }

    @Test
    void missingModelFileIsOneClearLine() {
        EngineException e = assertThrows(EngineException.class,
                () -> Engines.open(new EngineRequest("embedded", "/no/such/model.gguf", "f16", 1, 100, null)));
        assertTrue(e.getMessage().contains("/no/such/model.gguf") && e.getMessage().contains("synthetic:llama-tiny"), e.getMessage());
        assertEquals(0, e.getStackTrace().length, "a user error carries no stack trace");
    }

    @Test
    void fileThatIsNotGgufIsRejectedBeforeLoading(@TempDir Path dir) throws IOException {
        Path fake = Files.writeString(dir.resolve("model.gguf"), "not a model");
        EngineException e = assertThrows(EngineException.class, () -> Engines.check("embedded", fake.toString(), "f16"));
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());
    }

    @Test
    void unknownEngineSchemeAndUnreachableServerAreClearErrors() {
        EngineException scheme = assertThrows(EngineException.class, () -> Engines.check("ftp://x", "m", "f16"));
        assertTrue(scheme.getMessage().contains("ftp://x"), scheme.getMessage());
        EngineException down = assertThrows(EngineException.class, () -> Engines.check("http://127.0.0.1:9", "m", "auto"));
        assertTrue(down.getMessage().contains("cannot reach engine http://127.0.0.1:9"), down.getMessage());
        assertFalse(down.getMessage().contains("Exception"), down.getMessage());
    }
}
