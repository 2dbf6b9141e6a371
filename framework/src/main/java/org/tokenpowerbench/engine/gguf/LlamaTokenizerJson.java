package org.tokenpowerbench.engine.gguf;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face {@code tokenizer.json} for the SentencePiece vocabulary of a GGUF file
 * ({@code tokenizer.ggml.model = "llama"}), with our own code and nothing fetched: the layout the
 * Hugging Face Llama tokenizers use.
 *
 * <ul>
 *   <li>normalizer: prepend {@code ▁}, then every space becomes {@code ▁} (llama.cpp's
 *       {@code add_space_prefix} and whitespace escape); no pre-tokenizer, so the whole text is one
 *       word, as in llama.cpp's SPM session;</li>
 *   <li>model: BPE over the GGUF vocabulary with {@code byte_fallback} (a character outside the
 *       vocabulary becomes its UTF-8 bytes {@code <0xNN>}); its merges are every split
 *       {@code left + right} of a token whose halves are both tokens, ranked by the merged
 *       token's score, highest first (llama.cpp merges the adjacent pair whose concatenation has
 *       the highest score); within one token by the halves' ids, as Hugging Face's own converter
 *       orders them;</li>
 *   <li>added tokens: the unknown and control tokens, special; post-processor: the BOS token in
 *       front when the GGUF says llama.cpp adds one.</li>
 * </ul>
 *
 * <p>Known difference from llama.cpp's SPM: llama.cpp breaks ties between two pairs that merge
 * into the same token by position (leftmost first), a BPE merge list by rank. It shows only where
 * two overlapping pairs concatenate to the same string (e.g. {@code ab|a|ba}).
 *
 * <p>Why in the framework: a synthetic model served by a separate engine needs a tokenizer file
 * beside its {@code config.json} (vLLM and SGLang load one at start), and the client counts with
 * the same file where a server sends no usage. Tests use it too, to compare a tokenizer.json
 * against llama.cpp's tokenization of the same vocabulary.
 */
public final class LlamaTokenizerJson {

    private static final String SPACE = "\u2581";
    private static final int TYPE_UNKNOWN = 2;
    private static final int TYPE_CONTROL = 3;

    private LlamaTokenizerJson() {
    }

    /** The vocabulary of {@code gguf} as a tokenizer.json at {@code out}; returns {@code out}. */
    public static Path write(Path gguf, Path out) throws IOException {
        GgufFile file = GgufReader.read(gguf);
        String model = file.getString("tokenizer.ggml.model").orElse("");
        if (!model.equals("llama")) {
            throw new IllegalArgumentException(gguf + ": tokenizer.ggml.model is '" + model + "', not llama (SentencePiece)");
        }
        List<String> tokens = strings(file, "tokenizer.ggml.tokens");
        List<?> scoreList = file.get("tokenizer.ggml.scores").orElseThrow().asList();
        List<?> typeList = file.get("tokenizer.ggml.token_type").orElseThrow().asList();
        float[] scores = new float[tokens.size()];
        int[] types = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            scores[i] = ((Number) scoreList.get(i)).floatValue();
            types[i] = ((Number) typeList.get(i)).intValue();
        }
        int unk = (int) file.getLong("tokenizer.ggml.unknown_token_id").orElse(0);
        int bos = (int) file.getLong("tokenizer.ggml.bos_token_id").orElse(1);
        return write(tokens, scores, types, unk, bos, file.addsBosToken(), out);
    }

    /** A synthetic model's vocabulary as a tokenizer.json at {@code out} (BOS added, as the GGUF writer says); returns {@code out}. */
    public static Path write(SyntheticVocabulary vocabulary, Path out) throws IOException {
        return write(vocabulary.tokens(), vocabulary.scores(), vocabulary.tokenTypes(), SyntheticVocabulary.UNK_ID,
                SyntheticVocabulary.BOS_ID, true, out);
    }

    private static Path write(List<String> tokens, float[] scores, int[] types, int unk, int bos, boolean addBos,
                              Path out) throws IOException {
        Map<String, Integer> ids = new HashMap<>(tokens.size() * 2);
        for (int i = 0; i < tokens.size(); i++) {
            ids.putIfAbsent(tokens.get(i), i);
        }
        List<Merge> merges = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            String piece = tokens.get(id);
            float score = scores[id];
            List<Merge> local = new ArrayList<>();
            int[] cps = piece.codePoints().toArray();
            for (int k = 1; k < cps.length; k++) {
                String left = new String(cps, 0, k);
                String right = new String(cps, k, cps.length - k);
                Integer l = ids.get(left);
                Integer r = ids.get(right);
                if (l != null && r != null) {
                    local.add(new Merge(left, right, l, r, score));
                }
            }
            local.sort(Comparator.comparingInt(Merge::leftId).thenComparingInt(Merge::rightId));
            merges.addAll(local);
        }
        // stable: equal scores keep the order above
        merges.sort(Comparator.comparingDouble((Merge m) -> m.score).reversed());

        try (JsonGenerator g = new JsonFactory().createGenerator(out.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("version", "1.0");
            g.writeNullField("truncation");
            g.writeNullField("padding");
            g.writeArrayFieldStart("added_tokens");
            for (int id = 0; id < tokens.size(); id++) {
                int type = types[id];
                if (type == TYPE_UNKNOWN || type == TYPE_CONTROL) {
                    g.writeStartObject();
                    g.writeNumberField("id", id);
                    g.writeStringField("content", tokens.get(id));
                    g.writeBooleanField("single_word", false);
                    g.writeBooleanField("lstrip", false);
                    g.writeBooleanField("rstrip", false);
                    g.writeBooleanField("normalized", false);
                    g.writeBooleanField("special", true);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();

            g.writeObjectFieldStart("normalizer");
            g.writeStringField("type", "Sequence");
            g.writeArrayFieldStart("normalizers");
            g.writeStartObject();
            g.writeStringField("type", "Prepend");
            g.writeStringField("prepend", SPACE);
            g.writeEndObject();
            g.writeStartObject();
            g.writeStringField("type", "Replace");
            g.writeObjectFieldStart("pattern");
            g.writeStringField("String", " ");
            g.writeEndObject();
            g.writeStringField("content", SPACE);
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();

            g.writeNullField("pre_tokenizer");

            g.writeObjectFieldStart("post_processor");
            g.writeStringField("type", "TemplateProcessing");
            g.writeArrayFieldStart("single");
            if (addBos) {
                specialPiece(g, tokens.get(bos));
            }
            sequencePiece(g, "A");
            g.writeEndArray();
            g.writeArrayFieldStart("pair");
            if (addBos) {
                specialPiece(g, tokens.get(bos));
            }
            sequencePiece(g, "A");
            if (addBos) {
                specialPiece(g, tokens.get(bos));
            }
            sequencePiece(g, "B");
            g.writeEndArray();
            g.writeObjectFieldStart("special_tokens");
            if (addBos) {
                g.writeObjectFieldStart(tokens.get(bos));
                g.writeStringField("id", tokens.get(bos));
                g.writeArrayFieldStart("ids");
                g.writeNumber(bos);
                g.writeEndArray();
                g.writeArrayFieldStart("tokens");
                g.writeString(tokens.get(bos));
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();

            g.writeObjectFieldStart("decoder");
            g.writeStringField("type", "Sequence");
            g.writeArrayFieldStart("decoders");
            g.writeStartObject();
            g.writeStringField("type", "Replace");
            g.writeObjectFieldStart("pattern");
            g.writeStringField("String", SPACE);
            g.writeEndObject();
            g.writeStringField("content", " ");
            g.writeEndObject();
            g.writeStartObject();
            g.writeStringField("type", "ByteFallback");
            g.writeEndObject();
            g.writeStartObject();
            g.writeStringField("type", "Fuse");
            g.writeEndObject();
            g.writeStartObject();
            g.writeStringField("type", "Strip");
            g.writeStringField("content", " ");
            g.writeNumberField("start", 1);
            g.writeNumberField("stop", 0);
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();

            g.writeObjectFieldStart("model");
            g.writeStringField("type", "BPE");
            g.writeNullField("dropout");
            g.writeStringField("unk_token", tokens.get(unk));
            g.writeNullField("continuing_subword_prefix");
            g.writeNullField("end_of_word_suffix");
            g.writeBooleanField("fuse_unk", true);
            g.writeBooleanField("byte_fallback", true);
            g.writeBooleanField("ignore_merges", false);
            g.writeObjectFieldStart("vocab");
            for (int id = 0; id < tokens.size(); id++) {
                if (ids.get(tokens.get(id)) == id) {
                    g.writeNumberField(tokens.get(id), id);
                }
            }
            g.writeEndObject();
            g.writeArrayFieldStart("merges");
            for (Merge m : merges) {
                g.writeStartArray();
                g.writeString(m.left);
                g.writeString(m.right);
                g.writeEndArray();
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        }
        return out;
    }

    private static void specialPiece(JsonGenerator g, String token) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("SpecialToken");
        g.writeStringField("id", token);
        g.writeNumberField("type_id", 0);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void sequencePiece(JsonGenerator g, String id) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("Sequence");
        g.writeStringField("id", id);
        g.writeNumberField("type_id", 0);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static List<String> strings(GgufFile file, String key) {
        List<String> out = new ArrayList<>();
        for (Object o : file.get(key).orElseThrow(() -> new IllegalArgumentException("no " + key)).asList()) {
            out.add((String) o);
        }
        return out;
    }

    private record Merge(String left, String right, int leftId, int rightId, float score) {
    }
}
