package org.tokenpowerbench.client;

import org.tokenpowerbench.stats.LatencyHistogram;

/**
 * What happened to one request, on the client's monotonic clock ({@link System#nanoTime()}).
 *
 * <p>Definitions (they must not drift; see ARCHITECTURE.md):
 * <ul>
 *   <li>queue = sent − queued: time waiting for a client slot; never counted as prefill;</li>
 *   <li>TTFT = firstToken − sent; E2E = lastToken − sent;</li>
 *   <li>TPOT = (E2E − TTFT) / (outputTokens − 1), only when outputTokens &gt; 1;</li>
 *   <li>ITL = gaps between content chunks, each divided across the tokens its chunk carries.</li>
 * </ul>
 * A timestamp that never happened is {@code -1}; a request that was never sent (its wave stopped
 * first: {@link #notSent}) has {@code sentNanos == -1}.
 *
 * @param index            position of the request in its wave
 * @param promptIndex      which prompt of the prompt set was sent
 * @param queuedNanos      when the request became due (closed loop: when the wave started it)
 * @param sentNanos        when its bytes were handed to the connection
 * @param firstTokenNanos  arrival of the first chunk that carried content
 * @param lastTokenNanos   arrival of the last chunk that carried content
 * @param doneNanos        end of the stream (or of the failure)
 * @param promptTokens     prompt tokens, from {@code tokenSource}; -1 when unknown
 * @param outputTokens     generated tokens, from {@code tokenSource}; -1 when unknown
 * @param requestedOutputTokens what {@code max_tokens} asked for
 * @param tokenSource      where the counts come from
 * @param contentChunks    number of chunks that carried content
 * @param itl              inter-token latencies in milliseconds, one observation per token after the
 *                         first, summarised in a histogram whose size does not grow with the
 *                         tokens (read it; merge it with {@link LatencyHistogram#addAll}, never
 *                         change it)
 * @param error            null when the request succeeded, else a one-line description
 * @param errorClass       null when the request succeeded, else a short class such as {@code http-503}
 * @param firstAnswerNanos arrival of the first chunk with answer text (not reasoning); equals
 *                         {@code firstTokenNanos} for a model that does not stream reasoning
 * @param arrivals         content chunks per 100 ms step, for the wave's peak throughput
 * @param cachedPromptTokens prompt tokens the server's prefix cache served (its
 *                         {@code usage.prompt_tokens_details.cached_tokens}), so not prefilled; -1
 *                         when the server does not say
 * @param retries          times the client sent the request again because the connection it went
 *                         out on died before any answer (a pooled connection the server had closed
 *                         while advertising keep-alive); the last attempt is the one measured
 * @param replica          which replica of a deployment of several served it (an index into
 *                         {@link Endpoint#replicas()}); -1 for an engine of one server, and for a
 *                         request never sent
 * @param kinds            what kinds its output tokens were: reasoning, and speculative drafts
 *                         proposed and accepted, where the stream says ({@link TokenKinds#PLAIN}
 *                         when it says nothing of them, {@link TokenKinds#UNKNOWN} when never sent)
 */
public record RequestTimeline(
        int index,
        int promptIndex,
        long queuedNanos,
        long sentNanos,
        long firstTokenNanos,
        long lastTokenNanos,
        long doneNanos,
        int promptTokens,
        int outputTokens,
        int requestedOutputTokens,
        TokenCountSource tokenSource,
        int contentChunks,
        LatencyHistogram itl,
        String error,
        String errorClass,
        long firstAnswerNanos,
        ChunkArrivals arrivals,
        int cachedPromptTokens,
        int retries,
        int replica,
        TokenKinds kinds) {

    public RequestTimeline {
        arrivals = arrivals == null ? ChunkArrivals.NONE : arrivals;
        kinds = kinds == null ? TokenKinds.PLAIN : kinds;
        if (retries < 0) {
            throw new IllegalArgumentException("a request cannot be retried " + retries + " times");
        }
        if (replica < -1) {
            throw new IllegalArgumentException("replica " + replica);
        }
    }

    /** A timeline whose stream said nothing of its tokens' kinds (no reasoning, no speculative counts). */
    public RequestTimeline(int index, int promptIndex, long queuedNanos, long sentNanos, long firstTokenNanos,
                           long lastTokenNanos, long doneNanos, int promptTokens, int outputTokens,
                           int requestedOutputTokens, TokenCountSource tokenSource, int contentChunks,
                           LatencyHistogram itl, String error, String errorClass, long firstAnswerNanos,
                           ChunkArrivals arrivals, int cachedPromptTokens, int retries, int replica) {
        this(index, promptIndex, queuedNanos, sentNanos, firstTokenNanos, lastTokenNanos, doneNanos, promptTokens,
                outputTokens, requestedOutputTokens, tokenSource, contentChunks, itl, error, errorClass,
                firstAnswerNanos, arrivals, cachedPromptTokens, retries, replica, TokenKinds.PLAIN);
    }

    /** A timeline of an engine of one server. */
    public RequestTimeline(int index, int promptIndex, long queuedNanos, long sentNanos, long firstTokenNanos,
                           long lastTokenNanos, long doneNanos, int promptTokens, int outputTokens,
                           int requestedOutputTokens, TokenCountSource tokenSource, int contentChunks,
                           LatencyHistogram itl, String error, String errorClass, long firstAnswerNanos,
                           ChunkArrivals arrivals, int cachedPromptTokens, int retries) {
        this(index, promptIndex, queuedNanos, sentNanos, firstTokenNanos, lastTokenNanos, doneNanos, promptTokens,
                outputTokens, requestedOutputTokens, tokenSource, contentChunks, itl, error, errorClass,
                firstAnswerNanos, arrivals, cachedPromptTokens, retries, -1);
    }

    /** This timeline, served by replica {@code replica} of the deployment. */
    public RequestTimeline withReplica(int replica) {
        return replica == this.replica ? this : new RequestTimeline(index, promptIndex, queuedNanos, sentNanos,
                firstTokenNanos, lastTokenNanos, doneNanos, promptTokens, outputTokens, requestedOutputTokens, tokenSource,
                contentChunks, itl, error, errorClass, firstAnswerNanos, arrivals, cachedPromptTokens, retries, replica,
                kinds);
    }

    /** This timeline, with its output tokens' kinds. */
    public RequestTimeline withKinds(TokenKinds kinds) {
        return new RequestTimeline(index, promptIndex, queuedNanos, sentNanos, firstTokenNanos, lastTokenNanos,
                doneNanos, promptTokens, outputTokens, requestedOutputTokens, tokenSource, contentChunks, itl, error,
                errorClass, firstAnswerNanos, arrivals, cachedPromptTokens, retries, replica, kinds);
    }

    /** A timeline sent once (no retry). */
    public RequestTimeline(int index, int promptIndex, long queuedNanos, long sentNanos, long firstTokenNanos,
                           long lastTokenNanos, long doneNanos, int promptTokens, int outputTokens,
                           int requestedOutputTokens, TokenCountSource tokenSource, int contentChunks,
                           LatencyHistogram itl, String error, String errorClass, long firstAnswerNanos,
                           ChunkArrivals arrivals, int cachedPromptTokens) {
        this(index, promptIndex, queuedNanos, sentNanos, firstTokenNanos, lastTokenNanos, doneNanos, promptTokens,
                outputTokens, requestedOutputTokens, tokenSource, contentChunks, itl, error, errorClass,
                firstAnswerNanos, arrivals, cachedPromptTokens, 0);
    }

    /** This timeline, sent {@code retries} times more than once. */
    public RequestTimeline withRetries(int retries) {
        return retries == this.retries ? this : new RequestTimeline(index, promptIndex, queuedNanos, sentNanos,
                firstTokenNanos, lastTokenNanos, doneNanos, promptTokens, outputTokens, requestedOutputTokens, tokenSource,
                contentChunks, itl, error, errorClass, firstAnswerNanos, arrivals, cachedPromptTokens, retries, replica,
                kinds);
    }

    /** A timeline without per-step chunk counts (no peak throughput from it). */
    public RequestTimeline(int index, int promptIndex, long queuedNanos, long sentNanos, long firstTokenNanos,
                           long lastTokenNanos, long doneNanos, int promptTokens, int outputTokens,
                           int requestedOutputTokens, TokenCountSource tokenSource, int contentChunks,
                           LatencyHistogram itl, String error, String errorClass, long firstAnswerNanos) {
        this(index, promptIndex, queuedNanos, sentNanos, firstTokenNanos, lastTokenNanos, doneNanos, promptTokens,
                outputTokens, requestedOutputTokens, tokenSource, contentChunks, itl, error, errorClass,
                firstAnswerNanos, ChunkArrivals.NONE, -1);
    }

    /** A timeline whose server did not say how many prompt tokens its cache served. */
    public RequestTimeline(int index, int promptIndex, long queuedNanos, long sentNanos, long firstTokenNanos,
                           long lastTokenNanos, long doneNanos, int promptTokens, int outputTokens,
                           int requestedOutputTokens, TokenCountSource tokenSource, int contentChunks,
                           LatencyHistogram itl, String error, String errorClass, long firstAnswerNanos,
                           ChunkArrivals arrivals) {
        this(index, promptIndex, queuedNanos, sentNanos, firstTokenNanos, lastTokenNanos, doneNanos, promptTokens,
                outputTokens, requestedOutputTokens, tokenSource, contentChunks, itl, error, errorClass,
                firstAnswerNanos, arrivals, -1);
    }

    /** A timeline whose first token is also its first answer token (no reasoning stream). */
    public RequestTimeline(int index, int promptIndex, long queuedNanos, long sentNanos, long firstTokenNanos,
                           long lastTokenNanos, long doneNanos, int promptTokens, int outputTokens,
                           int requestedOutputTokens, TokenCountSource tokenSource, int contentChunks,
                           LatencyHistogram itl, String error, String errorClass) {
        this(index, promptIndex, queuedNanos, sentNanos, firstTokenNanos, lastTokenNanos, doneNanos, promptTokens,
                outputTokens, requestedOutputTokens, tokenSource, contentChunks, itl, error, errorClass,
                firstTokenNanos);
    }

    /**
     * A request its wave gave up before sending (the server was gone, or the iteration was
     * interrupted): recorded so that every request of a wave has its row.
     *
     * @param atNanos when it was given up
     */
    public static RequestTimeline notSent(int index, int promptIndex, long queuedNanos, long atNanos,
                                          int requestedOutputTokens, String errorClass, String error) {
        return new RequestTimeline(index, promptIndex, queuedNanos, -1, -1, -1, atNanos, -1, -1, requestedOutputTokens,
                TokenCountSource.NONE, 0, new LatencyHistogram(), error, errorClass, -1, ChunkArrivals.NONE, -1, 0, -1,
                TokenKinds.UNKNOWN);
    }

    public boolean succeeded() {
        return error == null;
    }

    /** Whether the request's bytes went out at all. */
    public boolean wasSent() {
        return sentNanos >= 0;
    }

    public boolean hasFirstToken() {
        return firstTokenNanos >= 0;
    }

    /** NaN for a request that was never sent: it did not wait for a slot, it was given up. */
    public double queueMillis() {
        return wasSent() ? (sentNanos - queuedNanos) / 1e6 : Double.NaN;
    }

    public double ttftMillis() {
        return hasFirstToken() ? (firstTokenNanos - sentNanos) / 1e6 : Double.NaN;
    }

    /** Time to the first answer token: differs from TTFT when a model streams reasoning first. */
    public double ttfatMillis() {
        return firstAnswerNanos >= 0 ? (firstAnswerNanos - sentNanos) / 1e6 : Double.NaN;
    }

    public double e2eMillis() {
        return hasFirstToken() ? (lastTokenNanos - sentNanos) / 1e6 : Double.NaN;
    }

    /** NaN unless the request produced more than one token. */
    public double tpotMillis() {
        if (!hasFirstToken() || outputTokens <= 1) {
            return Double.NaN;
        }
        return (lastTokenNanos - firstTokenNanos) / 1e6 / (outputTokens - 1);
    }
}
