package org.tokenpowerbench.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;

/**
 * Turns the events of one streamed completion into a {@link RequestTimeline}.
 *
 * <p>A chunk counts as a token-carrying chunk only when it carries text: a role-only first delta,
 * an empty string and a usage-only final chunk ({@code choices: []}) do not. Reasoning content
 * ({@code reasoning_content} or {@code reasoning}) counts as generated text; the first answer
 * chunk is stamped separately.
 */
final class StreamRecorder implements SseParser.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Api api;
    private long firstContent = -1;
    private long firstAnswer = -1;
    private long lastContent = -1;
    private int contentChunks;
    private long[] chunkNanos = new long[64];
    private final StringBuilder generated = new StringBuilder();
    private int promptTokens = -1;
    private int completionTokens = -1;
    private boolean done;
    private String error;
    private String errorClass;

    StreamRecorder(Api api) {
        this.api = api;
    }

    @Override
    public void onEvent(String data, long arrivalNanos) {
        if (error != null || done) {
            return;
        }
        if (data.equals("[DONE]")) {
            done = true;
            return;
        }
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
        if (usage != null && usage.isObject()) {
            if (usage.hasNonNull("prompt_tokens")) {
                promptTokens = usage.get("prompt_tokens").asInt();
            }
            if (usage.hasNonNull("completion_tokens")) {
                completionTokens = usage.get("completion_tokens").asInt();
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
        if (firstContent < 0) {
            firstContent = arrivalNanos;
        }
        if (hasAnswer && firstAnswer < 0) {
            firstAnswer = arrivalNanos;
        }
        lastContent = arrivalNanos;
        if (contentChunks == chunkNanos.length) {
            chunkNanos = Arrays.copyOf(chunkNanos, contentChunks * 2);
        }
        chunkNanos[contentChunks++] = arrivalNanos;
        if (hasReasoning) {
            generated.append(reasoning);
        }
        if (hasAnswer) {
            generated.append(answer);
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

    String generatedText() {
        return generated.toString();
    }

    RequestTimeline toTimeline(int index, int promptIndex, long queued, long sent, long doneNanos,
                               int requestedTokens, Tokenizer fallback, String prompt) {
        int promptCount = promptTokens;
        int output = completionTokens;
        TokenCountSource source = TokenCountSource.SERVER_USAGE;
        if (output < 0) {
            if (fallback != null && error == null) {
                output = fallback.encode(generated.toString()).length;
                promptCount = fallback.promptTokens(prompt);
                source = TokenCountSource.TOKENIZER;
            } else {
                source = TokenCountSource.NONE;
            }
        }
        return new RequestTimeline(index, promptIndex, queued, sent, firstContent, lastContent, doneNanos,
                promptCount, output, requestedTokens, source, contentChunks, interTokenLatencies(output),
                error, errorClass, firstAnswer);
    }

    /**
     * Gaps between content chunks, each divided evenly across the tokens its chunk carries. Without
     * per-chunk counts, a chunk carries {@code outputTokens / chunks} tokens on average; with one
     * token per chunk (the common case) this is exact.
     */
    private float[] interTokenLatencies(int outputTokens) {
        if (contentChunks < 2) {
            return new float[0];
        }
        int tokensAfterFirst = outputTokens > contentChunks ? outputTokens - 1 : contentChunks - 1;
        float[] itl = new float[tokensAfterFirst];
        int gaps = contentChunks - 1;
        int written = 0;
        for (int g = 0; g < gaps; g++) {
            // tokens carried by chunk g+1: spread tokensAfterFirst over the gaps as evenly as integers allow
            int from = (int) ((long) tokensAfterFirst * g / gaps);
            int to = (int) ((long) tokensAfterFirst * (g + 1) / gaps);
            int tokens = to - from;
            if (tokens == 0) {
                continue;
            }
            float each = (float) ((chunkNanos[g + 1] - chunkNanos[g]) / 1e6 / tokens);
            for (int k = 0; k < tokens; k++) {
                itl[written++] = each;
            }
        }
        return written == itl.length ? itl : Arrays.copyOf(itl, written);
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
}
