package org.tokenpowerbench.engine.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The header of a GGUF file: metadata and tensor infos, without the tensor data.
 *
 * @param version    the GGUF version (2 or 3)
 * @param metadata   the metadata key-value pairs, in file order
 * @param tensors    the tensor infos, in file order
 * @param alignment  the data alignment ({@code general.alignment}, 32 when absent)
 * @param dataOffset the absolute file offset where tensor data starts
 */
public record GgufFile(int version, Map<String, GgufValue> metadata, List<GgufTensorInfo> tensors,
                       int alignment, long dataOffset) {

    /**
     * Makes unmodifiable copies of the collections, keeping their order.
     *
     * @param version the GGUF version
     * @param metadata the metadata in file order
     * @param tensors the tensor infos in file order
     * @param alignment the data alignment
     * @param dataOffset the absolute offset of the tensor data
     */
    public GgufFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        tensors = List.copyOf(tensors);
    }

    /**
     * @param key a metadata key
     * @return the value, or empty when the key is absent
     */
    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /**
     * @param key a metadata key
     * @return the string value, or empty when absent or not a string
     */
    public Optional<String> getString(String key) {
        GgufValue v = metadata.get(key);
        return v != null && v.type() == GgufValueType.STRING ? Optional.of((String) v.value()) : Optional.empty();
    }

    /**
     * @param key a metadata key
     * @return the value of an integer of any width, or empty when absent or not an integer
     */
    public OptionalLong getLong(String key) {
        GgufValue v = metadata.get(key);
        return v != null && v.type().isInteger() ? OptionalLong.of((Long) v.value()) : OptionalLong.empty();
    }

    /**
     * @param key a metadata key
     * @return the boolean value, or empty when absent or not a bool
     */
    public Optional<Boolean> getBool(String key) {
        GgufValue v = metadata.get(key);
        return v != null && v.type() == GgufValueType.BOOL ? Optional.of((Boolean) v.value()) : Optional.empty();
    }

    /** @return {@code general.architecture}, e.g. {@code llama}, or empty when absent */
    public Optional<String> architecture() {
        return getString("general.architecture");
    }

    /**
     * @return {@code general.file_type} (llama.cpp's {@code llama_ftype}: 0 all F32, 1 mostly F16,
     *         2 mostly Q4_0, 7 mostly Q8_0, ...), or empty when absent
     */
    public OptionalLong fileType() {
        return getLong("general.file_type");
    }

    /** @return {@code tokenizer.ggml.add_bos_token}, or empty when the file does not say */
    public Optional<Boolean> addBosToken() {
        return getBool("tokenizer.ggml.add_bos_token");
    }

    /**
     * Whether llama.cpp puts a BOS token in front of tokenized text for this model: the value of
     * {@code tokenizer.ggml.add_bos_token} when present, else llama.cpp's default for the tokenizer
     * family in {@code tokenizer.ggml.model}: true for {@code llama} (SentencePiece) and
     * {@code bert} (WordPiece); for {@code gpt2} (BPE) true only for the LLaMA-3 pre-tokenizers
     * ({@code tokenizer.ggml.pre} {@code llama3}, {@code llama-v3}, {@code llama-bpe}); false otherwise.
     * Files written by current converters carry the key, so the fallback rarely matters.
     *
     * @return whether a BOS token is added
     */
    public boolean addsBosToken() {
        Optional<Boolean> explicit = addBosToken();
        if (explicit.isPresent()) {
            return explicit.get();
        }
        String model = getString("tokenizer.ggml.model").orElse("");
        return switch (model) {
            case "llama", "bert" -> true;
            case "gpt2" -> switch (getString("tokenizer.ggml.pre").orElse("")) {
                case "llama3", "llama-v3", "llama-bpe" -> true;
                default -> false;
            };
            default -> false;
        };
    }

    /**
     * @param name a tensor name
     * @return its info, or empty when the file has no such tensor
     */
    public Optional<GgufTensorInfo> tensor(String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
