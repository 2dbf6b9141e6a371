package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.tokenpowerbench.client.ChatMessage;
import org.tokenpowerbench.client.Tokenizer;

/**
 * A prompt set read from a file: JSONL (one object per line with {@code "prompt"} or chat
 * {@code "messages"}, optionally {@code "output_tokens"}) or ShareGPT-format JSON (a list of
 * {@code {"conversations": [{"from": "human", "value": ...}, {"from": "gpt", "value": ...}]}}),
 * told apart by the file's first character ({@code [} is ShareGPT).
 *
 * <p>For a ShareGPT conversation the prompt is the first human turn and the output length is the
 * token count of the first gpt turn after it, in the served model's tokenizer, as common serving
 * benchmarks do; conversations without such a pair are skipped and counted. A JSONL line may also
 * hold one ShareGPT conversation. Anything else that does not fit the format is an error naming the
 * file and line.
 */
public final class DatasetFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** For one JSONL line: a second value on the line is an error, not silently dropped. */
    private static final ObjectMapper LINE = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> HUMAN = Set.of("human", "user");
    private static final Set<String> MODEL = Set.of("gpt", "assistant", "chatgpt", "bard", "model");

    /**
     * One usable entry.
     *
     * @param line         line of the file where it starts (1-based)
     * @param prompt       the prompt text; for chat messages, their contents joined by blank lines
     * @param messages     chat messages, or empty for a plain prompt
     * @param outputTokens its own output length, or 0 for none
     * @param reply        the reply whose token count is the output length (ShareGPT), or null
     */
    public record Entry(int line, String prompt, List<ChatMessage> messages, int outputTokens, String reply) {
        public Entry {
            messages = List.copyOf(messages);
        }
    }

    private final Path path;
    private final String format;
    private final List<Entry> entries;
    private final int withoutPair;

    private DatasetFile(Path path, String format, List<Entry> entries, int withoutPair) {
        this.path = path;
        this.format = format;
        this.entries = List.copyOf(entries);
        this.withoutPair = withoutPair;
    }

    public Path path() {
        return path;
    }

    /** {@code jsonl} or {@code sharegpt}. */
    public String format() {
        return format;
    }

    public List<Entry> entries() {
        return entries;
    }

    /** Conversations skipped because they had no human turn followed by a gpt turn. */
    public int withoutPair() {
        return withoutPair;
    }

    /**
     * Reads {@code path}.
     *
     * @throws IllegalArgumentException with one line naming the file (and line) and what to do
     */
    public static DatasetFile read(Path path) {
        if (!Files.exists(path)) {
            throw new UserError("dataset file '" + path + "' does not exist (relative paths start at "
                    + Path.of("").toAbsolutePath() + "): give an existing JSONL or ShareGPT JSON file in @Dataset or "
                    + "-p dataset=...");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new UserError("dataset file '" + path + "' is not a readable file: give a JSONL or "
                    + "ShareGPT JSON file in @Dataset or -p dataset=...");
        }
        try (PushbackReader in = new PushbackReader(Files.newBufferedReader(path, StandardCharsets.UTF_8), 1)) {
            int c;
            int line = 1;
            do {
                c = in.read();
                if (c == '\n') {
                    line++;
                }
            } while (c == '\uFEFF' || (c >= 0 && Character.isWhitespace(c)));
            if (c < 0) {
                throw error(path, line, "the file is empty: a dataset needs at least one prompt");
            }
            in.unread(c);
            return c == '[' ? readShareGpt(path, in, line) : readJsonl(path, in, line);
        } catch (IOException e) {
            throw new UserError("dataset file '" + path + "' cannot be read: " + e.getMessage());
        }
    }

    private static DatasetFile readJsonl(Path path, Reader reader, int firstLine) throws IOException {
        List<Entry> entries = new ArrayList<>();
        int withoutPair = 0;
        BufferedReader in = new BufferedReader(reader);
        int line = firstLine - 1;
        String text;
        while ((text = in.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = LINE.readTree(text);
            } catch (JsonProcessingException e) {
                throw error(path, line, "not valid JSON (" + oneLine(e.getOriginalMessage()) + "); each line of a JSONL file "
                        + "is one object such as {\"prompt\": \"...\"}");
            }
            if (node == null || !node.isObject()) {
                throw error(path, line, "not a JSON object; each line of a JSONL file is one object such as "
                        + "{\"prompt\": \"...\"} or {\"messages\": [...]}");
            }
            if (node.has("conversations")) {
                Entry e = shareGpt(path, line, node, "this line");
                if (e == null) {
                    withoutPair++;
                } else {
                    entries.add(e);
                }
                continue;
            }
            entries.add(jsonl(path, line, node));
        }
        if (entries.isEmpty()) {
            throw error(path, line, withoutPair > 0 ? "none of its " + withoutPair + " conversations has a human turn "
                    + "followed by a gpt turn" : "the file has no entries: a dataset needs at least one prompt");
        }
        return new DatasetFile(path, "jsonl", entries, withoutPair);
    }

    private static Entry jsonl(Path path, int line, JsonNode node) {
        JsonNode prompt = node.get("prompt");
        JsonNode messages = node.get("messages");
        int out = outputTokens(path, line, node.get("output_tokens"));
        if (prompt != null && !prompt.isNull()) {
            if (!prompt.isTextual() || prompt.asText().isEmpty()) {
                throw error(path, line, "\"prompt\" must be a non-empty string, was " + abbreviate(prompt.toString()));
            }
            return new Entry(line, prompt.asText(), List.of(), out, null);
        }
        if (messages != null && !messages.isNull()) {
            if (!messages.isArray() || messages.isEmpty()) {
                throw error(path, line, "\"messages\" must be a non-empty list of {\"role\": ..., \"content\": ...}");
            }
            List<ChatMessage> list = new ArrayList<>();
            int k = 0;
            for (JsonNode m : messages) {
                k++;
                JsonNode role = m.get("role");
                JsonNode content = m.get("content");
                if (!m.isObject() || role == null || !role.isTextual() || content == null || !content.isTextual()) {
                    throw error(path, line, "message " + k + " must be {\"role\": \"...\", \"content\": \"...\"} with "
                            + "string values, was " + abbreviate(m.toString()));
                }
                list.add(new ChatMessage(role.asText(), content.asText()));
            }
            String text = list.stream().map(ChatMessage::content).collect(Collectors.joining("\n\n"));
            return new Entry(line, text, list, out, null);
        }
        throw error(path, line, "needs \"prompt\" (a string) or \"messages\" (a list of {\"role\", \"content\"}), has "
                + abbreviate(fieldNames(node)));
    }

    private static int outputTokens(Path path, int line, JsonNode v) {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw error(path, line, "\"output_tokens\" must be a whole number >= 1, was " + abbreviate(v.toString()));
        }
        return v.asInt();
    }

    private static DatasetFile readShareGpt(Path path, Reader reader, int firstLine) throws IOException {
        List<Entry> entries = new ArrayList<>();
        int withoutPair = 0;
        int index = 0;
        // Jackson counts lines from where it starts reading: add the blank lines skipped before.
        int offset = firstLine - 1;
        try (JsonParser p = JSON.getFactory().createParser(reader)) {
            p.nextToken(); // '['
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw error(path, p.currentLocation().getLineNr() + offset,
                            "the list of conversations is not closed with ']' (truncated file?)");
                }
                int line = p.currentTokenLocation().getLineNr() + offset;
                index++;
                JsonNode node = JSON.readTree(p);
                if (!node.isObject()) {
                    throw error(path, line, "entry " + index + " is not an object; a ShareGPT file is a list of "
                            + "{\"conversations\": [...]}");
                }
                Entry e = shareGpt(path, line, node, "entry " + index);
                if (e == null) {
                    withoutPair++;
                } else {
                    entries.add(e);
                }
            }
            if (p.nextToken() != null) {
                throw error(path, p.currentTokenLocation().getLineNr() + offset,
                        "content after the end of the list of conversations");
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr() + offset;
            throw error(path, line, "not valid JSON (" + oneLine(e.getOriginalMessage()) + ")");
        }
        if (entries.isEmpty()) {
            throw error(path, firstLine, index == 0 ? "the list has no conversations"
                    : "none of its " + index + " conversations has a human turn followed by a gpt turn");
        }
        return new DatasetFile(path, "sharegpt", entries, withoutPair);
    }

    /** The first human turn and the first gpt turn after it, or null when there is no such pair. */
    private static Entry shareGpt(Path path, int line, JsonNode node, String what) {
        JsonNode turns = node.get("conversations");
        if (turns == null || !turns.isArray()) {
            throw error(path, line, what + " has no \"conversations\" list; a ShareGPT entry is "
                    + "{\"conversations\": [{\"from\": \"human\", \"value\": \"...\"}, {\"from\": \"gpt\", ...}]}");
        }
        String prompt = null;
        int k = 0;
        for (JsonNode turn : turns) {
            k++;
            JsonNode from = turn.get("from");
            JsonNode value = turn.get("value");
            if (!turn.isObject() || from == null || !from.isTextual() || value == null || !value.isTextual()) {
                throw error(path, line, what + ", turn " + k + ": must be {\"from\": \"...\", \"value\": \"...\"} with "
                        + "string values, was " + abbreviate(turn.toString()));
            }
            String role = from.asText().toLowerCase(Locale.ROOT);
            if (prompt == null && HUMAN.contains(role) && !value.asText().isEmpty()) {
                prompt = value.asText();
            } else if (prompt != null && MODEL.contains(role)) {
                return new Entry(line, prompt, List.of(), 0, value.asText());
            }
        }
        return null;
    }

    /**
     * Samples {@code count} entries without replacement in a seeded order, skipping those whose
     * prompt plus output tokens exceed {@code maxTokens}; when fewer fit, the ones that do repeat
     * (and the description says so).
     *
     * @param tokenizer          the served model's tokenizer, or null when none is reachable: then
     *                           nothing is skipped and entries without their own output length get
     *                           {@code defaultOutputTokens}
     * @param defaultOutputTokens output length of an entry that has none of its own
     */
    public PromptSet sample(Tokenizer tokenizer, int count, long seed, int maxTokens, int defaultOutputTokens) {
        int[] order = new int[entries.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<String> prompts = new ArrayList<>(count);
        List<Integer> outputs = new ArrayList<>(count);
        List<List<ChatMessage>> messages = new ArrayList<>(count);
        int tooLong = 0;
        int emptyReply = 0;
        for (int k = 0; k < order.length && prompts.size() < count; k++) {
            Entry e = entries.get(order[k]);
            int out;
            if (e.outputTokens() > 0) {
                out = e.outputTokens();
            } else if (e.reply() != null && tokenizer != null) {
                out = tokenizer.encode(e.reply()).length;
            } else {
                out = defaultOutputTokens;
            }
            if (out < 1) {
                emptyReply++;
                continue;
            }
            if (tokenizer != null && tokenizer.promptTokens(e.prompt()) + out > maxTokens) {
                tooLong++;
                continue;
            }
            prompts.add(e.prompt());
            outputs.add(out);
            messages.add(e.messages());
        }
        StringBuilder d = new StringBuilder("dataset ").append(path).append(" (").append(format).append("): ");
        if (prompts.isEmpty()) {
            throw new UserError(d + "none of its " + entries.size() + " entries can be used: "
                    + tooLong + " have more prompt plus output tokens than maxTokens=" + maxTokens + " in "
                    + (tokenizer == null ? "the model's tokenizer" : tokenizer.description()) + ", " + emptyReply
                    + " have an empty reply; raise @Dataset(maxTokens) or use another file");
        }
        int distinct = prompts.size();
        for (int i = distinct; i < count; i++) {
            prompts.add(prompts.get(i % distinct));
            outputs.add(outputs.get(i % distinct));
            messages.add(messages.get(i % distinct));
        }
        d.append(count).append(" prompts sampled with seed ").append(seed).append(" from ").append(entries.size())
                .append(" entries");
        if (withoutPair > 0) {
            d.append(", ").append(withoutPair).append(" conversations without a human/gpt pair left out");
        }
        if (tooLong > 0) {
            d.append(", ").append(tooLong).append(" skipped as longer than maxTokens=").append(maxTokens);
        }
        if (emptyReply > 0) {
            d.append(", ").append(emptyReply).append(" skipped for an empty reply");
        }
        if (distinct < count) {
            d.append("; only ").append(distinct).append(" fit, so prompts repeat (a server's prefix cache may make"
                    + " repeats cheaper: give more entries or a smaller @Prompts(count))");
        }
        if (tokenizer != null) {
            d.append("; lengths in ").append(tokenizer.description());
        } else {
            d.append("; lengths not controlled: no tokenizer is reachable, so replies are not counted (output lengths"
                    + " are output_tokens or @Prompts(outputTokens)) and prompt token counts come from the server's usage");
        }
        boolean anyMessages = messages.stream().anyMatch(m -> !m.isEmpty());
        return new PromptSet(prompts, -1, d.toString(), outputs, anyMessages ? messages : List.of());
    }

    private static IllegalArgumentException error(Path path, int line, String message) {
        return new IllegalArgumentException("dataset " + path + (line > 0 ? ":" + line : "") + ": " + message);
    }

    private static String fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.isEmpty() ? "no fields" : "fields " + String.join(", ", names);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 80) + "...";
    }
}
