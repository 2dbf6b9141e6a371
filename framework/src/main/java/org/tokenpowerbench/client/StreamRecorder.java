package org.tokenpowerbench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.tokenpowerbench.stats.LatencyHistogram;

/**
 * Turns the events of one streamed completion into a {@link RequestTimeline}.
 *
 * <p>A chunk counts as a token-carrying chunk only when it carries text: a role-only first delta,
 * an empty string and a usage-only final chunk ({@code choices: []}) do not. Reasoning content
 * ({@code reasoning_content} or {@code reasoning}) counts as generated text; the first answer
 * chunk is stamped separately.
 *
 * <p>Memory does not grow with the tokens of a stream: chunk gaps go into a
 * {@link LatencyHistogram} as they arrive, and the generated text is kept only when a tokenizer
 * may have to count it (no {@code usage} from the server).
 */
final class StreamRecorder implements SseParser.RawListener {

    private static final ObjectMapper JSON = new ObjectMapper();

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
    private int lastCumulative;
    private final StringBuilder generated;
    private final ContentChunkObserver observer;
    private final int observedAs;
    private int promptTokens = -1;
    private int completionTokens = -1;
    private int cachedPromptTokens = -1;
    private boolean done;
    private String error;
    private String errorClass;
    private final ChunkReader reader;
    private final ChunkJson json;

    /** A recorder that keeps the generated text (tests read it) and tells no observer. */
    StreamRecorder(Api api) {
        this(api, true, null, 0);
    }

    /**
     * @param keepText   whether to keep the generated text, for a tokenizer to count when the
     *                   server sends no usage
     * @param observer   told of every content chunk's arrival, or null
     * @param observedAs the prompt index the observer hears
     */
    StreamRecorder(Api api, boolean keepText, ContentChunkObserver observer, int observedAs) {
        this.api = api;
        this.generated = keepText ? new StringBuilder() : null;
        this.observer = observer;
        this.observedAs = observedAs;
        // measuring only (docs/client-performance.md): the hand-written reader against Jackson's streaming parser
        boolean hand = "hand".equals(System.getProperty("tpb.chunk-reader"));
        this.reader = hand ? new ChunkReader() : null;
        this.json = hand ? null : new ChunkJson(api, keepText);
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

    /**
     * Reads one event: the common chunk shapes with {@link ChunkReader} straight from the bytes,
     * anything it does not vouch for (an error object, an odd type, a syntax error, a duplicate
     * key) with Jackson's tree model, which then decides exactly as it always has.
     */
    private void onEvent(byte[] data, int offset, int length, String text, long arrivalNanos) {
        if (error != null || done) {
            return;
        }
        if (length == 6 && data[offset] == '[' && data[offset + 1] == 'D' && data[offset + 2] == 'O'
                && data[offset + 3] == 'N' && data[offset + 4] == 'E' && data[offset + 5] == ']') {
            done = true;
            return;
        }
        if (json != null) {
            onChunk(json.read(data, offset, length, text), arrivalNanos);
            return;
        }
        ChunkReader r = reader;
        if (r.read(data, offset, length, api == Api.CHAT)) {
            if (r.promptTokens != ChunkReader.ABSENT) {
                promptTokens = r.promptTokens;
            }
            if (r.completionTokens != ChunkReader.ABSENT) {
                completionTokens = r.completionTokens;
            }
            boolean hasAnswer = r.answerEnd > r.answerStart;
            boolean hasReasoning = r.reasoningEnd > r.reasoningStart;
            if (!hasAnswer && !hasReasoning) {
                return;
            }
            recordContent(hasAnswer, arrivalNanos, r.completionTokens);
            if (generated != null && hasReasoning) {
                r.appendText(data, r.reasoningStart, r.reasoningEnd, r.reasoningPlain, generated);
            }
            if (generated != null && hasAnswer) {
                r.appendText(data, r.answerStart, r.answerEnd, r.answerPlain, generated);
            }
            return;
        }
        onTree(text != null ? text : new String(data, offset, length, StandardCharsets.UTF_8), arrivalNanos);
    }

    private void onChunk(ChunkJson.Chunk c, long arrivalNanos) {
        if (c.failed()) {
            fail(c.errorClass(), c.error());
            return;
        }
        if (c.promptTokens() != ChunkJson.ABSENT) {
            promptTokens = (int) c.promptTokens();
        }
        if (c.completionTokens() != ChunkJson.ABSENT) {
            completionTokens = (int) c.completionTokens();
        }
        if (c.cachedPromptTokens() != ChunkJson.ABSENT) {
            cachedPromptTokens = (int) c.cachedPromptTokens(); // a server's prefix cache served these: no prefill for them
        }
        if (!c.hasAnswer() && !c.hasReasoning()) {
            return;
        }
        recordContent(c.hasAnswer(), arrivalNanos, c.completionTokens() == ChunkJson.ABSENT ? ChunkReader.ABSENT
                : (int) c.completionTokens());
        if (generated != null && c.hasReasoning()) {
            generated.append(c.reasoning());
        }
        if (generated != null && c.hasAnswer()) {
            generated.append(c.answer());
        }
    }

    /** The general path: the whole event through Jackson's tree model. */
    private void onTree(String data, long arrivalNanos) {
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (Exception e) {
            fail("malformed-event", "malformed JSON in a stream event: " + abbreviate(data));
            return;
        }
        if (node == null || !node.isObject()) {
            fail("malformed-event", "a stream event is not a JSON object: " + abbreviate(data));
            return;
        }
        JsonNode err = node.get("error");
        if (err != null && !err.isNull()) {
            JsonNode message = err.isObject() ? err.get("message") : err;
            fail("server-error", "server reported an error mid-stream: " + abbreviate(message == null ? err.toString() : message.asText()));
            return;
        }
        JsonNode usage = node.get("usage");
        int cumulative = ChunkReader.ABSENT;
        if (usage != null && usage.isObject()) {
            if (usage.hasNonNull("prompt_tokens")) {
                promptTokens = usage.get("prompt_tokens").asInt();
            }
            if (usage.hasNonNull("completion_tokens")) {
                completionTokens = usage.get("completion_tokens").asInt();
                cumulative = completionTokens;
            }
            JsonNode cached = usage.path("prompt_tokens_details").path("cached_tokens");
            if (cached.isInt()) {
                cachedPromptTokens = cached.asInt(); // a server's prefix cache served these: no prefill for them
            }
        }
        JsonNode choices = node.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            return;
        }
        JsonNode choice = choices.get(0);
        String answer;
        String reasoning = null;
        if (api == Api.CHAT) {
            JsonNode delta = choice.get("delta");
            if (delta == null) {
                delta = choice.get("message");
            }
            answer = text(delta, "content");
            reasoning = text(delta, "reasoning_content");
            if (reasoning == null) {
                reasoning = text(delta, "reasoning");
            }
        } else {
            answer = text(choice, "text");
        }
        boolean hasAnswer = answer != null && !answer.isEmpty();
        boolean hasReasoning = reasoning != null && !reasoning.isEmpty();
        if (!hasAnswer && !hasReasoning) {
            return;
        }
        recordContent(hasAnswer, arrivalNanos, cumulative);
        if (generated != null && hasReasoning) {
            generated.append(reasoning);
        }
        if (generated != null && hasAnswer) {
            generated.append(answer);
        }
    }

    /**
     * Stamps a chunk that carries content.
     *
     * @param cumulative the generated tokens so far when the chunk carries its own usage
     *                   (continuous usage: vLLM's {@code continuous_usage_stats}), else
     *                   {@link ChunkReader#ABSENT}
     */
    private void recordContent(boolean hasAnswer, long arrivalNanos, int cumulative) {
        if (cumulative == ChunkReader.ABSENT || cumulative <= lastCumulative) {
            exactCounts = false; // a chunk without its own count, or a count that did not grow
        } else if (contentChunks == 0) {
            // tokens of the first chunk beyond the first one arrived with it: no time between them
            exactItl.record(0, cumulative - 1);
        } else {
            int tokens = cumulative - lastCumulative;
            exactItl.record(Math.max(0, arrivalNanos - lastContent) / 1e6 / tokens, tokens);
        }
        if (cumulative != ChunkReader.ABSENT) {
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

    void fail(String errorClass, String message) {
        if (error == null) {
            this.errorClass = errorClass;
            this.error = message;
        }
    }

    boolean sawDone() {
        return done;
    }

    /** The generated text, or null when this recorder does not keep it. */
    String generatedText() {
        return generated == null ? null : generated.toString();
    }

    RequestTimeline toTimeline(int index, int promptIndex, long queued, long sent, long doneNanos,
                               int requestedTokens, Tokenizer fallback, String prompt) {
        int promptCount = promptTokens;
        int output = completionTokens;
        TokenCountSource source = TokenCountSource.SERVER_USAGE;
        if (output < 0) {
            if (fallback != null && generated != null && error == null) {
                output = fallback.encode(generated.toString()).length;
                promptCount = fallback.promptTokens(prompt);
                source = fallback.countSource();
            } else {
                source = TokenCountSource.NONE;
            }
        }
        return new RequestTimeline(index, promptIndex, queued, sent, firstContent, lastContent, doneNanos,
                promptCount, output, requestedTokens, source, contentChunks, interTokenLatencies(output),
                error, errorClass, firstAnswer, arrivals.done(), cachedPromptTokens);
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

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }

    /**
     * Reads the fields a chunk's timeline needs straight from its JSON bytes, without building a
     * tree or a String: {@code usage.prompt_tokens}, {@code usage.completion_tokens}, and the text of
     * {@code choices[0]} ({@code text}; for chat {@code delta} or {@code message} with
     * {@code content}, {@code reasoning_content}, {@code reasoning}).
     *
     * <p>It is a strict JSON reader (RFC 8259, as Jackson reads it by default) that only vouches
     * for the shapes streams have: {@link #read} answers false, and the caller hands the event to
     * Jackson's tree model, for anything else, so the two paths cannot disagree: a syntax error,
     * trailing content, a non-null {@code error}, a field of interest with an unexpected type or
     * given twice, a key with an escape, a number that is not a plain {@code int}, an event over
     * 16 KiB or nested too deep.
     */
    static final class ChunkReader {

        static final int ABSENT = Integer.MIN_VALUE;
        private static final int MAX_EVENT = 16 * 1024;
        private static final int MAX_DEPTH = 200;
        private static final int MAX_NUMBER = 100;
        private static final Bail BAIL = new Bail();

        private static final byte[] CHOICES = ascii("choices");
        private static final byte[] USAGE = ascii("usage");
        private static final byte[] ERROR = ascii("error");
        private static final byte[] TEXT = ascii("text");
        private static final byte[] DELTA = ascii("delta");
        private static final byte[] MESSAGE = ascii("message");
        private static final byte[] CONTENT = ascii("content");
        private static final byte[] REASONING_CONTENT = ascii("reasoning_content");
        private static final byte[] REASONING = ascii("reasoning");
        private static final byte[] PROMPT_TOKENS = ascii("prompt_tokens");
        private static final byte[] COMPLETION_TOKENS = ascii("completion_tokens");
        private static final byte[] PROMPT_TOKENS_DETAILS = ascii("prompt_tokens_details");

        /** Thrown, without a stack trace, to leave the event to the tree model. */
        private static final class Bail extends RuntimeException {
            Bail() {
                super("not a shape the chunk reader vouches for", null, false, false);
            }
        }

        /** Results of the last successful {@link #read}; a text is {@code data[start, end)}, still JSON-escaped. */
        int promptTokens;
        int completionTokens;
        int answerStart;
        int answerEnd;
        boolean answerPlain;
        int reasoningStart;
        int reasoningEnd;
        boolean reasoningPlain;

        private byte[] b;
        private int pos;
        private int end;
        /** The last string read: {@code b[strStart, strEnd)} between its quotes. */
        private int strStart;
        private int strEnd;
        private boolean strEscaped;
        private boolean strNonAscii;
        /** Slots of a chat delta: present (not absent, not null) when start >= 0. */
        private int contentStart;
        private int contentEnd;
        private boolean contentPlain;
        private int rcStart;
        private int rcEnd;
        private boolean rcPlain;
        private int rStart;
        private int rEnd;
        private boolean rPlain;

        private static byte[] ascii(String s) {
            return s.getBytes(StandardCharsets.US_ASCII);
        }

        /** True when the event was read; false when the tree model must read it. */
        boolean read(byte[] data, int offset, int length, boolean chat) {
            if (length > MAX_EVENT) {
                return false;
            }
            b = data;
            pos = offset;
            end = offset + length;
            promptTokens = ABSENT;
            completionTokens = ABSENT;
            answerStart = answerEnd = reasoningStart = reasoningEnd = 0;
            answerPlain = reasoningPlain = true;
            try {
                readTop(chat);
                return true;
            } catch (Bail e) {
                return false;
            } finally {
                b = null;
            }
        }

        private void readTop(boolean chat) {
            ws();
            expect('{');
            ws();
            if (peek() == '}') {
                pos++;
            } else {
                boolean seenChoices = false;
                boolean seenUsage = false;
                boolean seenError = false;
                while (true) {
                    readKey();
                    int ks = strStart;
                    int kl = strEnd - strStart;
                    ws();
                    expect(':');
                    ws();
                    if (is(ks, kl, CHOICES)) {
                        seenChoices = once(seenChoices);
                        readChoices(chat);
                    } else if (is(ks, kl, USAGE)) {
                        seenUsage = once(seenUsage);
                        readUsage();
                    } else if (is(ks, kl, ERROR)) {
                        seenError = once(seenError);
                        literal(NULL_REST); // an error that is not null goes to the tree model
                    } else {
                        skipValue(1);
                    }
                    ws();
                    byte c = next();
                    if (c == ',') {
                        ws();
                    } else if (c == '}') {
                        break;
                    } else {
                        throw BAIL;
                    }
                }
            }
            ws();
            if (pos != end) {
                throw BAIL;
            }
        }

        private static boolean once(boolean seen) {
            if (seen) {
                throw BAIL;
            }
            return true;
        }

        private void readChoices(boolean chat) {
            expect('[');
            ws();
            if (peek() == ']') {
                pos++;
                return;
            }
            boolean first = true;
            while (true) {
                if (first) {
                    readChoice(chat);
                    first = false;
                } else {
                    skipValue(2);
                }
                ws();
                byte c = next();
                if (c == ',') {
                    ws();
                } else if (c == ']') {
                    return;
                } else {
                    throw BAIL;
                }
            }
        }

        private void readChoice(boolean chat) {
            expect('{');
            ws();
            contentStart = rcStart = rStart = -1;
            boolean seenText = false;
            boolean seenDelta = false;
            boolean seenMessage = false;
            if (peek() == '}') {
                pos++;
            } else {
                while (true) {
                    readKey();
                    int ks = strStart;
                    int kl = strEnd - strStart;
                    ws();
                    expect(':');
                    ws();
                    if (!chat && is(ks, kl, TEXT)) {
                        seenText = once(seenText);
                        if (stringOrNull()) {
                            answerStart = strStart;
                            answerEnd = strEnd;
                            answerPlain = !strEscaped && !strNonAscii;
                        }
                    } else if (chat && is(ks, kl, DELTA)) {
                        seenDelta = once(seenDelta);
                        readDelta();
                    } else if (chat && is(ks, kl, MESSAGE)) {
                        seenMessage = once(seenMessage);
                        readDelta();
                    } else {
                        skipValue(3);
                    }
                    ws();
                    byte c = next();
                    if (c == ',') {
                        ws();
                    } else if (c == '}') {
                        break;
                    } else {
                        throw BAIL;
                    }
                }
            }
            if (chat) {
                if (seenDelta && seenMessage) {
                    throw BAIL; // the tree model takes delta over message; not worth a second slot set
                }
                if (contentStart >= 0) {
                    answerStart = contentStart;
                    answerEnd = contentEnd;
                    answerPlain = contentPlain;
                }
                // reasoning_content when it is there and not null, else reasoning
                if (rcStart >= 0) {
                    reasoningStart = rcStart;
                    reasoningEnd = rcEnd;
                    reasoningPlain = rcPlain;
                } else if (rStart >= 0) {
                    reasoningStart = rStart;
                    reasoningEnd = rEnd;
                    reasoningPlain = rPlain;
                }
            }
        }

        /** A chat {@code delta} or {@code message}: an object, else the tree model decides. */
        private void readDelta() {
            expect('{');
            ws();
            if (peek() == '}') {
                pos++;
                return;
            }
            boolean seenContent = false;
            boolean seenRc = false;
            boolean seenR = false;
            while (true) {
                readKey();
                int ks = strStart;
                int kl = strEnd - strStart;
                ws();
                expect(':');
                ws();
                if (is(ks, kl, CONTENT)) {
                    seenContent = once(seenContent);
                    if (stringOrNull()) {
                        contentStart = strStart;
                        contentEnd = strEnd;
                        contentPlain = !strEscaped && !strNonAscii;
                    }
                } else if (is(ks, kl, REASONING_CONTENT)) {
                    seenRc = once(seenRc);
                    if (stringOrNull()) {
                        rcStart = strStart;
                        rcEnd = strEnd;
                        rcPlain = !strEscaped && !strNonAscii;
                    }
                } else if (is(ks, kl, REASONING)) {
                    seenR = once(seenR);
                    if (stringOrNull()) {
                        rStart = strStart;
                        rEnd = strEnd;
                        rPlain = !strEscaped && !strNonAscii;
                    }
                } else {
                    skipValue(5);
                }
                ws();
                byte c = next();
                if (c == ',') {
                    ws();
                } else if (c == '}') {
                    return;
                } else {
                    throw BAIL;
                }
            }
        }

        private void readUsage() {
            if (peek() == 'n') {
                literal(NULL_REST);
                return;
            }
            expect('{');
            ws();
            if (peek() == '}') {
                pos++;
                return;
            }
            boolean seenPrompt = false;
            boolean seenCompletion = false;
            while (true) {
                readKey();
                int ks = strStart;
                int kl = strEnd - strStart;
                ws();
                expect(':');
                ws();
                if (is(ks, kl, PROMPT_TOKENS)) {
                    seenPrompt = once(seenPrompt);
                    promptTokens = intOrNull();
                } else if (is(ks, kl, COMPLETION_TOKENS)) {
                    seenCompletion = once(seenCompletion);
                    completionTokens = intOrNull();
                } else if (is(ks, kl, PROMPT_TOKENS_DETAILS) && peek() != 'n') {
                    throw BAIL; // cached prompt tokens: read by the tree path (once per stream, at its end)
                } else {
                    skipValue(2);
                }
                ws();
                byte c = next();
                if (c == ',') {
                    ws();
                } else if (c == '}') {
                    return;
                } else {
                    throw BAIL;
                }
            }
        }

        /** A plain int, or null (ABSENT); anything else (a fraction, a long, a string) to the tree model. */
        private int intOrNull() {
            if (peek() == 'n') {
                literal(NULL_REST);
                return ABSENT;
            }
            boolean negative = false;
            if (peek() == '-') {
                negative = true;
                pos++;
            }
            int start = pos;
            long v = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                v = v * 10 + (b[pos] - '0');
                pos++;
                if (pos - start > 10) {
                    throw BAIL;
                }
            }
            int digits = pos - start;
            if (digits == 0 || (digits > 1 && b[start] == '0')) {
                throw BAIL;
            }
            if (pos < end && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
                throw BAIL;
            }
            long signed = negative ? -v : v;
            if (signed <= Integer.MIN_VALUE || signed > Integer.MAX_VALUE) {
                throw BAIL;
            }
            return (int) signed;
        }

        /** True for a string (then in strStart..), false for null; anything else to the tree model. */
        private boolean stringOrNull() {
            byte c = peek();
            if (c == '"') {
                readString();
                return true;
            }
            literal(NULL_REST);
            return false;
        }

        private void readKey() {
            if (peek() != '"') {
                throw BAIL;
            }
            readString();
            if (strEscaped) {
                throw BAIL; // a key spelled with escapes: let the tree model decode it
            }
        }

        /** At a quote: reads a string, checking its escapes; no unescaped control character. */
        private void readString() {
            pos++;
            int start = pos;
            boolean escaped = false;
            boolean nonAscii = false;
            byte[] a = b;
            int e = end;
            int p = pos;
            while (true) {
                if (p >= e) {
                    throw BAIL;
                }
                byte c = a[p];
                if (c == '"') {
                    break;
                }
                if (c == '\\') {
                    escaped = true;
                    p++;
                    if (p >= e) {
                        throw BAIL;
                    }
                    switch (a[p]) {
                        case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> p++;
                        case 'u' -> {
                            if (p + 4 >= e) {
                                throw BAIL;
                            }
                            for (int k = 1; k <= 4; k++) {
                                if (hex(a[p + k]) < 0) {
                                    throw BAIL;
                                }
                            }
                            p += 5;
                        }
                        default -> throw BAIL;
                    }
                } else if (c < 0) {
                    nonAscii = true;
                    p++;
                } else if (c < 0x20) {
                    throw BAIL; // Jackson refuses an unescaped control character
                } else {
                    p++;
                }
            }
            strStart = start;
            strEnd = p;
            strEscaped = escaped;
            strNonAscii = nonAscii;
            pos = p + 1;
        }

        private static int hex(byte c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }

        private void skipValue(int depth) {
            if (depth > MAX_DEPTH) {
                throw BAIL;
            }
            byte c = peek();
            switch (c) {
                case '"' -> readString();
                case '{' -> {
                    pos++;
                    ws();
                    if (peek() == '}') {
                        pos++;
                        return;
                    }
                    while (true) {
                        if (peek() != '"') {
                            throw BAIL;
                        }
                        readString();
                        ws();
                        expect(':');
                        ws();
                        skipValue(depth + 1);
                        ws();
                        byte d = next();
                        if (d == ',') {
                            ws();
                        } else if (d == '}') {
                            return;
                        } else {
                            throw BAIL;
                        }
                    }
                }
                case '[' -> {
                    pos++;
                    ws();
                    if (peek() == ']') {
                        pos++;
                        return;
                    }
                    while (true) {
                        skipValue(depth + 1);
                        ws();
                        byte d = next();
                        if (d == ',') {
                            ws();
                        } else if (d == ']') {
                            return;
                        } else {
                            throw BAIL;
                        }
                    }
                }
                case 'n' -> literal(NULL_REST);
                case 't' -> literal(TRUE_REST);
                case 'f' -> literal(FALSE_REST);
                default -> skipNumber();
            }
        }

        private static final byte[] NULL_REST = ascii("null");
        private static final byte[] TRUE_REST = ascii("true");
        private static final byte[] FALSE_REST = ascii("false");

        /** Exactly {@code word} here; what follows is checked by the caller's grammar. */
        private void literal(byte[] word) {
            if (end - pos < word.length) {
                throw BAIL;
            }
            for (int k = 0; k < word.length; k++) {
                if (b[pos + k] != word[k]) {
                    throw BAIL;
                }
            }
            pos += word.length;
        }

        /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
        private void skipNumber() {
            int start = pos;
            if (pos < end && b[pos] == '-') {
                pos++;
            }
            if (pos >= end) {
                throw BAIL;
            }
            if (b[pos] == '0') {
                pos++;
            } else if (b[pos] >= '1' && b[pos] <= '9') {
                digits();
            } else {
                throw BAIL;
            }
            if (pos < end && b[pos] == '.') {
                pos++;
                if (digits() == 0) {
                    throw BAIL;
                }
            }
            if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
                pos++;
                if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
                    pos++;
                }
                if (digits() == 0) {
                    throw BAIL;
                }
            }
            if (pos - start > MAX_NUMBER) {
                throw BAIL;
            }
        }

        private int digits() {
            int start = pos;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                pos++;
            }
            return pos - start;
        }

        private boolean is(int start, int length, byte[] key) {
            if (length != key.length) {
                return false;
            }
            for (int k = 0; k < length; k++) {
                if (b[start + k] != key[k]) {
                    return false;
                }
            }
            return true;
        }

        private void ws() {
            while (pos < end) {
                byte c = b[pos];
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                    return;
                }
                pos++;
            }
        }

        private byte peek() {
            if (pos >= end) {
                throw BAIL;
            }
            return b[pos];
        }

        private byte next() {
            if (pos >= end) {
                throw BAIL;
            }
            return b[pos++];
        }

        private void expect(char c) {
            if (pos >= end || b[pos] != c) {
                throw BAIL;
            }
            pos++;
        }

        /** Appends the JSON string content {@code data[start, end)}, unescaped, to {@code out}. */
        void appendText(byte[] data, int start, int end, boolean plain, StringBuilder out) {
            if (plain) {
                for (int k = start; k < end; k++) {
                    out.append((char) data[k]);
                }
                return;
            }
            int k = start;
            while (k < end) {
                int run = k;
                boolean nonAscii = false;
                while (k < end && data[k] != '\\') {
                    nonAscii |= data[k] < 0;
                    k++;
                }
                if (k > run) {
                    if (nonAscii) {
                        out.append(new String(data, run, k - run, StandardCharsets.UTF_8));
                    } else {
                        for (int m = run; m < k; m++) {
                            out.append((char) data[m]);
                        }
                    }
                }
                if (k < end) { // an escape, already checked by readString
                    byte e = data[k + 1];
                    switch (e) {
                        case 'b' -> out.append('\b');
                        case 'f' -> out.append('\f');
                        case 'n' -> out.append('\n');
                        case 'r' -> out.append('\r');
                        case 't' -> out.append('\t');
                        case 'u' -> {
                            out.append((char) (hex(data[k + 2]) << 12 | hex(data[k + 3]) << 8 | hex(data[k + 4]) << 4
                                    | hex(data[k + 5])));
                            k += 4;
                        }
                        default -> out.append((char) e); // " \ /
                    }
                    k += 2;
                }
            }
        }
    }
}
