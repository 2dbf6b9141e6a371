package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.CompletionRequest;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.Tokenizer;
import org.tokenpowerbench.engine.gguf.LlamaTokenizerJson;

/**
 * A server that streams without {@code usage}, configured with a tokenizer.json through the
 * engine value: the real client, the real tokenizer (DJL), an HTTP server that is not ours.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RemoteEngineTokenizerFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "test-model";
    private static final List<String> CHUNKS = List.of("Hello", " wörld", ",", " the energy", " 😀", "\n", "漢字", " model");

    @TempDir
    static Path dir;
    private static Path tokenizerJson;

    private MockWebServer server;
    private final List<String> paths = new CopyOnWriteArrayList<>();
    private volatile boolean sendUsage;
    private volatile boolean hasTokenize;

    @BeforeAll
    static void writeTokenizer() throws IOException {
        tokenizerJson = LlamaTokenizerJson.write(ModelFile.resolve("synthetic:llama-tiny", "f16"), dir.resolve("tokenizer.json"));
    }

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                paths.add(request.getPath());
                return switch (request.getPath()) {
                    case "/v1/models" -> new MockResponse().setBody("{\"object\":\"list\",\"data\":[{\"id\":\"" + MODEL + "\"}]}");
                    case "/tokenize" -> hasTokenize
                            ? new MockResponse().setBody("{\"tokens\":[7,7,7]}") : new MockResponse().setResponseCode(404);
                    case "/v1/completions" -> new MockResponse().setHeader("Content-Type", "text/event-stream")
                            .setBody(stream(sendUsage));
                    default -> new MockResponse().setResponseCode(404);
                };
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.shutdown();
    }

    /** One content chunk per piece, optionally a usage-only chunk, then [DONE]; JSON-escaped by Jackson. */
    private static String stream(boolean usage) {
        StringBuilder sb = new StringBuilder();
        for (String piece : CHUNKS) {
            ObjectNode chunk = JSON.createObjectNode().put("id", "cmpl-1").put("object", "text_completion");
            chunk.putArray("choices").addObject().put("index", 0).put("text", piece).putNull("finish_reason");
            sb.append("data: ").append(chunk).append("\n\n");
        }
        if (usage) {
            sb.append("data: {\"id\":\"cmpl-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":8,"
                    + "\"total_tokens\":17}}\n\n");
        }
        return sb.append("data: [DONE]\n\n").toString();
    }

    private String url() {
        String url = server.url("/").toString();
        return url.substring(0, url.length() - 1);
    }

    private RequestTimeline sendOne(RunningEngine engine, String prompt) {
        try (StreamingClient client = new StreamingClient(engine.endpoint(), Api.COMPLETIONS, 1, Duration.ofSeconds(30))) {
            return client.send(new CompletionRequest(0, prompt, CHUNKS.size()), 0, System.nanoTime());
        }
    }

    @Test
    void withoutUsageAndWithoutTokenizeTheTokenizerJsonCountsAndSaysSo() {
        String value = url() + ";tokenizer=" + tokenizerJson;
        Engines.check(value, MODEL, "auto");
        String prompt = "Count the joules of this prompt, s'il vous plaît.";
        try (RunningEngine engine = Engines.open(new EngineRequest(value, MODEL, "auto", 1, 0, null));
             HuggingFaceTokenizerFile reference = HuggingFaceTokenizerFile.load(tokenizerJson)) {
            Tokenizer tokenizer = engine.endpoint().tokenizer();
            assertInstanceOf(HuggingFaceTokenizerFile.class, tokenizer);
            assertEquals("tokenizer.json " + tokenizerJson.toAbsolutePath(), tokenizer.description());
            assertTrue(engine.description().contains("tokenizer without usage: tokenizer.json " + tokenizerJson.toAbsolutePath()),
                    engine.description());
            assertEquals(1, tokenizer.specialTokensAdded(), "the BOS the file's post-processor adds");

            RequestTimeline t = sendOne(engine, prompt);
            assertTrue(t.succeeded(), t.error());
            assertEquals(TokenCountSource.TOKENIZER_JSON, t.tokenSource());
            assertEquals("tokenizer-json", t.tokenSource().label(), "so results print tokens.output.tokenizer-json");
            int expected = reference.encode(String.join("", CHUNKS)).length;
            assertEquals(expected, t.outputTokens(), "the tokenizer's count of the streamed text");
            assertTrue(expected > CHUNKS.size(), "byte fallback and merges, not one token per chunk: " + expected);
            assertEquals(reference.promptTokens(prompt), t.promptTokens());
            assertEquals(CHUNKS.size(), t.contentChunks());
        }
        assertFalse(paths.contains("/tokenize"), "a given tokenizer.json comes before the server's /tokenize: " + paths);
    }

    @Test
    void serverUsageStillComesFirst() {
        sendUsage = true;
        try (RunningEngine engine = Engines.open(new EngineRequest(url() + ";tokenizer=" + tokenizerJson, MODEL, "auto", 1, 0, null))) {
            RequestTimeline t = sendOne(engine, "hello");
            assertEquals(TokenCountSource.SERVER_USAGE, t.tokenSource());
            // eight chunks, eight tokens by the server's count (the file would count more: byte fallback)
            assertEquals(8, t.outputTokens());
            assertEquals(9, t.promptTokens());
        }
    }

    @Test
    void theFileComesBeforeTheServersTokenizeAndWithoutItTokenizeIsUsedAndNamed() {
        hasTokenize = true;
        try (RunningEngine engine = Engines.open(new EngineRequest(url() + ";tokenizer=" + tokenizerJson, MODEL, "auto", 1, 0, null))) {
            assertInstanceOf(HuggingFaceTokenizerFile.class, engine.endpoint().tokenizer());
        }
        assertFalse(paths.contains("/tokenize"), paths.toString());
        try (RunningEngine engine = Engines.open(new EngineRequest(url(), MODEL, "auto", 1, 0, null))) {
            Tokenizer tokenizer = engine.endpoint().tokenizer();
            assertEquals("server /tokenize at " + url() + "/tokenize", tokenizer.description());
            assertTrue(engine.description().contains("tokenizer without usage: server /tokenize"), engine.description());
            RequestTimeline t = sendOne(engine, "hello");
            assertEquals(TokenCountSource.SERVER_TOKENIZE, t.tokenSource());
            assertEquals("server-tokenize", t.tokenSource().label());
            assertEquals(3, t.outputTokens(), "the server's /tokenize answer");
        }
        assertTrue(paths.contains("/tokenize"), paths.toString());
    }

    @Test
    void withNeitherThereIsNoCountAndTheEngineSaysWhy() {
        try (RunningEngine engine = Engines.open(new EngineRequest(url(), MODEL, "auto", 1, 0, null))) {
            assertEquals(null, engine.endpoint().tokenizer());
            assertTrue(engine.description().contains("no /tokenize endpoint and no tokenizer.json"), engine.description());
            assertEquals(TokenCountSource.NONE, sendOne(engine, "hello").tokenSource());
        }
    }

    @Test
    void badTokenizerValuesAreOneLineBeforeTheFirstFork(@TempDir Path tmp) throws IOException {
        EngineException missing = assertThrows(EngineException.class,
                () -> Engines.check(url() + ";tokenizer=/no/such/tokenizer.json", MODEL, "auto"));
        assertTrue(missing.getMessage().contains("'/no/such/tokenizer.json' does not exist"), missing.getMessage());

        Path notTokenizer = Files.writeString(tmp.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"]}");
        EngineException bad = assertThrows(EngineException.class,
                () -> Engines.check(url() + ";tokenizer=" + notTokenizer, MODEL, "auto"));
        assertTrue(bad.getMessage().contains(notTokenizer.toString()) && bad.getMessage().contains("not a Hugging Face tokenizer.json"),
                bad.getMessage());
        assertThrows(EngineException.class, () -> Engines.open(new EngineRequest(url() + ";tokenizer=" + notTokenizer, MODEL, "auto", 1, 0, null)));

        EngineException unknown = assertThrows(EngineException.class,
                () -> Engines.check(url() + ";tokeniser=" + tokenizerJson, MODEL, "auto"));
        assertTrue(unknown.getMessage().contains("'tokeniser=") && unknown.getMessage().contains("tokenizer=/path/to/tokenizer.json"),
                unknown.getMessage());
        EngineException empty = assertThrows(EngineException.class, () -> Engines.check(url() + ";tokenizer=", MODEL, "auto"));
        assertTrue(empty.getMessage().contains("names no file"), empty.getMessage());
        EngineException embedded = assertThrows(EngineException.class,
                () -> Engines.check("embedded;tokenizer=" + tokenizerJson, "synthetic:llama-tiny", "f16"));
        assertTrue(embedded.getMessage().contains("takes no options"), embedded.getMessage());
        for (EngineException e : List.of(missing, bad, unknown, empty, embedded)) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertEquals(0, e.getStackTrace().length);
        }
        assertEquals(0, paths.stream().filter(p -> p.startsWith("/v1/completions")).count());
    }

    @Test
    void usageContinuousIsAnOptionAfterTheUrl() {
        assertTrue(RemoteEngineValue.parse("http://h:1;usage=continuous").continuousUsage());
        assertFalse(RemoteEngineValue.parse("http://h:1;usage=final").continuousUsage());
        assertFalse(RemoteEngineValue.parse("http://h:1").continuousUsage());
        RemoteEngineValue both = RemoteEngineValue.parse("http://h:1;usage=continuous;tokenizer=/t.json");
        assertTrue(both.continuousUsage());
        assertEquals(java.nio.file.Path.of("/t.json"), both.tokenizer());
        assertTrue(RemoteEngineValue.parse("http://h:1;prefixCache=off").freshPrefixCache());
        assertFalse(RemoteEngineValue.parse("http://h:1;prefixCache=on").freshPrefixCache());
        assertTrue(assertThrows(EngineException.class, () -> RemoteEngineValue.parse("http://h:1;prefixCache=no"))
                .getMessage().contains("give prefixCache=off"));
        EngineException e = assertThrows(EngineException.class, () -> RemoteEngineValue.parse("http://h:1;usage=always"));
        assertTrue(e.getMessage().contains("give usage=continuous"), e.getMessage());
        try (RunningEngine engine = Engines.open(new EngineRequest(url() + ";usage=continuous", MODEL, "auto", 1, 0, null))) {
            assertTrue(engine.endpoint().continuousUsage(), "the option reaches the endpoint the client uses");
        }
    }
}
