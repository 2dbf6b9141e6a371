package org.tokenpowerbench.client;

import org.tokenpowerbench.UserError;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Extra fields for every request body: sampling settings ({@code temperature}, {@code top_p},
 * {@code seed}, {@code stop}, ...) and engine-specific ones ({@code repetition_penalty},
 * {@code cache_prompt}, ...), merged into the body the client builds.
 *
 * <p>Written either as a JSON object, {@code {"temperature": 0.7, "stop": ["\n\n", "END"]}}, or,
 * so that it survives {@code -p} (which splits at commas), as {@code name=value} pairs separated
 * by {@code ;}: {@code temperature=0.7;top_p=0.9;seed=7}. A pair's value is read as JSON where it
 * is JSON ({@code 0.7}, {@code true}, {@code "text"}, {@code ["a"]}) and as a string otherwise; a
 * value that holds a {@code ;} needs the JSON form.
 *
 * <p>The fields that make the measurement what it is cannot be set here: the model, the prompt
 * or messages, streaming and its usage report, the output length ({@code max_tokens},
 * {@code min_tokens}, {@code ignore_eos}: use {@code outputTokens}) and the number of choices.
 *
 * @param fields the fields, as a JSON object (empty for none); never modified
 */
public record RequestBodyFields(ObjectNode fields) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No extra fields. */
    public static final RequestBodyFields NONE = new RequestBodyFields(JSON.createObjectNode());

    /** Fields the benchmark controls, with what to use instead. */
    private static final Map<String, String> CONTROLLED = Map.ofEntries(
            Map.entry("model", "the model comes from -p model"),
            Map.entry("prompt", "prompts come from @Prompts, @Dataset or @ContextLength"),
            Map.entry("messages", "prompts come from @Prompts, @Dataset or @ContextLength"),
            Map.entry("stream", "every request streams, or no TTFT could be measured"),
            Map.entry("stream_options", "usage is always requested, for exact token counts"),
            Map.entry("max_tokens", "the output length is -p outputTokens"),
            Map.entry("max_completion_tokens", "the output length is -p outputTokens"),
            Map.entry("min_tokens", "the output length is -p outputTokens"),
            Map.entry("ignore_eos", "the output length is -p outputTokens, enforced with ignore_eos"),
            Map.entry("n", "one choice per request: token counts and timings are per choice"),
            Map.entry("best_of", "one choice per request: token counts and timings are per choice"));

    /**
     * Parses a parameter value; the error names the value and what to do.
     *
     * @param parameter the parameter it came from, for messages (e.g. {@code requestFields})
     */
    public static RequestBodyFields parse(String parameter, String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty() || v.equals("{}") || v.equalsIgnoreCase("none")) {
            return NONE;
        }
        ObjectNode fields;
        if (v.startsWith("{")) {
            JsonNode node;
            try {
                node = JSON.readTree(v);
            } catch (JsonProcessingException e) {
                throw new UserError(parameter + "=" + v + " is not a JSON object ("
                        + e.getOriginalMessage() + "): write it as {\"temperature\": 0.7} or as temperature=0.7;top_p=0.9");
            }
            if (!(node instanceof ObjectNode object)) {
                throw new UserError(parameter + "=" + v + " is not a JSON object: write it as "
                        + "{\"temperature\": 0.7} or as temperature=0.7;top_p=0.9");
            }
            fields = object;
        } else {
            fields = JSON.createObjectNode();
            for (String pair : v.split(";")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = eq < 0 ? "" : pair.substring(0, eq).trim();
                if (name.isEmpty()) {
                    throw new UserError(parameter + "=" + v + ": '" + pair.trim() + "' is not name=value;"
                            + " write fields as temperature=0.7;top_p=0.9 (or as a JSON object)");
                }
                fields.set(name, value(pair.substring(eq + 1).trim()));
            }
        }
        for (Iterator<String> names = fields.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            String why = CONTROLLED.get(name);
            if (why != null) {
                throw new UserError(parameter + " sets '" + name + "', which the benchmark controls ("
                        + why + "): remove it from " + parameter);
            }
        }
        return new RequestBodyFields(fields.deepCopy());
    }

    private static JsonNode value(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n != null && !n.isMissingNode()) {
                return n;
            }
        } catch (JsonProcessingException e) {
            // not JSON: the text itself
        }
        return JSON.getNodeFactory().textNode(text);
    }

    /** A copy of the fields. */
    @Override
    public ObjectNode fields() {
        return fields.deepCopy();
    }

    /** The names of the fields, for results and messages. */
    public Set<String> names() {
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        fields.fieldNames().forEachRemaining(out::add);
        return out;
    }

    /** Puts every field into {@code body}, replacing a default the client set (e.g. {@code temperature}). */
    void mergeInto(ObjectNode body) {
        fields.fields().forEachRemaining(e -> body.set(e.getKey(), e.getValue().deepCopy()));
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** The fields as one JSON object, e.g. for the results. */
    @Override
    public String toString() {
        return fields.toString();
    }
}
