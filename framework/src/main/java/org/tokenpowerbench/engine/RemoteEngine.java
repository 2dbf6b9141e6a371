package org.tokenpowerbench.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.client.Redaction;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.client.Tokenizer;

/**
 * A server someone else started: vLLM, SGLang, TGI, llama.cpp's {@code llama-server}, Ollama, ...
 * Checked once at trial start ({@code GET /v1/models}), so that an unreachable URL or a model the
 * server does not serve is one clear line before any measurement.
 *
 * <p>Token counts come from the server's {@code usage} whenever it sends one. For a server that
 * does not, and for exact prompt lengths, the tokenizer is, in this order: the Hugging Face
 * {@code tokenizer.json} the engine value names ({@code http://host:8000;tokenizer=/path}, see
 * {@link RemoteEngineValue}); else the server's {@code POST /tokenize} where it has one (vLLM
 * and llama.cpp's server do); else none, and the results say so. The tokenizer's description
 * (in the engine's line and the results' {@code promptTokenization}) says which one counted.
 */
final class RemoteEngine implements RunningEngine {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private final Endpoint endpoint;
    private final String description;
    private final HuggingFaceTokenizerFile tokenizerFile;

    private RemoteEngine(Endpoint endpoint, String description, HuggingFaceTokenizerFile tokenizerFile) {
        this.endpoint = endpoint;
        this.description = description;
        this.tokenizerFile = tokenizerFile;
    }

    /**
     * Before any fork: the server must answer {@code GET /v1/models} with success, so that a
     * wrong URL or a server that is not OpenAI-compatible (404), or one that is failing (5xx),
     * stops the run with one line before the first trial. 401 and 403 pass: the host has no key
     * yet ({@link EngineRequest#beforeFork}), and the trial asks again with it. A tokenizer file
     * the value names must load.
     */
    static void checkReachable(String value) {
        RemoteEngineValue parsed = RemoteEngineValue.parse(value);
        List<String> dead = new ArrayList<>();
        EngineException first = null;
        for (String replica : parsed.replicas()) { // every replica of a deployment, each by its own URL
            try {
                checkAnswers(base(replica));
            } catch (Unreachable e) {
                dead.add(base(replica));
                first = first == null ? e : first;
            }
        }
        if (dead.size() == parsed.replicas().size()) {
            throw first;
        }
        if (!dead.isEmpty()) {
            System.err.println("tokenpowerbench: " + dead.size() + " of " + parsed.replicas().size() + " replicas do not"
                    + " answer now (" + String.join(", ", dead) + "); each trial checks again and runs on the replicas"
                    + " that answer then");
        }
        if (parsed.tokenizer() != null) {
            HuggingFaceTokenizerFile.load(parsed.tokenizer()).close();
        }
    }

    private static void checkAnswers(String base) {
        OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
        int code;
        try (Response r = http.newCall(new Request.Builder().url(base + "/v1/models").build()).execute()) {
            code = r.code();
        } catch (IOException | IllegalArgumentException e) {
            throw new Unreachable("cannot reach engine " + base + " (" + e.getMessage()
                    + "): start the server, or fix the URL with -p engine=http://host:port");
        }
        if (code != 401 && code != 403 && (code < 200 || code >= 300)) {
            throw new EngineException("engine " + base + " answered GET /v1/models with HTTP " + code
                    + (code >= 500 ? ": the server is failing; look at its log, or wait until it has loaded the model"
                            : ": is it an OpenAI-compatible server at that base URL? Fix -p engine=http://host:port"));
        }
    }

    private static String base(String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return base.endsWith("/v1") ? base.substring(0, base.length() - 3) : base;
    }

    /**
     * Opens the server, or every replica of a deployment: each must serve the model, so that a
     * replica that does not is one line at trial start rather than a share of failed rows. The
     * tokenizer is the first replica's: the replicas serve one model.
     */
    static RemoteEngine connect(String value, String model, String apiKey) {
        RemoteEngineValue parsed = RemoteEngineValue.parse(value);
        OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
        List<String> bases = new ArrayList<>();
        java.util.Set<Integer> unreachable = new java.util.TreeSet<>();
        Unreachable first = null;
        for (String replica : parsed.replicas()) {
            bases.add(base(replica));
            try {
                checkServes(http, bases.get(bases.size() - 1), model, apiKey);
            } catch (Unreachable e) {
                // a deployment runs on the replicas that answer; a single server that does not is the error
                unreachable.add(bases.size() - 1);
                first = first == null ? e : first;
            }
        }
        if (unreachable.size() == bases.size()) {
            throw first;
        }
        String base = bases.get(0);
        String live = bases.get(java.util.stream.IntStream.range(0, bases.size()).filter(i -> !unreachable.contains(i))
                .findFirst().orElseThrow());
        if (!unreachable.isEmpty()) {
            List<String> named = new ArrayList<>();
            unreachable.forEach(i -> named.add("replica " + i + " " + bases.get(i)));
            System.err.println("tokenpowerbench: " + String.join(", ", named) + " did not answer when the trial opened;"
                    + " the trial runs on the other " + (bases.size() - unreachable.size()) + " and no request goes to it"
                    + " (its figures are absent from this trial's results)");
        }
        HuggingFaceTokenizerFile file = parsed.tokenizer() == null ? null : HuggingFaceTokenizerFile.load(parsed.tokenizer());
        Tokenizer tokenizer = file != null ? file : RemoteTokenizer.probe(http, live, model, apiKey);
        Endpoint endpoint = new Endpoint(base, model, apiKey, tokenizer, parsed.continuousUsage(),
                parsed.freshPrefixCache(), bases, parsed.route(), unreachable);
        String description = (endpoint.replicated() ? "remote deployment of " + bases.size() + " replicas "
                + String.join(" | ", bases) + " (route " + parsed.route().label() + ") serving " : "remote server " + base
                + " serving ") + model
                + (tokenizer == null ? " (no /tokenize endpoint and no tokenizer.json: prompt lengths are not controlled)"
                        : "; tokenizer without usage: " + tokenizer.description());
        return new RemoteEngine(endpoint, description, file);
    }

    /** That the server at {@code base} answers {@code GET /v1/models} and lists {@code model} (or lists none). */
    private static void checkServes(OkHttpClient http, String base, String model, String apiKey) {
        List<String> served = new ArrayList<>();
        Request.Builder models = new Request.Builder().url(base + "/v1/models");
        if (apiKey != null) {
            models.header("Authorization", "Bearer " + apiKey);
        }
        try (Response r = http.newCall(models.build()).execute()) {
            if (r.code() == 401 || r.code() == 403) {
                throw new EngineException("engine " + base + " refused the request (HTTP " + r.code() + "): "
                        + (apiKey == null ? "set the API key in the environment variable named by @Engine(apiKeyEnv=...)"
                                + " or by -p 'engine=" + base + ";apiKeyEnv=NAME'"
                                : "it was sent the key from the environment variable named by apiKeyEnv and refused it;"
                                + " check that variable's value, and that the key may read this server's models"));
            }
            if (!r.isSuccessful()) {
                throw new EngineException("engine " + base + " answered GET /v1/models with HTTP " + r.code()
                        + ": is it an OpenAI-compatible server? Check -p engine=...");
            }
            JsonNode data = JSON.readTree(modelList(r, base)).path("data");
            for (JsonNode m : data) {
                served.add(m.path("id").asText());
            }
        } catch (IOException e) {
            throw new Unreachable("cannot reach engine " + base + " (" + e.getMessage()
                    + "): start the server, or fix the URL with -p engine=http://host:port");
        }
        if (!served.isEmpty() && !served.contains(model)) {
            // the list is the server's text: one that echoes the request's header there must not print the key
            throw new EngineException(new Redaction(apiKey).apply("engine " + base + " does not serve model '" + model
                    + "'; it serves " + served + ": use one of those with -p model=..."));
        }
    }

    /**
     * The most of a {@code GET /v1/models} answer read: a list of even thousands of models is a
     * few hundred KiB, and a server (or a proxy in front of it) that sends without end must not
     * fill the fork's heap before the first wave.
     */
    static final long MAX_MODEL_LIST_BYTES = 8L << 20;

    /** The model list's text, read only up to {@link #MAX_MODEL_LIST_BYTES}. */
    private static String modelList(Response r, String base) throws IOException {
        okio.BufferedSource source = r.body().source();
        if (source.request(MAX_MODEL_LIST_BYTES + 1)) {
            throw new EngineException("engine " + base + " answered GET /v1/models with more than "
                    + (MAX_MODEL_LIST_BYTES >> 20) + " MiB (a list of models is a few KiB): is -p engine=" + base
                    + " an OpenAI-compatible server, and not a file server or a proxy's page?");
        }
        return source.getBuffer().readUtf8();
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public String description() {
        return description;
    }

    /**
     * Every engine we know serves {@code /metrics} (llama-server with {@code --metrics}); one that
     * does not answers 404. None for a deployment of several replicas: the scraper reads one
     * server, and one replica's token counts set against the whole wave's would read as a
     * mismatch that is not there.
     */
    @Override
    public String metricsPath() {
        return endpoint.replicated() ? null : "/metrics";
    }

    @Override
    public void close() {
        // Someone else's server: nothing of ours to stop but the tokenizer we loaded.
        if (tokenizerFile != null) {
            tokenizerFile.close();
        }
    }

    /** A server that does not answer at all: for a deployment, one replica down rather than the run's end. */
    static final class Unreachable extends EngineException {
        Unreachable(String message) {
            super(message);
        }
    }

    /** The server's own tokenizer through {@code POST /tokenize}. */
    static final class RemoteTokenizer implements Tokenizer {
        private final OkHttpClient http;
        private final String base;
        private final String model;
        private final String apiKey;
        private final int special;

        private RemoteTokenizer(OkHttpClient http, String base, String model, String apiKey, int special) {
            this.http = http;
            this.base = base;
            this.model = model;
            this.apiKey = apiKey;
            this.special = special;
        }

        /** Null when the server has no usable tokenize endpoint. */
        static Tokenizer probe(OkHttpClient http, String base, String model, String apiKey) {
            try {
                RemoteTokenizer plain = new RemoteTokenizer(http, base, model, apiKey, 0);
                int without = plain.call("hello world", false).length;
                int with = plain.call("hello world", true).length;
                return new RemoteTokenizer(http, base, model, apiKey, Math.max(0, with - without));
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }

        @Override
        public int[] encode(String text) {
            try {
                return call(text, false);
            } catch (IOException e) {
                throw new EngineException("tokenize failed at " + base + "/tokenize: "
                        + new Redaction(apiKey).apply(e.getMessage()));
            }
        }

        private int[] call(String text, boolean addSpecial) throws IOException {
            ObjectNode body = JSON.createObjectNode();
            body.put("model", model);
            body.put("prompt", text);          // vLLM
            body.put("content", text);         // llama.cpp server
            body.put("add_special_tokens", addSpecial);
            body.put("add_special", addSpecial);
            Request.Builder req = new Request.Builder().url(base + "/tokenize")
                    .post(RequestBody.create(body.toString(), JSON_TYPE));
            if (apiKey != null) {
                req.header("Authorization", "Bearer " + apiKey);
            }
            try (Response r = http.newCall(req.build()).execute()) {
                if (!r.isSuccessful()) {
                    throw new IOException("HTTP " + r.code());
                }
                JsonNode tokens = JSON.readTree(r.body().string()).path("tokens");
                if (!tokens.isArray()) {
                    throw new IOException("no 'tokens' array in the answer");
                }
                int[] ids = new int[tokens.size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = tokens.get(i).isInt() ? tokens.get(i).asInt() : tokens.get(i).path("id").asInt();
                }
                return ids;
            }
        }

        @Override
        public int specialTokensAdded() {
            return special;
        }

        @Override
        public TokenCountSource countSource() {
            return TokenCountSource.SERVER_TOKENIZE;
        }

        @Override
        public String description() {
            return "server /tokenize at " + base + "/tokenize";
        }
    }
}
