package org.tokenpowerbench.client;

import java.nio.charset.StandardCharsets;
import org.tokenpowerbench.stats.LatencyHistogram;

/**
 * Turns the events of one streamed completion into a {@link RequestTimeline}.
 *
 * <p>A chunk counts as a token-carrying chunk only when it carries text: a role-only first delta,
 * an empty string and a usage-only final chunk ({@code choices: []}) do not. Reasoning content
 * ({@code reasoning_content} or {@code reasoning}) counts as generated text; the first answer
 * chunk is stamped separately. How many tokens were reasoning comes from
 * {@code usage.completion_tokens_details.reasoning_tokens} when the server gives it, else from the
 * chunks that carried reasoning and no answer: by each chunk's own cumulative count where every
 * chunk has one (continuous usage), else one token each where every content chunk carried one
 * token (as many content chunks as output tokens); otherwise the count is unknown, never guessed
 * ({@link TokenKinds}). llama-server's speculative counts ({@code timings.draft_n},
 * {@code draft_n_accepted}) are kept when they could be true (accepted at most proposed, neither
 * negative) and left out otherwise: they are not the request's token counts, so they fail nothing.
 *
 * <p>Memory does not grow with the tokens of a stream: chunk gaps go into a
 * {@link LatencyHistogram} as they arrive, and the generated text is kept only when a tokenizer
 * may have to count it (no {@code usage} from the server).
 *
 * <p><b>A server that lies.</b> The server's {@code usage} is believed first, so it is checked
 * before it is: a negative count, a completion count larger than the bytes the stream brought (a
 * token is at least one byte of text) or smaller than the chunks of text it brought (a chunk of
 * text carries at least one token), more than twice the {@code max_tokens} asked for, a prompt
 * count of zero for a prompt that has text or far beyond the bytes sent, or a cached count above
 * the prompt count fails the request with {@value #IMPLAUSIBLE_USAGE}. Such a request counts nothing; published rates and TPOTs never
 * rest on such a number, and no tokenizer quietly stands in for it.
 *
 * <p>Every failure message goes through the request's {@link Redaction}: the API key never
 * reaches the timeline.
 */
final class StreamRecorder implements SseParser.RawListener {

    private final Api api;
    private long firstContent = -1;
    private long firstAnswer = -1;
    private long lastContent = -1;
    private int contentChunks;
    private final LatencyHistogram chunkGaps = new LatencyHistogram();
    private final ChunkArrivals.Counter arrivals = new ChunkArrivals.Counter();
    /** ITL from each chunk's own token count, while every content chunk has one. */
    private final LatencyHistogram exactItl = new LatencyHistogram();
    private boolean exactCounts = true;
    private long lastCumulative;
    private final StringBuilder generated;
    private final ContentChunkObserver observer;
    private final int observedAs;
    private long promptTokens = ChunkJson.ABSENT;
    private long completionTokens = ChunkJson.ABSENT;
    private long cachedPromptTokens = ChunkJson.ABSENT;
    private long reasoningTokens = ChunkJson.ABSENT;
    private long draftTokens = ChunkJson.ABSENT;
    private long acceptedDraftTokens = ChunkJson.ABSENT;
    /** Content chunks with reasoning and no answer text. */
    private int reasoningChunks;
    /** Tokens of those chunks by their own cumulative counts (continuous usage), while every chunk has one. */
    private long reasoningByChunkCounts;
    /** Content chunks with both: they hold at least two tokens, so chunks no longer count reasoning tokens. */
    private int mixedChunks;
    private boolean done;
    private String error;
    private String errorClass;
    private final ChunkJson json;
    private final Redaction redaction;

    /** The error class of a request whose server reported token counts that cannot be true. */
    static final String IMPLAUSIBLE_USAGE = "implausible-usage";

    /**
     * Room above the bytes sent for a prompt's count: a chat template's special tokens and a
     * server's own system prompt are tokens that our request body does not carry.
     */
    static final long PROMPT_TOKENS_BEYOND_BYTES = 65_536;

    /** A recorder that keeps the generated text (tests read it) and tells no observer. */
    StreamRecorder(Api api) {
        this(api, true, null, 0);
    }

    StreamRecorder(Api api, boolean keepText, ContentChunkObserver observer, int observedAs) {
        this(api, keepText, observer, observedAs, Redaction.NONE);
    }

    /**
     * @param keepText   whether to keep the generated text, for a tokenizer to count when the
     *                   server sends no usage
     * @param observer   told of every content chunk's arrival, or null
     * @param observedAs the prompt index the observer hears
     * @param redaction  what is removed from every failure message (the API key)
     */
    StreamRecorder(Api api, boolean keepText, ContentChunkObserver observer, int observedAs, Redaction redaction) {
        this.api = api;
        this.generated = keepText ? new StringBuilder() : null;
        this.observer = observer;
        this.observedAs = observedAs;
        this.redaction = redaction;
        this.json = new ChunkJson(api, keepText, redaction);
    }

    /** The event's data as a String: the form tests and other callers hand over. */
    void onEvent(String data, long arrivalNanos) {
        if (error != null || done) {
            return;
        }
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        onEvent(bytes, 0, bytes.length, data, arrivalNanos);
    }

    @Override
    public void onEvent(byte[] data, int offset, int length, long arrivalNanos) {
        onEvent(data, offset, length, null, arrivalNanos);
    }

    /** Reads one event: {@code [DONE]}, or a chunk through {@link ChunkJson}. */
    private void onEvent(byte[] data, int offset, int length, String text, long arrivalNanos) {
        if (error != null || done) {
            return;
        }
        if (length == 6 && data[offset] == '[' && data[offset + 1] == 'D' && data[offset + 2] == 'O'
                && data[offset + 3] == 'N' && data[offset + 4] == 'E' && data[offset + 5] == ']') {
            done = true;
            json.release(); // nothing is read after [DONE]
            return;
        }
        ChunkJson.Chunk c = json.read(data, offset, length, text);
        if (c.failed()) {
            fail(c.errorClass(), c.error());
            return;
        }
        if (c.promptTokens() != ChunkJson.ABSENT) {
            promptTokens = c.promptTokens();
        }
        if (c.completionTokens() != ChunkJson.ABSENT) {
            completionTokens = c.completionTokens();
        }
        if (c.cachedPromptTokens() != ChunkJson.ABSENT) {
            cachedPromptTokens = c.cachedPromptTokens(); // a server's prefix cache served these: no prefill for them
        }
        if (c.reasoningTokens() != ChunkJson.ABSENT) {
            reasoningTokens = c.reasoningTokens();
        }
        if (c.draftTokens() != ChunkJson.ABSENT || c.acceptedDraftTokens() != ChunkJson.ABSENT) {
            draftTokens = c.draftTokens(); // the two belong together: a later timings object replaces both
            acceptedDraftTokens = c.acceptedDraftTokens();
        }
        if (c.hasReasoning() && !c.hasAnswer()) {
            reasoningChunks++;
            if (c.completionTokens() != ChunkJson.ABSENT && c.completionTokens() > lastCumulative) {
                reasoningByChunkCounts += c.completionTokens() - lastCumulative;
            }
        } else if (c.hasReasoning()) {
            mixedChunks++;
        }
        if (!c.hasAnswer() && !c.hasReasoning()) {
            return;
        }
        recordContent(c.hasAnswer(), arrivalNanos, c.completionTokens());
        if (generated != null && c.hasReasoning()) {
            generated.append(c.reasoning());
        }
        if (generated != null && c.hasAnswer()) {
            generated.append(c.answer());
        }
    }

    /**
     * Stamps a chunk that carries content.
     *
     * @param cumulative the generated tokens so far when the chunk carries its own usage
     *                   (continuous usage: vLLM's {@code continuous_usage_stats}), else
     *                   {@link ChunkJson#ABSENT}
     */
    private void recordContent(boolean hasAnswer, long arrivalNanos, long cumulative) {
        if (cumulative == ChunkJson.ABSENT || cumulative <= lastCumulative) {
            exactCounts = false; // a chunk without its own count, or a count that did not grow
        } else if (contentChunks == 0) {
            // tokens of the first chunk beyond the first one arrived with it: no time between them
            exactItl.record(0, cumulative - 1);
        } else {
            long tokens = cumulative - lastCumulative;
            exactItl.record(Math.max(0, arrivalNanos - lastContent) / 1e6 / tokens, tokens);
        }
        if (cumulative != ChunkJson.ABSENT) {
            lastCumulative = Math.max(lastCumulative, cumulative);
        }
        if (firstContent < 0) {
            firstContent = arrivalNanos;
        }
        if (hasAnswer && firstAnswer < 0) {
            firstAnswer = arrivalNanos;
        }
        if (contentChunks > 0) {
            chunkGaps.record(Math.max(0, arrivalNanos - lastContent) / 1e6);
        }
        lastContent = arrivalNanos;
        contentChunks++;
        arrivals.add(arrivalNanos);
        if (observer != null) {
            observer.onContentChunk(observedAs, arrivalNanos);
        }
    }

    /** Fails the request (the first failure stands); the message is redacted here, whatever made it. */
    void fail(String errorClass, String message) {
        if (error == null) {
            this.errorClass = errorClass;
            this.error = redaction.apply(message);
            json.release(); // nothing is read after an error
        }
    }

    /** The request's redaction, for messages built elsewhere from server text. */
    Redaction redaction() {
        return redaction;
    }

    boolean sawDone() {
        return done;
    }

    /** The generated text, or null when this recorder does not keep it. */
    String generatedText() {
        return generated == null ? null : generated.toString();
    }

    /** A timeline whose byte counts are not known: the usage is checked against {@code max_tokens} only. */
    RequestTimeline toTimeline(int index, int promptIndex, long queued, long sent, long doneNanos,
                               int requestedTokens, Tokenizer fallback, String prompt) {
        return toTimeline(index, promptIndex, queued, sent, doneNanos, requestedTokens, fallback, prompt, -1, -1);
    }

    /**
     * @param requestBytes  the request body's length in bytes, or -1 when not known
     * @param receivedBytes the response body's length in bytes as far as it was read, or -1 when not known
     */
    RequestTimeline toTimeline(int index, int promptIndex, long queued, long sent, long doneNanos,
                               int requestedTokens, Tokenizer fallback, String prompt,
                               long requestBytes, long receivedBytes) {
        json.release(); // the stream has ended, with or without [DONE]
        String lie = implausibleUsage(requestedTokens, requestBytes, receivedBytes, prompt);
        if (lie != null) { // a request that failed already keeps its first failure, and no count either
            fail(IMPLAUSIBLE_USAGE, "implausible usage from the server: " + lie
                    + "; the request is not counted: check the server (or a proxy in front of it)");
        }
        boolean believed = lie == null;
        int promptCount = believed && promptTokens != ChunkJson.ABSENT ? (int) promptTokens : -1;
        int output = believed && completionTokens != ChunkJson.ABSENT ? (int) completionTokens : -1;
        int cached = believed && cachedPromptTokens != ChunkJson.ABSENT ? (int) cachedPromptTokens : -1;
        TokenCountSource source = TokenCountSource.SERVER_USAGE;
        if (!believed) {
            source = TokenCountSource.NONE;
        } else if (output < 0) {
            if (fallback != null && generated != null && error == null) {
                output = fallback.encode(generated.toString()).length;
                promptCount = fallback.promptTokens(prompt);
                source = fallback.countSource();
            } else {
                source = TokenCountSource.NONE;
            }
        }
        return new RequestTimeline(index, promptIndex, queued, sent, firstContent, lastContent, doneNanos,
                promptCount, output, requestedTokens, source, contentChunks, interTokenLatencies(Math.max(0, output)),
                error, errorClass, firstAnswer, arrivals.done(), cached, 0, -1, kinds(believed, output));
    }

    /**
     * The kinds of the output tokens: reasoning from usage, else from the chunks where each carried
     * one token; speculative counts when they could be true.
     */
    private TokenKinds kinds(boolean believed, int output) {
        int reasoning;
        TokenCountSource reasoningSource;
        if (believed && reasoningTokens != ChunkJson.ABSENT) {
            reasoning = (int) reasoningTokens;
            reasoningSource = TokenCountSource.SERVER_USAGE;
        } else if (reasoningChunks == 0 && mixedChunks == 0) {
            reasoning = 0;
            reasoningSource = TokenCountSource.NONE;
        } else if (believed && mixedChunks == 0 && exactCounts && output == lastCumulative) {
            reasoning = (int) reasoningByChunkCounts; // every chunk said how many tokens it carried
            reasoningSource = TokenCountSource.STREAM_CHUNKS;
        } else if (believed && mixedChunks == 0 && output == contentChunks) {
            reasoning = reasoningChunks;
            reasoningSource = TokenCountSource.STREAM_CHUNKS;
        } else {
            reasoning = -1;
            reasoningSource = TokenCountSource.NONE;
        }
        boolean draftsBelievable = draftTokens != ChunkJson.ABSENT && acceptedDraftTokens != ChunkJson.ABSENT
                && draftTokens >= 0 && acceptedDraftTokens >= 0 && acceptedDraftTokens <= draftTokens
                && draftTokens <= Integer.MAX_VALUE;
        return new TokenKinds(reasoning, reasoningSource, draftsBelievable ? (int) draftTokens : -1,
                draftsBelievable ? (int) acceptedDraftTokens : -1);
    }

    /** What is wrong with the server's counts, or null when they could be true. */
    private String implausibleUsage(int requestedTokens, long requestBytes, long receivedBytes, String prompt) {
        if (promptTokens != ChunkJson.ABSENT && promptTokens < 0) {
            return "prompt_tokens=" + promptTokens + " is negative";
        }
        if (completionTokens != ChunkJson.ABSENT && completionTokens < 0) {
            return "completion_tokens=" + completionTokens + " is negative";
        }
        if (cachedPromptTokens != ChunkJson.ABSENT && cachedPromptTokens < 0) {
            return "cached_tokens=" + cachedPromptTokens + " is negative";
        }
        if (completionTokens != ChunkJson.ABSENT) {
            if (receivedBytes >= 0 && completionTokens > receivedBytes) {
                return "completion_tokens=" + completionTokens + " but the stream brought only " + receivedBytes
                        + " bytes (a token is at least one byte)";
            }
            if (requestedTokens > 0 && completionTokens > 2L * requestedTokens + 16) {
                return "completion_tokens=" + completionTokens + " for max_tokens=" + requestedTokens;
            }
            if (completionTokens < contentChunks) {
                return "completion_tokens=" + completionTokens + " but the stream brought " + contentChunks
                        + " chunks of text (each carries at least one token)";
            }
        }
        if (promptTokens == 0 && prompt != null && !prompt.isEmpty()) {
            return "prompt_tokens=0 for a prompt of " + prompt.length() + " characters (a prompt is at least one token)";
        }
        if (promptTokens != ChunkJson.ABSENT && requestBytes >= 0
                && promptTokens > requestBytes + PROMPT_TOKENS_BEYOND_BYTES) {
            return "prompt_tokens=" + promptTokens + " for a request of " + requestBytes + " bytes";
        }
        if (cachedPromptTokens != ChunkJson.ABSENT && promptTokens != ChunkJson.ABSENT
                && cachedPromptTokens > promptTokens) {
            return "cached_tokens=" + cachedPromptTokens + " exceeds prompt_tokens=" + promptTokens;
        }
        if (reasoningTokens != ChunkJson.ABSENT && reasoningTokens < 0) {
            return "reasoning_tokens=" + reasoningTokens + " is negative";
        }
        if (reasoningTokens != ChunkJson.ABSENT && completionTokens != ChunkJson.ABSENT
                && reasoningTokens > completionTokens) {
            return "reasoning_tokens=" + reasoningTokens + " exceeds completion_tokens=" + completionTokens;
        }
        for (long count : new long[] {promptTokens, completionTokens, cachedPromptTokens, reasoningTokens}) {
            if (count != ChunkJson.ABSENT && count > Integer.MAX_VALUE) {
                return "a count of " + count + " tokens, beyond any request";
            }
        }
        return null;
    }

    /** More tokens than this in one streamed chunk is not believed when ITL is divided. */
    static final int MAX_TOKENS_PER_CHUNK = 64;

    /**
     * Inter-token latencies: the gaps between content chunks, each divided evenly across the
     * tokens its chunk carries. With continuous usage every chunk says how many that is, and the
     * division is exact. Without per-chunk counts a chunk after the first carries
     * {@code (outputTokens - 1) / (chunks - 1)} tokens on average (fractional: the histogram takes
     * fractional weights); with one token per chunk, the common case, the gaps are the ITLs
     * exactly. The sum over all tokens is always the time from first to last content chunk.
     */
    private LatencyHistogram interTokenLatencies(int outputTokens) {
        if (exactCounts && contentChunks > 0 && outputTokens == lastCumulative) {
            // every chunk said how many tokens it carried (continuous usage): no averaging
            return exactItl;
        }
        if (contentChunks < 2) {
            return new LatencyHistogram();
        }
        int gaps = contentChunks - 1;
        long tokensAfterFirst = outputTokens > contentChunks ? outputTokens - 1L : gaps;
        // a usage count no chunk could carry (a buggy or hostile server: 2^31 tokens in 3 chunks)
        // is not believed beyond this many tokens per chunk
        tokensAfterFirst = Math.min(tokensAfterFirst, (long) gaps * MAX_TOKENS_PER_CHUNK);
        return chunkGaps.divided((double) tokensAfterFirst / gaps);
    }

    static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }
}
