package org.tokenpowerbench.engine.gguf;

/**
 * What a Hugging Face {@code config.json} says beyond a {@link ModelShape}'s dimensions, so that an
 * engine that builds the real architecture (vLLM, SGLang with {@code --load-format dummy}) builds
 * the same network as the published model, with random weights. The GGUF writer needs none of it:
 * it writes every shape in llama's layout.
 *
 * @param architecture       the {@code architectures} entry, e.g. {@code LlamaForCausalLM}
 * @param modelType          the {@code model_type}, e.g. {@code llama}, {@code qwen2}, {@code mistral}
 * @param ropeTheta          {@code rope_theta}
 * @param llama3RopeFactor   the {@code factor} of a {@code rope_scaling} of type {@code llama3}, 0 for none
 * @param tiedEmbeddings     {@code tie_word_embeddings}
 * @param source             where the dimensions come from (the published {@code config.json}), or
 *                           null for a shape of our own
 */
public record HfArchitecture(String architecture, String modelType, double ropeTheta, double llama3RopeFactor,
                             boolean tiedEmbeddings, String source) {

    /** Our own shapes ({@code llama-tiny}, {@code llama-100m}): plain llama, as the GGUF writer writes them. */
    public static final HfArchitecture OWN_LLAMA = new HfArchitecture("LlamaForCausalLM", "llama",
            SyntheticModel.ROPE_FREQ_BASE, 0, false, null);
}
