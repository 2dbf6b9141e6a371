package org.tokenpowerbench.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Sends streamed completions to an OpenAI-compatible endpoint over OkHttp and records a
 * {@link RequestTimeline} for each. Thread-safe: one instance serves every worker of a wave.
 *
 * <p>Every request asks for {@code stream_options.include_usage} so that token counts come from
 * the server, and forces its output length with {@code max_tokens}, {@code min_tokens} and
 * {@code ignore_eos}; temperature 0 keeps runs comparable unless {@link RequestBodyFields} set
 * another, with whatever other sampling or engine-specific fields the benchmark gives.
 */
public final class StreamingClient implements AutoCloseable {

    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** This JVM's salts: unique across forks and runs by the random part, across requests by the count. */
    private static final String SALT_PREFIX = "tpb-" + java.util.UUID.randomUUID() + "-";
    private static final java.util.concurrent.atomic.AtomicLong SALTS = new java.util.concurrent.atomic.AtomicLong();

    private final Endpoint endpoint;
    private final Api api;
    private final OkHttpClient http;
    /** The route's URL, parsed once; null when it does not parse (then each send fails as before). */
    private final HttpUrl url;
    private final ContentChunkObserver observer;
    private final RequestBodyFields fields;

    public StreamingClient(Endpoint endpoint, Api api, int maxConcurrency, Duration requestTimeout) {
        this(endpoint, api, maxConcurrency, requestTimeout, null);
    }

    /** @param observer told of every content chunk's arrival (a tool's raw stamps), or null */
    public StreamingClient(Endpoint endpoint, Api api, int maxConcurrency, Duration requestTimeout,
                           ContentChunkObserver observer) {
        this(endpoint, api, maxConcurrency, requestTimeout, observer, RequestBodyFields.NONE);
    }

    /**
     * @param observer told of every content chunk's arrival (a tool's raw stamps), or null
     * @param fields   extra fields for every request body ({@code @RequestFields})
     */
    public StreamingClient(Endpoint endpoint, Api api, int maxConcurrency, Duration requestTimeout,
                           ContentChunkObserver observer, RequestBodyFields fields) {
        this.endpoint = endpoint;
        this.observer = observer;
        this.fields = fields == null ? RequestBodyFields.NONE : fields;
        this.api = api;
        this.url = HttpUrl.parse(endpoint.baseUrl() + api.path());
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(Math.max(64, maxConcurrency));
        dispatcher.setMaxRequestsPerHost(Math.max(64, maxConcurrency));
        this.http = new OkHttpClient.Builder()
                .protocols(List.of(Protocol.HTTP_1_1))
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(Math.max(5, maxConcurrency), 5, TimeUnit.MINUTES))
                .connectTimeout(Duration.ofSeconds(10))
                // The call timeout bounds the whole request, so it always fires before a read or write
                // timeout of the same length could: those add nothing but cost, as Okio keeps every
                // pending I/O timeout in one sorted linked list that each socket read enters and
                // leaves (a walk of the list, under a lock shared by all streams: slow at 1,000
                // streams), and a socket with a timeout polls before each blocking read.
                .readTimeout(Duration.ZERO)
                .writeTimeout(Duration.ZERO)
                .callTimeout(requestTimeout)
                .retryOnConnectionFailure(true) // only dead pooled connections; never an HTTP status
                .eventListener(SEND_STAMPS)
                .build();
    }

    /**
     * When the request's bytes start to go out: the start of its headers on a connection that is
     * already open, so that a TCP (or TLS) connect is neither prefill nor TTFT. Until then, the
     * moment the call started. When OkHttp resends a request because a pooled connection turned
     * out to be dead before any answer came (some servers close kept-alive connections after a
     * stream), the last attempt's stamp counts: the lost attempt is queue time, not prefill.
     */
    private static final class SendStamp {
        final long callStart = System.nanoTime();
        volatile long nanos;
    }

    private static final EventListener SEND_STAMPS = new EventListener() {
        @Override
        public void requestHeadersStart(Call call) {
            SendStamp stamp = call.request().tag(SendStamp.class);
            if (stamp != null) {
                stamp.nanos = System.nanoTime();
            }
        }
    };

    public Endpoint endpoint() {
        return endpoint;
    }

    /** The JSON body sent for {@code request}; public so that tests and dry runs can see it. */
    public String body(CompletionRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", endpoint.modelId());
        if (api == Api.CHAT && !request.messages().isEmpty()) {
            com.fasterxml.jackson.databind.node.ArrayNode messages = body.putArray("messages");
            for (ChatMessage m : request.messages()) {
                messages.addObject().put("role", m.role()).put("content", m.content());
            }
        } else if (api == Api.CHAT) {
            ObjectNode message = body.putArray("messages").addObject();
            message.put("role", "user");
            message.put("content", request.prompt());
        } else {
            body.put("prompt", request.prompt());
        }
        body.put("max_tokens", request.maxTokens());
        body.put("min_tokens", request.maxTokens());
        body.put("ignore_eos", true);
        // llama.cpp reuses a slot's KV cache for a repeated prompt; every wave repeats the prompt
        // set, so without this later waves would measure a prefill that never happens
        body.put("cache_prompt", false);
        body.put("temperature", 0.0);
        body.put("stream", true);
        ObjectNode streamOptions = body.putObject("stream_options").put("include_usage", true);
        if (endpoint.continuousUsage()) {
            streamOptions.put("continuous_usage_stats", true);
        }
        if (endpoint.freshPrefixCache()) {
            // a salt no other request has: vLLM's prefix cache serves none of this prompt from an
            // earlier wave, so every wave measures the prefill it claims to
            body.put("cache_salt", SALT_PREFIX + SALTS.incrementAndGet());
        }
        fields.mergeInto(body); // sampling and engine-specific fields; never the ones above that measure
        return body.toString();
    }

    /**
     * Sends one request and blocks until its stream ends or fails. Never throws for a server or
     * network fault: the timeline records it.
     *
     * @param queuedNanos when the request became due, for queue time
     */
    public RequestTimeline send(CompletionRequest request, int index, long queuedNanos) {
        Request.Builder builder = new Request.Builder();
        if (url != null) {
            builder.url(url);
        } else {
            builder.url(endpoint.baseUrl() + api.path()); // throws the parse error, as it always did
        }
        builder
                .header("Accept", "text/event-stream")
                .post(RequestBody.create(body(request), JSON_TYPE));
        if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) {
            builder.header("Authorization", "Bearer " + endpoint.apiKey());
        }
        // the text is kept only when a tokenizer may have to count it (no usage from the server)
        StreamRecorder recorder = new StreamRecorder(api, endpoint.tokenizer() != null, observer, request.promptIndex());
        SseParser parser = new SseParser(recorder);
        SendStamp stamp = new SendStamp();
        builder.tag(SendStamp.class, stamp);
        long done;
        try (Response response = http.newCall(builder.build()).execute()) {
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                String text = body == null ? "" : body.string();
                // never retried behind the user's back: the server's answer is the measurement; its
                // Retry-After goes into the record, for whoever tunes the load
                String retryAfter = response.header("Retry-After");
                recorder.fail("http-" + response.code(), "HTTP " + response.code() + " from "
                        + endpoint.baseUrl() + api.path()
                        + (retryAfter == null ? "" : " (Retry-After: " + StreamRecorder.abbreviate(retryAfter) + ")")
                        + ": " + StreamRecorder.abbreviate(text));
            } else if (body != null) {
                byte[] buffer = new byte[8192];
                InputStream in = body.byteStream();
                int n;
                while ((n = in.read(buffer)) > 0) {
                    parser.feed(buffer, 0, n, System.nanoTime());
                }
                parser.finish(System.nanoTime());
                if (!recorder.sawDone()) {
                    String type = response.header("Content-Type", "");
                    if (type.startsWith("application/json")) {
                        recorder.fail("not-streamed", "the server answered with one JSON body instead of an event stream: "
                                + "it ignores stream=true, so no TTFT or ITL can be measured");
                    } else {
                        recorder.fail("truncated-stream", "the stream ended without 'data: [DONE]' (connection closed mid-stream?)");
                    }
                }
            }
        } catch (InterruptedIOException e) {
            recorder.fail("timeout", "no complete answer within the request timeout: " + e.getMessage());
        } catch (ConnectException e) {
            recorder.fail("connect", "cannot connect to " + endpoint.baseUrl() + ": " + e.getMessage());
        } catch (IOException e) {
            recorder.fail("io", "I/O error while streaming from " + endpoint.baseUrl() + ": " + e);
        }
        done = System.nanoTime();
        long sent = stamp.nanos != 0 ? stamp.nanos : stamp.callStart;
        return recorder.toTimeline(index, request.promptIndex(), queuedNanos, sent, done, request.maxTokens(),
                endpoint.tokenizer(), request.prompt());
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
