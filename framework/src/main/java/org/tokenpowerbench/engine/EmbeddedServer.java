package org.tokenpowerbench.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Our own OpenAI-compatible streaming endpoint in front of the embedded llama.cpp model, on a
 * loopback port, so that a benchmark of the embedded engine measures the same HTTP and SSE path
 * as one of a remote server.
 *
 * <p>Routes: {@code POST /v1/completions}, {@code POST /v1/chat/completions} (streamed or not),
 * {@code GET /v1/models}, {@code GET /health}, {@code POST /tokenize}. Streams end with a final
 * chunk that carries {@code finish_reason}, a usage-only chunk ({@code choices: []}) when the
 * client asks for {@code stream_options.include_usage}, and {@code data: [DONE]}.
 *
 * <p>Token counts in {@code usage}: prompt tokens are the engine tokenizer's count plus the
 * begin-of-sequence token llama.cpp adds. Completion tokens cannot be read off the stream: the
 * binding hands out text pieces, and llama.cpp holds back a token that ends inside a multi-byte
 * character and sends it with the next, so pieces are not tokens (measured: 62 to 64 pieces for
 * 64 tokens). With {@code ignore_eos} (what every benchmark request sends) llama.cpp samples
 * exactly {@code max_tokens} tokens when the slot's context has room, which {@link EmbeddedEngine}
 * sizes for (prompt plus output plus a margin per slot); that is the count reported. Without
 * {@code ignore_eos}, the generated text is re-tokenized with the model's own vocabulary, which
 * can differ from the sampled tokens by the merges a tokenizer prefers.
 */
final class EmbeddedServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LlamaModel model;
    private final String modelId;
    private final int bosTokens;
    private final int bosId;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicLong ids = new AtomicLong();

    /** @param bosId the begin-of-sequence token llama.cpp adds to every prompt, or -1 for none */
    EmbeddedServer(LlamaModel model, String modelId, int bosId, int port, int workers) throws IOException {
        this.model = model;
        this.modelId = modelId;
        this.bosId = bosId;
        this.bosTokens = bosId >= 0 ? 1 : 0;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (BindException e) {
            throw new EngineException("port " + port + " on 127.0.0.1 is already in use: choose another with "
                    + "-jvmArgsAppend -Dtpb.embedded.port=N, or 0 for any free port");
        }
        this.executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "tpb-embedded-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/v1/completions", ex -> handle(ex, false));
        server.createContext("/v1/chat/completions", ex -> handle(ex, true));
        server.createContext("/v1/models", this::models);
        server.createContext("/health", ex -> respond(ex, 200, "{\"status\":\"ok\"}"));
        server.createContext("/tokenize", this::tokenize);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void models(HttpExchange ex) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("object", "list");
        ObjectNode m = body.putArray("data").addObject();
        m.put("id", modelId);
        m.put("object", "model");
        m.put("owned_by", "tokenpowerbench-embedded");
        respond(ex, 200, body.toString());
    }

    private void tokenize(HttpExchange ex) throws IOException {
        try {
            JsonNode req = JSON.readTree(ex.getRequestBody());
            String text = req.hasNonNull("prompt") ? req.get("prompt").asText() : req.path("content").asText("");
            boolean addSpecial = req.path("add_special").asBoolean(false) || req.path("add_special_tokens").asBoolean(false);
            int[] tokens = model.encode(text);
            ObjectNode body = JSON.createObjectNode();
            ArrayNode arr = body.putArray("tokens");
            if (addSpecial && bosId >= 0) {
                arr.add(bosId);
            }
            for (int t : tokens) {
                arr.add(t);
            }
            body.put("count", arr.size());
            respond(ex, 200, body.toString());
        } catch (IOException | RuntimeException e) {
            respond(ex, 400, error("bad tokenize request: " + e.getMessage()));
        }
    }

    private void handle(HttpExchange ex, boolean chat) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            respond(ex, 405, error("use POST"));
            return;
        }
        JsonNode req;
        try {
            req = JSON.readTree(ex.getRequestBody());
        } catch (IOException e) {
            respond(ex, 400, error("request body is not JSON: " + e.getMessage()));
            return;
        }
        String prompt = chat ? chatPrompt(req.path("messages")) : req.path("prompt").asText(null);
        if (prompt == null) {
            respond(ex, 400, error(chat ? "'messages' is required" : "'prompt' is required (a string)"));
            return;
        }
        int maxTokens = req.path("max_tokens").asInt(16);
        if (maxTokens < 1) {
            respond(ex, 400, error("max_tokens must be at least 1, was " + maxTokens));
            return;
        }
        boolean ignoreEos = req.path("ignore_eos").asBoolean(false) || req.path("min_tokens").asInt(0) >= maxTokens;
        // with ignore_eos and no stop sequence llama.cpp samples exactly max_tokens; a stop sequence
        // can end it sooner, and then the count comes from the generated text
        boolean exactlyMax = ignoreEos && !req.hasNonNull("stop");
        boolean stream = req.path("stream").asBoolean(false);
        boolean includeUsage = req.path("stream_options").path("include_usage").asBoolean(false);
        InferenceParameters params = new InferenceParameters(prompt)
                .setNPredict(maxTokens)
                .setIgnoreEos(ignoreEos)
                .setTemperature((float) req.path("temperature").asDouble(0.0))
                .setCachePrompt(false);
        if (req.hasNonNull("seed")) {
            params.setSeed(req.get("seed").asInt());
        }
        sampling(req, params);
        int promptTokens = model.encode(prompt).length + bosTokens;
        String id = (chat ? "chatcmpl-" : "cmpl-") + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;

        if (!stream) {
            StringBuilder text = new StringBuilder();
            for (LlamaOutput out : model.generate(params)) {
                text.append(out.text);
            }
            int produced = exactlyMax ? maxTokens : model.encode(text.toString()).length;
            ObjectNode body = envelope(id, created, chat, false);
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            if (chat) {
                ObjectNode msg = choice.putObject("message");
                msg.put("role", "assistant");
                msg.put("content", text.toString());
            } else {
                choice.put("text", text.toString());
            }
            choice.put("finish_reason", produced >= maxTokens ? "length" : "stop");
            usage(body, promptTokens, produced);
            respond(ex, 200, body.toString());
            return;
        }

        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        LlamaIterator it = (LlamaIterator) model.generate(params).iterator();
        try (OutputStream os = ex.getResponseBody()) {
            try {
                streamTokens(os, it, id, created, chat, maxTokens, exactlyMax, includeUsage, promptTokens);
            } catch (RuntimeException e) {
                // llama.cpp rejected the task and says why: tell the client in the stream, as servers do
                it.cancel();
                event(os, error("engine error: " + e.getMessage()));
            }
        } catch (IOException e) {
            it.cancel(); // the client went away: free the slot
        }
    }

    private void streamTokens(OutputStream os, LlamaIterator it, String id, long created, boolean chat, int maxTokens,
                              boolean exactlyMax, boolean includeUsage, int promptTokens) throws IOException {
        StringBuilder generated = new StringBuilder();
        if (chat) {
            ObjectNode first = envelope(id, created, true, true);
            ObjectNode c = first.putArray("choices").addObject();
            c.put("index", 0);
            c.putObject("delta").put("role", "assistant");
            c.putNull("finish_reason");
            event(os, first.toString());
        }
        while (it.hasNext()) {
            LlamaOutput out = it.next();
            generated.append(out.text);
            if (out.text.isEmpty()) {
                continue;
            }
            ObjectNode chunk = envelope(id, created, chat, true);
            ObjectNode c = chunk.putArray("choices").addObject();
            c.put("index", 0);
            if (chat) {
                c.putObject("delta").put("content", out.text);
            } else {
                c.put("text", out.text);
            }
            c.putNull("finish_reason");
            event(os, chunk.toString());
        }
        int produced = exactlyMax ? maxTokens : model.encode(generated.toString()).length;
        ObjectNode last = envelope(id, created, chat, true);
        ObjectNode c = last.putArray("choices").addObject();
        c.put("index", 0);
        if (chat) {
            c.putObject("delta");
        } else {
            c.put("text", "");
        }
        c.put("finish_reason", produced >= maxTokens ? "length" : "stop");
        event(os, last.toString());
        if (includeUsage) {
            ObjectNode u = envelope(id, created, chat, true);
            u.putArray("choices");
            usage(u, promptTokens, produced);
            event(os, u.toString());
        }
        event(os, "[DONE]");
    }

    /** The OpenAI and llama.cpp sampling fields a benchmark may send ({@code @RequestFields}). */
    private static void sampling(JsonNode req, InferenceParameters params) {
        if (req.hasNonNull("top_p")) {
            params.setTopP((float) req.get("top_p").asDouble());
        }
        if (req.hasNonNull("top_k")) {
            params.setTopK(req.get("top_k").asInt());
        }
        if (req.hasNonNull("min_p")) {
            params.setMinP((float) req.get("min_p").asDouble());
        }
        JsonNode repeat = req.hasNonNull("repeat_penalty") ? req.get("repeat_penalty") : req.get("repetition_penalty");
        if (repeat != null && !repeat.isNull()) {
            params.setRepeatPenalty((float) repeat.asDouble());
        }
        if (req.hasNonNull("presence_penalty")) {
            params.setPresencePenalty((float) req.get("presence_penalty").asDouble());
        }
        if (req.hasNonNull("frequency_penalty")) {
            params.setFrequencyPenalty((float) req.get("frequency_penalty").asDouble());
        }
        JsonNode stop = req.get("stop");
        if (stop != null && stop.isTextual()) {
            params.setStopStrings(stop.asText());
        } else if (stop != null && stop.isArray() && !stop.isEmpty()) {
            String[] stops = new String[stop.size()];
            for (int i = 0; i < stops.length; i++) {
                stops[i] = stop.get(i).asText();
            }
            params.setStopStrings(stops);
        }
    }

    private static String chatPrompt(JsonNode messages) {
        if (!messages.isArray() || messages.isEmpty()) {
            return null;
        }
        // A plain, documented template: the synthetic models carry no chat template of their own.
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : messages) {
            sb.append(m.path("role").asText("user")).append(": ").append(m.path("content").asText("")).append('\n');
        }
        return sb.append("assistant:").toString();
    }

    private ObjectNode envelope(String id, long created, boolean chat, boolean chunk) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("object", chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        node.put("created", created);
        node.put("model", modelId);
        return node;
    }

    private static void usage(ObjectNode body, int prompt, int completion) {
        ObjectNode u = body.putObject("usage");
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
    }

    private static void event(OutputStream os, String data) throws IOException {
        os.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        os.flush();
    }

    private static String error(String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putObject("error");
        e.put("message", message);
        e.put("type", "invalid_request_error");
        return body.toString();
    }

    private static void respond(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
