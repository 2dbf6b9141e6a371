package org.tokenpowerbench.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the JSON of one streamed chunk into the few values a {@link RequestTimeline} needs: a
 * mid-stream {@code error}, {@code usage}'s counts (with {@code prompt_tokens_details.cached_tokens}
 * and {@code completion_tokens_details.reasoning_tokens}), llama-server's speculative-decoding counts
 * ({@code timings.draft_n}, {@code timings.draft_n_accepted}, on its last chunk when a draft model
 * ran), and the text of {@code choices[0]} ({@code text}; for chat {@code delta}, else
 * {@code message}, with {@code content}, {@code reasoning_content}, {@code reasoning}).
 *
 * <p>Why a streaming parser and not a tree: a chunk arrives for every token of every stream, and a
 * tree per chunk cost kilobytes and microseconds (docs/client-performance.md). Jackson's
 * {@link JsonParser} walks the bytes once; the members the timeline does not need are skipped
 * without being built. It replaced a hand-written byte reader (with the tree as its fallback) that
 * was about 0.25 µs of CPU per chunk cheaper: measured in one run, the client at 1,000 streams
 * spends 1.3 µs per chunk with this reader, inside its 2 µs budget, and one reader of Jackson's is
 * far less code to keep right than a JSON grammar of our own.
 *
 * <p>Why one parser for all of a stream's chunks: a parser made per chunk allocated about 800 bytes
 * (the parser, its contexts and symbol table: nearly all that the client allocated per chunk), and
 * at 1,000 paced streams the garbage showed as GC time and a longer tail of late time stamps
 * (docs/client-performance.md). One parser reads the chunks as top-level values one after
 * another from {@link ChunkInput}, which hands it each chunk's bytes in turn; what follows a chunk's
 * object is dropped from its buffer. It is kept only after a chunk that ended at its object's end;
 * after anything else (malformed, not an object) the next chunk gets a new parser.
 * {@link #release} gives its buffers back when the stream ends.
 *
 * <p>What it decides is what Jackson's tree model decides for the same text, so that a server's odd
 * chunk means the same as it always did: the last of duplicate members wins, content after the
 * top-level value is not read, a text value of an unexpected type reads as the tree's {@code asText()}
 * would read it (such values are read as a tree, they are rare), and bytes that are not valid UTF-8
 * are read as their decoded text (with U+FFFD) rather than refused.
 *
 * <p>Token counts are read as longs, never narrowed: a server's 5e9 is 5e9 here, so that the
 * recorder can call it implausible, rather than the 705,032,704 that an int's low 32 bits would
 * make of it. A count beyond a long reads as {@link Long#MAX_VALUE} (or -1 when negative).
 *
 * <p>Text a failure quotes from the server goes through the request's {@link Redaction} before it
 * is cut short, so that an echoed API key never reaches a record.
 *
 * <p>All members of all objects go through one loop ({@link #readObject}); what a member means
 * depends only on the object it is in ({@link Scope}) and its name ({@link #member}).
 */
final class ChunkJson {

    /** A count that the chunk does not carry (absent or null). */
    static final long ABSENT = Long.MIN_VALUE;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Which object a member belongs to: the only context a member's meaning depends on. */
    private enum Scope { TOP, USAGE, DETAILS, COMPLETION_DETAILS, TIMINGS, CHOICE, DELTA, MESSAGE }

    /** Text slots: the completions {@code text}, then a chat delta's and a chat message's three fields. */
    private static final int TEXT = 0;
    private static final int DELTA = 1;
    private static final int MESSAGE = 4;
    private static final int CONTENT = 0;
    private static final int REASONING_CONTENT = 1;
    private static final int REASONING = 2;
    private static final int SLOTS = 7;

    /** A slot's state: absent or null (the tree's {@code text()} gives null), empty, or with text. */
    private static final byte NONE = 0;
    private static final byte EMPTY = 1;
    private static final byte FILLED = 2;

    /**
     * One chunk as read.
     *
     * @param errorClass          {@code malformed-event} or {@code server-error} when the chunk ends
     *                            the stream, else null
     * @param error               what to tell the user, with the chunk (abbreviated), else null
     * @param promptTokens        {@code usage.prompt_tokens}, or {@link #ABSENT}
     * @param completionTokens    {@code usage.completion_tokens}, or {@link #ABSENT}
     * @param cachedPromptTokens  {@code usage.prompt_tokens_details.cached_tokens} when it is an int,
     *                            or {@link #ABSENT}
     * @param reasoningTokens     {@code usage.completion_tokens_details.reasoning_tokens} when it is an
     *                            int, or {@link #ABSENT}
     * @param draftTokens         {@code timings.draft_n} (llama-server: draft tokens proposed for
     *                            speculative decoding) when it is an int, or {@link #ABSENT}
     * @param acceptedDraftTokens {@code timings.draft_n_accepted} when it is an int, or {@link #ABSENT}
     * @param hasAnswer           whether the chunk carries answer text (a token)
     * @param hasReasoning        whether it carries reasoning text (a token too)
     * @param answer              the answer text when it was asked for and is there, else null
     * @param reasoning           the reasoning text when it was asked for and is there, else null
     */
    record Chunk(String errorClass, String error, long promptTokens, long completionTokens,
                 long cachedPromptTokens, long reasoningTokens, long draftTokens, long acceptedDraftTokens,
                 boolean hasAnswer, boolean hasReasoning, String answer, String reasoning) {

        static Chunk failed(String errorClass, String error) {
            return new Chunk(errorClass, error, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, false, false, null, null);
        }

        boolean failed() {
            return errorClass != null;
        }
    }

    /**
     * The chunks without counts or texts, shared: a reader that keeps no text returns one of these
     * for nearly every chunk, and a record made per chunk was most of what remained allocated per
     * chunk once the parser was kept (docs/client-performance.md). Indexed by answer (1) + reasoning (2).
     */
    private static final Chunk[] COUNTLESS = {
        new Chunk(null, null, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, false, false, null, null),
        new Chunk(null, null, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, true, false, null, null),
        new Chunk(null, null, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, false, true, null, null),
        new Chunk(null, null, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, true, true, null, null),
    };

    private final boolean chat;
    private final boolean keepText;
    /** The current chunk's bytes, handed to {@link #parser} as its input. */
    private final ChunkInput input = new ChunkInput();
    /** One parser for the stream's chunks in sequence (top-level values one after another), or null. */
    private JsonParser parser;
    private final Redaction redaction;

    // what the chunk being read has said so far; reset per chunk, and per member where the last of
    // duplicate members must win
    private JsonNode errorValue;
    private long promptTokens;
    private long completionTokens;
    private long cachedPromptTokens;
    private long reasoningTokens;
    private long draftTokens;
    private long acceptedDraftTokens;
    private boolean deltaPresent;
    private final byte[] slotState = new byte[SLOTS];
    private final String[] slotText = new String[SLOTS];

    /**
     * @param api      which route's chunk shape to read
     * @param keepText whether to return the texts themselves (for a tokenizer), or only whether they
     *                 are there (cheaper: no String per chunk)
     */
    ChunkJson(Api api, boolean keepText) {
        this(api, keepText, Redaction.NONE);
    }

    /** @param redaction what is removed from server text that a failure quotes */
    ChunkJson(Api api, boolean keepText, Redaction redaction) {
        this.chat = api == Api.CHAT;
        this.keepText = keepText;
        this.redaction = redaction;
    }

    /**
     * Reads the chunk {@code data[offset, offset + length)}, UTF-8. {@code text} is the same chunk as
     * a String when the caller has one, else null.
     */
    Chunk read(byte[] data, int offset, int length, String text) {
        input.set(data, offset, length);
        boolean reusable = false;
        try {
            if (parser == null) {
                parser = JSON.createParser(input);
            }
            Chunk chunk = readRoot(parser, data, offset, length, text);
            // kept only where it stands at the end of a top-level object, as after any good chunk;
            // anything else (not an object, an empty chunk) may have left it inside a value
            reusable = parser.hasToken(JsonToken.END_OBJECT) && parser.getParsingContext().inRoot();
            if (reusable) {
                parser.releaseBuffered(OutputStream.nullOutputStream()); // what follows the object is not read
            }
            return chunk;
        } catch (IOException bytesRefused) {
            release();
            // the tree read a decoded String, where bytes that are not UTF-8 became U+FFFD: so do we,
            // before calling the chunk malformed
            String decoded = text != null ? text : new String(data, offset, length, StandardCharsets.UTF_8);
            try (JsonParser p = JSON.createParser(decoded)) {
                return readRoot(p, data, offset, length, decoded);
            } catch (IOException e) {
                return Chunk.failed("malformed-event", "malformed JSON in a stream event: "
                        + redaction.abbreviate(decoded));
            }
        } finally {
            if (!reusable) {
                release();
            }
        }
    }

    /**
     * Gives the parser's buffers back to Jackson's pool (and the field names it met to the shared
     * symbol table), for the next stream on this thread: call it when the stream ends. A later
     * {@link #read} makes a new parser.
     */
    void release() {
        if (parser != null) {
            try {
                parser.close();
            } catch (IOException e) {
                throw new IllegalStateException("closing a parser over bytes in memory failed", e); // it reads no file or socket
            } finally {
                parser = null;
            }
        }
    }

    private Chunk readRoot(JsonParser p, byte[] data, int offset, int length, String text) throws IOException {
        errorValue = null;
        promptTokens = ABSENT;
        completionTokens = ABSENT;
        cachedPromptTokens = ABSENT;
        reasoningTokens = ABSENT;
        draftTokens = ABSENT;
        acceptedDraftTokens = ABSENT;
        deltaPresent = false;
        clearSlots(0, SLOTS);
        JsonToken root = p.nextToken();
        if (root != JsonToken.START_OBJECT) {
            if (root != null) {
                p.readValueAsTree(); // the tree reads the whole value, and refuses it if it is malformed
            }
            return Chunk.failed("malformed-event", "a stream event is not a JSON object: "
                    + redaction.abbreviate(text != null ? text : new String(data, offset, length, StandardCharsets.UTF_8)));
        }
        readObject(p, Scope.TOP);
        if (errorValue != null) {
            JsonNode message = errorValue.isObject() ? errorValue.get("message") : errorValue;
            return Chunk.failed("server-error", "server reported an error mid-stream: "
                    + redaction.abbreviate(message == null ? errorValue.toString() : message.asText()));
        }
        int answer;
        int reasoning = -1;
        if (chat) {
            int from = deltaPresent ? DELTA : MESSAGE; // the tree takes delta, even a null one, over message
            answer = from + CONTENT;
            reasoning = slotState[from + REASONING_CONTENT] != NONE ? from + REASONING_CONTENT : from + REASONING;
        } else {
            answer = TEXT;
        }
        boolean hasAnswer = slotState[answer] == FILLED;
        boolean hasReasoning = reasoning >= 0 && slotState[reasoning] == FILLED;
        if (!keepText && promptTokens == ABSENT && completionTokens == ABSENT && cachedPromptTokens == ABSENT
                && reasoningTokens == ABSENT && draftTokens == ABSENT && acceptedDraftTokens == ABSENT) {
            return COUNTLESS[(hasAnswer ? 1 : 0) + (hasReasoning ? 2 : 0)]; // most chunks of most streams
        }
        return new Chunk(null, null, promptTokens, completionTokens, cachedPromptTokens, reasoningTokens, draftTokens,
                acceptedDraftTokens, hasAnswer, hasReasoning, hasAnswer ? slotText[answer] : null,
                hasReasoning ? slotText[reasoning] : null);
    }

    /** At an object's start: every member, in the one member loop. Returns at the object's end. */
    private void readObject(JsonParser p, Scope scope) throws IOException {
        String name;
        while ((name = p.nextFieldName()) != null) {
            member(p, scope, name, p.nextToken());
        }
        if (!p.hasToken(JsonToken.END_OBJECT)) {
            throw new IllegalStateException("an object's members ended at " + p.currentToken()); // the parser's grammar forbids it
        }
    }

    /** One member, at its value: reads what {@code scope} needs of {@code name}, skips the rest. */
    private void member(JsonParser p, Scope scope, String name, JsonToken value) throws IOException {
        switch (scope) {
            case TOP -> {
                switch (name) {
                    case "error" -> errorValue = value == JsonToken.VALUE_NULL ? null : tree(p);
                    case "usage" -> {
                        promptTokens = completionTokens = cachedPromptTokens = reasoningTokens = ABSENT;
                        objectOrSkip(p, value, Scope.USAGE);
                    }
                    case "timings" -> { // llama-server's own figures, on its last chunk
                        draftTokens = acceptedDraftTokens = ABSENT;
                        objectOrSkip(p, value, Scope.TIMINGS);
                    }
                    case "choices" -> {
                        deltaPresent = false;
                        clearSlots(0, SLOTS);
                        if (value == JsonToken.START_ARRAY) {
                            readChoices(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            case USAGE -> {
                switch (name) {
                    case "prompt_tokens" -> promptTokens = count(p, value);
                    case "completion_tokens" -> completionTokens = count(p, value);
                    case "prompt_tokens_details" -> {
                        cachedPromptTokens = ABSENT;
                        objectOrSkip(p, value, Scope.DETAILS);
                    }
                    case "completion_tokens_details" -> {
                        reasoningTokens = ABSENT;
                        objectOrSkip(p, value, Scope.COMPLETION_DETAILS);
                    }
                    default -> p.skipChildren();
                }
            }
            case COMPLETION_DETAILS -> {
                if (name.equals("reasoning_tokens")) {
                    reasoningTokens = value == JsonToken.VALUE_NUMBER_INT ? integer(p) : ABSENT;
                }
                p.skipChildren();
            }
            case TIMINGS -> {
                if (name.equals("draft_n")) {
                    draftTokens = value == JsonToken.VALUE_NUMBER_INT ? integer(p) : ABSENT;
                } else if (name.equals("draft_n_accepted")) {
                    acceptedDraftTokens = value == JsonToken.VALUE_NUMBER_INT ? integer(p) : ABSENT;
                }
                p.skipChildren();
            }
            case DETAILS -> {
                if (name.equals("cached_tokens")) {
                    // an integer, nothing else: a count of another type was never taken
                    cachedPromptTokens = value == JsonToken.VALUE_NUMBER_INT ? integer(p) : ABSENT;
                }
                p.skipChildren();
            }
            case CHOICE -> {
                if (!chat && name.equals("text")) {
                    text(p, value, TEXT);
                } else if (chat && name.equals("delta")) {
                    deltaPresent = true;
                    clearSlots(DELTA, DELTA + 3);
                    objectOrSkip(p, value, Scope.DELTA);
                } else if (chat && name.equals("message")) {
                    clearSlots(MESSAGE, MESSAGE + 3);
                    objectOrSkip(p, value, Scope.MESSAGE);
                } else {
                    p.skipChildren();
                }
            }
            case DELTA, MESSAGE -> {
                int base = scope == Scope.DELTA ? DELTA : MESSAGE;
                switch (name) {
                    case "content" -> text(p, value, base + CONTENT);
                    case "reasoning_content" -> text(p, value, base + REASONING_CONTENT);
                    case "reasoning" -> text(p, value, base + REASONING);
                    default -> p.skipChildren();
                }
            }
            default -> throw new IllegalStateException("no members are read in " + scope);
        }
    }

    private void objectOrSkip(JsonParser p, JsonToken value, Scope scope) throws IOException {
        if (value == JsonToken.START_OBJECT) {
            readObject(p, scope);
        } else {
            p.skipChildren();
        }
    }

    /** At {@code choices}' array: the first element's members if it is an object; the rest skipped. */
    private void readChoices(JsonParser p) throws IOException {
        JsonToken element = p.nextToken();
        if (element == JsonToken.START_OBJECT) {
            readObject(p, Scope.CHOICE);
            element = p.nextToken();
        }
        while (element != JsonToken.END_ARRAY) {
            p.skipChildren();
            element = p.nextToken();
        }
    }

    /**
     * A token count: an integer as a long, any other non-null value as the tree's {@code asLong()}
     * reads it (a fraction truncated, a numeric string parsed); null is {@link #ABSENT}.
     */
    private static long count(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return ABSENT;
        }
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return integer(p);
        }
        return tree(p).asLong();
    }

    /** The integer at the parser as a long; beyond a long, {@link Long#MAX_VALUE} or -1 by its sign. */
    private static long integer(JsonParser p) throws IOException {
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return p.getBigIntegerValue().signum() < 0 ? -1 : Long.MAX_VALUE;
        }
        long v = p.getLongValue();
        return v == ABSENT ? -1 : v; // the smallest long is a negative count, not the absent marker
    }

    /** A text member as the tree's {@code asText()} reads it; null leaves the slot empty of meaning. */
    private void text(JsonParser p, JsonToken value, int slot) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            slotState[slot] = NONE;
            slotText[slot] = null;
        } else if (value == JsonToken.VALUE_STRING) {
            if (keepText) {
                String s = p.getText();
                slotState[slot] = s.isEmpty() ? EMPTY : FILLED;
                slotText[slot] = s;
            } else {
                slotState[slot] = p.getTextLength() == 0 ? EMPTY : FILLED;
            }
        } else {
            String s = tree(p).asText(); // a number or a boolean is text to the tree; an object is ""
            slotState[slot] = s.isEmpty() ? EMPTY : FILLED;
            slotText[slot] = s;
        }
    }

    /** The value at the parser as the tree model builds it: for the rare values read as the tree reads them. */
    private static JsonNode tree(JsonParser p) throws IOException {
        return p.readValueAsTree();
    }

    private void clearSlots(int from, int to) {
        for (int k = from; k < to; k++) {
            slotState[k] = NONE;
            slotText[k] = null;
        }
    }

    /**
     * The chunk being read, as the stream a parser reads from: its bytes, then the end of input. A
     * parser that meets the end inside a chunk reports the chunk malformed and is not used again.
     */
    private static final class ChunkInput extends InputStream {
        private byte[] data;
        private int next;
        private int end;

        void set(byte[] data, int offset, int length) {
            this.data = data;
            this.next = offset;
            this.end = offset + length;
        }

        @Override
        public int read() {
            return next < end ? data[next++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (next >= end) {
                return -1;
            }
            int n = Math.min(length, end - next);
            System.arraycopy(data, next, into, offset, n);
            next += n;
            return n;
        }

        @Override
        public int available() {
            return end - next;
        }
    }
}
