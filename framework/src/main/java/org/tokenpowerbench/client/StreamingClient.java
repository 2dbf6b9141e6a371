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
 * Sends streamed completions to an OpenAI-compatible endpoint and records a
 * {@link RequestTimeline} for each. Thread-safe: one instance serves every worker of a wave.
 *
 * <p><b>How streams are read.</b> A plain {@code http://} server is read by {@link SocketReaders}:
 * a few selector threads, each request a {@link StreamExchange} over a non-blocking socket, so a
 * stream in flight costs a socket, not a thread ({@link #sendAsync}). {@code https://}, or every
 * server under {@code -Dtpb.client.transport=okhttp} ({@link Transport}), goes through OkHttp with
 * a thread blocked on each stream. Both record the same timelines and error classes.
 *
 * <p>Every request asks for {@code stream_options.include_usage} so that token counts come from
 * the server, and forces its output length with {@code max_tokens}, {@code min_tokens} and
 * {@code ignore_eos}; temperature 0 keeps runs comparable unless {@link RequestBodyFields} set
 * another, with whatever other sampling or engine-specific fields the benchmark gives.
 *
 * <p><b>A server that stops answering.</b> Every request in flight is watched by one thread
 * ({@link StreamLimits#stallTimeout()}): a request that receives no complete event for that long
 * (counted from its answer's headers, or from sending while they have not come) is cut and recorded
 * as {@value #STALLED}; bytes that never finish an event, a server trickling one byte just often
 * enough or only keep-alive comments, do not count as progress. A wave driver that decides its
 * server is gone cuts the rest with {@link #cutInFlight}. Both cost a stream nothing but a volatile
 * write per event: no per-socket read timeout (see the constructor for why).
 *
 * <p><b>What is recorded.</b> A {@code 200} that is not an event stream says so with its first
 * bytes ({@value #NOT_A_STREAM}); an error body is read only as far as it is quoted; every message
 * is stripped of the API key ({@link Redaction}) before it reaches the timeline.
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
    /** Each replica's URL for the API, parsed once; an entry is null when it does not parse (then each send fails as before). */
    private final HttpUrl[] urls;
    /** Which replica each request goes to. */
    private final ReplicaChoice replicas;
    private final ContentChunkObserver observer;
    private final RequestBodyFields fields;
    private final StreamLimits limits;
    private final Redaction redaction;
    /** Requests in flight, for the stall watch and {@link #cutInFlight}. */
    private final java.util.Set<InFlight> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Checks for stalled requests (when stall detection is on) and times out selector-read requests. */
    private final java.util.concurrent.ScheduledExecutorService stallWatch;
    /** How plain-http replicas are read. */
    private final Transport transport;
    /** Each replica's socket address when the selector reads it; null where OkHttp does (https, or OkHttp chosen). */
    private final java.net.InetSocketAddress[] addresses;
    /** The threads that read every selector stream; null when no replica is read so. */
    private final SocketReaders readers;
    /**
     * Threads that finish answers (a timeline may need a tokenizer's count, which may block) and
     * run what waits on them, and that carry OkHttp's blocking requests for {@link #sendAsync}.
     * Grows as needed: with the selector, a few threads; with OkHttp, one per request in flight.
     */
    private final java.util.concurrent.ExecutorService callers;

    /** The error class of a request that received no complete event for the stall timeout. */
    public static final String STALLED = "stalled";
    /** The error class of a {@code 200} whose body is not an event stream (an HTML page, say). */
    public static final String NOT_A_STREAM = "not-a-stream";
    /** The error class of a successful answer whose event stream was empty. */
    public static final String EMPTY_STREAM = "empty-stream";
    /** The error class of a request that could not open a socket: the process's open-file limit was reached. */
    public static final String OUT_OF_DESCRIPTORS = "out-of-descriptors";
    /** The most of an answer that is not a stream, or of an error body, kept to be quoted. */
    private static final int QUOTED_BYTES = 4096;

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
        this(endpoint, api, maxConcurrency, StreamLimits.of(requestTimeout), observer, fields);
    }

    /**
     * @param limits   the request and stall timeouts and the SSE line limit
     * @param observer told of every content chunk's arrival (a tool's raw stamps), or null
     * @param fields   extra fields for every request body ({@code @RequestFields})
     */
    public StreamingClient(Endpoint endpoint, Api api, int maxConcurrency, StreamLimits limits,
                           ContentChunkObserver observer, RequestBodyFields fields) {
        Duration requestTimeout = limits.requestTimeout();
        this.limits = limits;
        this.redaction = new Redaction(endpoint.apiKey());
        this.endpoint = endpoint;
        this.observer = observer;
        this.fields = fields == null ? RequestBodyFields.NONE : fields;
        this.api = api;
        this.urls = new HttpUrl[endpoint.replicas().size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = HttpUrl.parse(endpoint.replicas().get(i) + api.path());
        }
        this.replicas = new ReplicaChoice(endpoint.route(), urls.length, endpoint.unreachable());
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
        // one timer thread: the stall watch, and the request timeout of selector-read requests
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tpb-stall-watch");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true); // a request that ends drops its timeout at once: 10,000 streams leave no garbage
        this.stallWatch = timer;
        if (!limits.stallTimeout().isZero()) {
            // a stall is seen at most an eighth of the timeout late; at the default, every 15 s
            long period = Math.max(1_000_000L, limits.stallTimeout().toNanos() / 8);
            stallWatch.scheduleAtFixedRate(this::cutStalled, period, period, TimeUnit.NANOSECONDS);
        }
        this.transport = Transport.fromProperty();
        this.addresses = new java.net.InetSocketAddress[urls.length];
        boolean anySelector = false;
        for (int i = 0; i < urls.length; i++) {
            if (transport == Transport.SELECTOR && urls[i] != null && "http".equals(urls[i].scheme())) {
                java.net.InetSocketAddress a = new java.net.InetSocketAddress(urls[i].host(), urls[i].port());
                if (!a.isUnresolved()) { // a name that does not resolve goes through OkHttp, which says so per request
                    addresses[i] = a;
                    anySelector = true;
                }
            }
        }
        this.readers = anySelector ? new SocketReaders(SocketReaders.defaultThreads()) : null;
        java.util.concurrent.atomic.AtomicInteger callerNumber = new java.util.concurrent.atomic.AtomicInteger();
        this.callers = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "tpb-answer-" + callerNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * One request in flight: its call, when it last received a byte, and, once it is cut on
     * purpose, why (the error class and message it is recorded with).
     */
    private static final class InFlight {
        /** How to stop the request: cancels the OkHttp call, or asks the exchange's reader thread to cut it. */
        private final Runnable cancel;
        /** The base URL of the server (replica) it went to, for the messages. */
        final String base;
        volatile long lastProgressNanos = System.nanoTime();
        volatile String cutClass;
        volatile String cutMessage;

        InFlight(Runnable cancel, String base) {
            this.cancel = cancel;
            this.base = base;
        }

        /** Cuts the request unless another cut came first. */
        synchronized void cut(String errorClass, String message) {
            if (cutClass == null) {
                cutMessage = message;
                cutClass = errorClass;
                cancel.run();
            }
        }
    }

    /** The stall watch: cuts every request that has received nothing for the stall timeout. */
    private void cutStalled() {
        long now = System.nanoTime();
        long stall = limits.stallTimeout().toNanos();
        for (InFlight f : inFlight) {
            if (now - f.lastProgressNanos > stall) {
                f.cut(STALLED, "no event from " + f.base + " for " + seconds(limits.stallTimeout())
                        + ": the server stopped answering (a server that is silent longer on purpose, e.g. a long"
                        + " queue: raise -D" + StreamLimits.STALL + ")");
            }
        }
    }

    private static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        return (s == Math.rint(s) ? Long.toString((long) s) : Double.toString(s)) + " s";
    }

    /**
     * Cuts every request now in flight; each is recorded with {@code errorClass} and
     * {@code message}. For a wave driver that has decided the server is gone, or was interrupted.
     */
    public void cutInFlight(String errorClass, String message) {
        for (InFlight f : inFlight) {
            f.cut(errorClass, message);
        }
    }

    /**
     * When the request's bytes start to go out: the start of its headers on a connection that is
     * already open, so that a TCP (or TLS) connect is neither prefill nor TTFT. Until then, the
     * moment the call started. When OkHttp resends a request because a pooled connection turned
     * out to be dead before any answer came (some servers close kept-alive connections after a
     * stream), the last attempt's stamp counts: the lost attempt is queue time, not prefill; and the
     * attempts are counted, so that the run folder says how often it happened
     * ({@link RequestTimeline#retries()}).
     */
    private static final class SendStamp {
        final long callStart = System.nanoTime();
        volatile long nanos;
        /** Times the request's headers started out: once, plus once per retry. */
        volatile int attempts;

        int retries() {
            return Math.max(0, attempts - 1);
        }
    }

    private static final EventListener SEND_STAMPS = new EventListener() {
        @Override
        public void requestHeadersStart(Call call) {
            SendStamp stamp = call.request().tag(SendStamp.class);
            if (stamp != null) {
                stamp.nanos = System.nanoTime();
                stamp.attempts++; // only the calling thread sends a call's attempts, one after another
            }
        }
    };

    public Endpoint endpoint() {
        return endpoint;
    }

    /**
     * This client's own threads, for what runs after an answer (a wave driver's next request):
     * they grow as needed, so a continuation that blocks does not hold up the others.
     */
    public java.util.concurrent.Executor callbacks() {
        return callers;
    }

    /**
     * How long the selector's reads waited behind other ready sockets since the last call (ms;
     * see {@link SocketReaders#takeReadLag}), and a fresh count from now; empty when no stream is
     * read by the selector.
     */
    public org.tokenpowerbench.stats.LatencyHistogram takeReaderLag() {
        return readers == null ? new org.tokenpowerbench.stats.LatencyHistogram() : readers.takeReadLag();
    }

    /** How this client reads {@code http://} streams. */
    public Transport transport() {
        return transport;
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

    /** Requests answered (or failed) so far and their output tokens, counted as each send returns. */
    private final java.util.concurrent.atomic.AtomicLong answeredRequests = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong answeredOutputTokens = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Requests this client has finished since it opened, successful or not: a wave's live progress
     * reads it from another thread while the wave runs, without the drivers knowing of it.
     */
    public long answeredRequests() {
        return answeredRequests.get();
    }

    /** Output tokens of the requests counted by {@link #answeredRequests()}; unknown counts (-1) add nothing. */
    public long answeredOutputTokens() {
        return answeredOutputTokens.get();
    }

    /**
     * Sends one request and blocks until its stream ends or fails. Never throws for a server or
     * network fault: the timeline records it.
     *
     * @param queuedNanos when the request became due, for queue time
     */
    public RequestTimeline send(CompletionRequest request, int index, long queuedNanos) {
        int replica = replicas.pick();
        if (addresses[replica] != null) {
            return sendAsync(request, index, queuedNanos, replica).join();
        }
        RequestTimeline t = null;
        try {
            t = sendBlocking(request, index, queuedNanos, replica);
        } finally {
            t = answered(t, replica);
        }
        return t;
    }

    /**
     * Sends one request and returns at once; the future completes with its timeline when its
     * stream ends or fails, never exceptionally for a server or network fault. On a plain
     * {@code http://} server read by the selector (the default, {@link Transport}) no thread waits
     * for the answer; otherwise a thread of this client's blocks on it, as {@link #send} would.
     * What runs on completion runs on one of this client's threads: keep it short, or hand it on.
     *
     * @param queuedNanos when the request became due, for queue time
     */
    public java.util.concurrent.CompletableFuture<RequestTimeline> sendAsync(CompletionRequest request, int index,
                                                                             long queuedNanos) {
        return sendAsync(request, index, queuedNanos, replicas.pick());
    }

    private java.util.concurrent.CompletableFuture<RequestTimeline> sendAsync(CompletionRequest request, int index,
                                                                              long queuedNanos, int replica) {
        java.util.concurrent.CompletableFuture<RequestTimeline> raw;
        try {
            raw = addresses[replica] != null ? sendOnSelector(request, index, queuedNanos, replica)
                    : java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> sendBlocking(request, index, queuedNanos, replica), callers);
        } catch (RuntimeException e) {
            answered(null, replica);
            throw e;
        }
        return raw.handle((t, e) -> {
            RequestTimeline counted = answered(t, replica);
            if (e != null) {
                throw e instanceof java.util.concurrent.CompletionException c ? c
                        : new java.util.concurrent.CompletionException(e);
            }
            return counted;
        });
    }

    /**
     * The bookkeeping of a request that ended (t null when sending it failed with a bug): the
     * replica's in-flight count and refusals, the live counters, the replica on the timeline.
     */
    private RequestTimeline answered(RequestTimeline t, int replica) {
        boolean refused = t != null && "connect".equals(t.errorClass());
        if (replicas.done(replica, refused)) {
            System.err.println("tokenpowerbench: replica " + replica + " (" + endpoint.replicas().get(replica)
                    + ") refused " + ReplicaChoice.DOWN_AFTER + " connections in a row; no more requests go to it"
                    + " in this trial (its failed rows are kept)");
        }
        if (t == null) {
            return null;
        }
        answeredRequests.incrementAndGet();
        answeredOutputTokens.addAndGet(Math.max(0, t.outputTokens()));
        return endpoint.replicated() ? t.withReplica(replica) : t;
    }

    /** The HTTP/1.1 request the selector writes: what OkHttp would send for the same call. */
    private byte[] requestBytes(int replica, byte[] json) {
        HttpUrl url = urls[replica];
        StringBuilder head = new StringBuilder(256)
                .append("POST ").append(url.encodedPath());
        if (url.encodedQuery() != null) {
            head.append('?').append(url.encodedQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(url.host().contains(":") ? "[" + url.host() + "]" : url.host());
        if (url.port() != 80) {
            head.append(':').append(url.port());
        }
        head.append("\r\nAccept: text/event-stream\r\nContent-Type: application/json\r\nContent-Length: ")
                .append(json.length)
                .append("\r\nConnection: keep-alive\r\nUser-Agent: tokenpowerbench\r\n");
        if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) {
            head.append("Authorization: Bearer ").append(endpoint.apiKey()).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(h, h.length + json.length);
        System.arraycopy(json, 0, all, h.length, json.length);
        return all;
    }

    private java.util.concurrent.CompletableFuture<RequestTimeline> sendOnSelector(CompletionRequest request, int index,
                                                                                   long queuedNanos, int replica) {
        String base = endpoint.replicas().get(replica);
        byte[] json = body(request).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        SelectorCall call = new SelectorCall(request, index, queuedNanos, base, json.length);
        SocketReaders.Idle lease = readers.lease(addresses[replica]);
        SocketReaders.Reader reader = lease.reader();
        StreamExchange exchange = new StreamExchange(reader, lease.channel(), addresses[replica],
                requestBytes(replica, json), call);
        call.watched = new InFlight(() -> reader.execute(() -> exchange.cut(new java.io.IOException("cut"))), base);
        inFlight.add(call.watched);
        if (!limits.requestTimeout().isZero()) {
            call.timeout = stallWatch.schedule(() -> call.watched.cut("timeout", "no complete answer within the request"
                    + " timeout of " + seconds(limits.requestTimeout()) + " (-D" + StreamLimits.REQUEST_TIMEOUT + ")"),
                    limits.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
        reader.execute(exchange::start);
        return call.future;
    }

    /**
     * One selector-read request: what the OkHttp path keeps on its thread's stack, kept here
     * between reads, written only by the reader thread until the exchange ends.
     */
    private final class SelectorCall implements StreamExchange.Listener {
        final java.util.concurrent.CompletableFuture<RequestTimeline> future = new java.util.concurrent.CompletableFuture<>();
        final CompletionRequest request;
        final int index;
        final long queuedNanos;
        final String base;
        final int jsonLength;
        final StreamRecorder recorder;
        final SseParser parser;
        final SendStamp stamp = new SendStamp();
        InFlight watched;
        java.util.concurrent.ScheduledFuture<?> timeout;
        ResponseHead head;
        byte[] first;
        int firstLength;
        long received;

        SelectorCall(CompletionRequest request, int index, long queuedNanos, String base, int jsonLength) {
            this.request = request;
            this.index = index;
            this.queuedNanos = queuedNanos;
            this.base = base;
            this.jsonLength = jsonLength;
            this.recorder = new StreamRecorder(api, endpoint.tokenizer() != null, observer, request.promptIndex(), redaction);
            this.parser = new SseParser(recorder, limits.maxLineBytes());
        }

        @Override
        public void sending(long nanos, int attempt) {
            stamp.nanos = nanos;
            stamp.attempts = attempt;
        }

        @Override
        public void head(ResponseHead h, long nanos) {
            head = h;
            // the start of the body is kept only where it may be quoted: an error, or an answer that is not a stream
            quoting = !h.successful() || !h.header("content-type", "").startsWith("text/event-stream");
            watched.lastProgressNanos = nanos;
        }

        @Override
        public boolean body(byte[] buffer, int offset, int length, long nanos) {
            // a stream's start is kept too until its first event: an answer labelled a stream that holds none is quoted
            if ((quoting || parser.events() == 0) && firstLength < QUOTED_BYTES) {
                if (first == null) {
                    first = new byte[QUOTED_BYTES];
                }
                int k = Math.min(length, QUOTED_BYTES - firstLength);
                System.arraycopy(buffer, offset, first, firstLength, k);
                firstLength += k;
            }
            if (!head.successful()) {
                return firstLength < QUOTED_BYTES; // an error body: only as much as is quoted
            }
            received += length;
            long before = parser.events();
            parser.feed(buffer, offset, length, nanos);
            if (parser.events() != before) {
                watched.lastProgressNanos = nanos; // progress is a complete event, as on the OkHttp path
            }
            if (parser.overflow() != null) {
                recorder.fail(SseParser.LINE_TOO_LONG, parser.overflow() + " (from " + base + ")");
                return false;
            }
            return true;
        }

        @Override
        public void ended(java.io.IOException failure) {
            this.failure = failure;
            long ended = System.nanoTime();
            if (failure == null && head != null && head.successful() && parser.overflow() == null) {
                parser.finish(ended);
            }
            try {
                callers.execute(this::complete);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                complete(); // the client is closing: finish here, so that no caller waits for ever
            }
        }

        private void complete() {
            try {
                inFlight.remove(watched);
                if (timeout != null) {
                    timeout.cancel(false);
                }
                String text = first == null ? "" : new String(first, 0, firstLength, java.nio.charset.StandardCharsets.UTF_8);
                if (watched.cutClass != null) {
                    recorder.fail(watched.cutClass, watched.cutMessage);
                } else if (head != null && !head.successful()) {
                    httpError(recorder, head.code(), base, head.header("retry-after", null), text);
                } else if (failure != null) {
                    failed(failure, watched, recorder, base); // before any answer, or mid-stream
                } else if (parser.overflow() == null) {
                    endOfBody(recorder, head.code(), head.header("content-type", ""), head.header("content-encoding", ""),
                            text, received, parser.events(), base);
                }
                long sent = stamp.nanos != 0 ? stamp.nanos : stamp.callStart;
                future.complete(recorder.toTimeline(index, request.promptIndex(), queuedNanos, sent, System.nanoTime(),
                        request.maxTokens(), endpoint.tokenizer(), request.prompt(), jsonLength, received)
                        .withRetries(stamp.retries()));
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);
            }
        }

        /** How the exchange failed, or null; written by the reader thread before {@link #complete} is handed on. */
        java.io.IOException failure;
        /** Whether the body's start is kept to be quoted. */
        boolean quoting;
    }

    /** Records an answer whose status is not a success, quoting the start of its body. */
    private void httpError(StreamRecorder recorder, int code, String base, String retryAfter, String text) {
        // never retried behind the user's back: the server's answer is the measurement; its
        // Retry-After goes into the record, for whoever tunes the load
        recorder.fail("http-" + code, "HTTP " + code + " from " + base + api.path()
                + (retryAfter == null ? "" : " (Retry-After: " + redaction.abbreviate(retryAfter) + ")")
                + ": " + redaction.abbreviate(text));
    }

    /**
     * A successful answer's body has ended: unless the stream said it was done, says why not. A
     * stream that ended after some events was cut; one that held none was never a stream of ours
     * (empty, compressed though nobody asked, or a page labelled as a stream), and says which.
     */
    private void endOfBody(StreamRecorder recorder, int code, String type, String encoding, String start,
                           long received, long events, String base) {
        if (recorder.sawDone()) {
            return;
        }
        if (type.startsWith("application/json")) {
            recorder.fail("not-streamed", "the server answered with one JSON body instead of an event stream: "
                    + "it ignores stream=true, so no TTFT or ITL can be measured");
        } else if (!type.startsWith("text/event-stream")) {
            recorder.fail(NOT_A_STREAM, "HTTP " + code + " from " + base + api.path()
                    + " is not an event stream (Content-Type: "
                    + (type.isEmpty() ? "none" : redaction.abbreviate(type)) + ", " + received
                    + " bytes): is the URL the server's, and not a proxy's or a login page's? It begins: "
                    + redaction.abbreviate(start));
        } else if (events == 0 && received == 0) {
            recorder.fail(EMPTY_STREAM, "HTTP " + code + " from " + base + api.path() + " was an empty event stream"
                    + " (0 bytes): the server sent no event and no error; look at the server's log");
        } else if (events == 0 && !encoding.isEmpty() && !encoding.equalsIgnoreCase("identity")) {
            recorder.fail(NOT_A_STREAM, "HTTP " + code + " from " + base + api.path() + " came encoded (Content-Encoding: "
                    + redaction.abbreviate(encoding) + ", " + received + " bytes) though the request asked for no"
                    + " encoding: a proxy in front of the server compresses the stream; turn that off for this path");
        } else if (events == 0) {
            recorder.fail(NOT_A_STREAM, "HTTP " + code + " from " + base + api.path() + " is labelled an event stream but"
                    + " held no event in its " + received + " bytes: is the URL the server's, and not a proxy's or a"
                    + " login page's? It begins: " + redaction.abbreviate(start));
        } else {
            recorder.fail("truncated-stream", "the stream ended without 'data: [DONE]' (connection closed mid-stream?)");
        }
    }

    /** Records a request that failed with {@code e}: cut on purpose, timed out, out of descriptors, refused, or I/O. */
    private void failed(java.io.IOException e, InFlight watched, StreamRecorder recorder, String base) {
        if (watched.cutClass != null) {
            recorder.fail(watched.cutClass, watched.cutMessage); // cut on purpose: stalled, or the wave stopped
        } else if (e instanceof InterruptedIOException) {
            recorder.fail("timeout", "no complete answer within the request timeout of "
                    + seconds(limits.requestTimeout()) + " (-D" + StreamLimits.REQUEST_TIMEOUT + "): " + e.getMessage());
        } else if (String.valueOf(e.getMessage()).contains("Too many open files")) {
            // the check before the wave (DescriptorBudget) counted on a limit that something else used up
            recorder.fail(OUT_OF_DESCRIPTORS, "this process ran out of open files while streaming from "
                    + base + " (" + DescriptorBudget.ofThisProcess().open() + " open): raise 'ulimit -n'"
                    + " or lower the streams in flight: " + e.getMessage());
        } else if (e instanceof ConnectException) {
            recorder.fail("connect", "cannot connect to " + base + ": " + e.getMessage());
        } else {
            recorder.fail("io", "I/O error while streaming from " + base + ": " + e);
        }
    }

    private RequestTimeline sendBlocking(CompletionRequest request, int index, long queuedNanos, int replica) {
        String base = endpoint.replicas().get(replica);
        Request.Builder builder = new Request.Builder();
        if (urls[replica] != null) {
            builder.url(urls[replica]);
        } else {
            builder.url(base + api.path()); // throws the parse error, as it always did
        }
        byte[] json = body(request).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        builder
                .header("Accept", "text/event-stream")
                .post(RequestBody.create(json, JSON_TYPE));
        if (endpoint.apiKey() != null && !endpoint.apiKey().isEmpty()) {
            builder.header("Authorization", "Bearer " + endpoint.apiKey());
        }
        // the text is kept only when a tokenizer may have to count it (no usage from the server)
        StreamRecorder recorder = new StreamRecorder(api, endpoint.tokenizer() != null, observer, request.promptIndex(),
                redaction);
        SseParser parser = new SseParser(recorder, limits.maxLineBytes());
        SendStamp stamp = new SendStamp();
        builder.tag(SendStamp.class, stamp);
        long received = 0;
        Call call = http.newCall(builder.build());
        InFlight watched = new InFlight(call::cancel, base);
        inFlight.add(watched);
        try (Response response = call.execute()) {
            watched.lastProgressNanos = System.nanoTime();
            ResponseBody body = response.body();
            if (!response.isSuccessful()) {
                // only as much of the body as is quoted: an error body without end must not fill the heap
                String text = body == null ? "" : quoted(body.source());
                httpError(recorder, response.code(), base, response.header("Retry-After"), text);
            } else if (body != null) {
                byte[] buffer = new byte[8192];
                byte[] first = new byte[QUOTED_BYTES];
                int firstLength = 0;
                InputStream in = body.byteStream();
                int n;
                while ((n = in.read(buffer)) > 0) {
                    long now = System.nanoTime();
                    long before = parser.events();
                    if (firstLength < first.length) {
                        int k = Math.min(n, first.length - firstLength);
                        System.arraycopy(buffer, 0, first, firstLength, k);
                        firstLength += k;
                    }
                    received += n;
                    parser.feed(buffer, 0, n, now);
                    if (parser.events() != before) {
                        // progress is a complete event: bytes that never finish one (a server trickling a
                        // byte just often enough, or only keep-alive comments) do not keep a stream alive
                        watched.lastProgressNanos = now;
                    }
                    if (parser.overflow() != null) {
                        recorder.fail(SseParser.LINE_TOO_LONG, parser.overflow() + " (from " + base + ")");
                        break; // closing the response drops the connection with the rest of the line
                    }
                }
                parser.finish(System.nanoTime());
                if (parser.overflow() == null) {
                    endOfBody(recorder, response.code(), response.header("Content-Type", ""),
                            response.header("Content-Encoding", ""),
                            new String(first, 0, firstLength, java.nio.charset.StandardCharsets.UTF_8), received,
                            parser.events(), base);
                }
            }
        } catch (IOException e) {
            failed(e, watched, recorder, base);
        } finally {
            inFlight.remove(watched);
        }
        long done = System.nanoTime();
        long sent = stamp.nanos != 0 ? stamp.nanos : stamp.callStart;
        return recorder.toTimeline(index, request.promptIndex(), queuedNanos, sent, done, request.maxTokens(),
                endpoint.tokenizer(), request.prompt(), json.length, received).withRetries(stamp.retries());
    }

    /** The start of a body, at most {@link #QUOTED_BYTES}, as text; the rest is never read. */
    private static String quoted(okio.BufferedSource source) throws IOException {
        source.request(QUOTED_BYTES); // as much as there is, up to the limit
        long n = Math.min(QUOTED_BYTES, source.getBuffer().size());
        return source.getBuffer().readString(n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Picks the replica of each request by the endpoint's {@link Route} and counts what each has
     * in flight. Synchronized: a pick and its count are one step, so that two workers picking at
     * once do not both see the same replica idle. A wave takes a few thousand picks a second at
     * most; the lock costs nothing beside a request.
     */
    /** Whether a replica other than {@code replica} still takes requests (false for a single server). */
    public boolean replicaUpBesides(int replica) {
        return replicas.upBesides(replica);
    }

    private static final class ReplicaChoice {
        /**
         * Refused connections in a row after which a replica is taken out of the rotation. A
         * refused connect is a dead server, not a busy one; left in, it fails at once and so always
         * looks idle, and least-in-flight would send it nearly every request. What a balancer's
         * health check does, after a few failures rather than one, so that a blip is not an outage.
         */
        static final int DOWN_AFTER = 3;

        private final Route route;
        private final int[] inFlight;
        private final int[] refusedInARow;
        private final boolean[] down;
        private int turn;

        ReplicaChoice(Route route, int replicas, java.util.Set<Integer> unreachable) {
            this.route = route;
            this.inFlight = new int[replicas];
            this.refusedInARow = new int[replicas];
            this.down = new boolean[replicas];
            for (int i : unreachable) {
                down[i] = true;
            }
        }

        synchronized int pick() {
            int n = inFlight.length;
            int chosen = -1;
            for (int k = 0; k < n; k++) {
                int candidate = (turn + k) % n;
                if (down[candidate]) {
                    continue;
                }
                if (chosen < 0) {
                    chosen = candidate;
                    if (route != Route.LEAST_IN_FLIGHT) {
                        break;
                    }
                } else if (inFlight[candidate] < inFlight[chosen]) {
                    chosen = candidate;
                }
            }
            turn = (chosen + 1) % n; // the next in turn after the one chosen, among equals too
            inFlight[chosen]++;
            return chosen;
        }

        synchronized boolean upBesides(int replica) {
            for (int i = 0; i < down.length; i++) {
                if (i != replica && !down[i]) {
                    return true;
                }
            }
            return false;
        }

        /** True when this refusal took {@code replica} out of the rotation (never the last one up). */
        synchronized boolean done(int replica, boolean refused) {
            inFlight[replica]--;
            refusedInARow[replica] = refused ? refusedInARow[replica] + 1 : 0;
            if (!refused || down[replica] || refusedInARow[replica] < DOWN_AFTER || inFlight.length < 2) {
                return false;
            }
            int up = 0;
            for (boolean d : down) {
                up += d ? 0 : 1;
            }
            if (up < 2) {
                return false; // the last replica up stays: the wave's server-gone rule decides then
            }
            down[replica] = true;
            return true;
        }
    }

    @Override
    public void close() {
        stallWatch.shutdownNow();
        if (readers != null) {
            readers.close();
        }
        callers.shutdown();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
