package org.tokenpowerbench.client;

/**
 * An OpenAI-compatible server ready to take requests.
 *
 * @param baseUrl   without a trailing slash and without {@code /v1}, e.g. {@code http://127.0.0.1:41234}
 * @param modelId   the value sent as {@code model}
 * @param apiKey    bearer token, or null; never printed ({@link #toString()} hides it)
 * @param tokenizer the served model's tokenizer (the embedded vocabulary, a {@code tokenizer.json}
 *                  the user named, or the server's {@code /tokenize}), or null when there is none;
 *                  it counts tokens only where the server sends no {@code usage}
 * @param continuousUsage whether to ask for usage in every chunk ({@code continuous_usage_stats},
 *                  vLLM and SGLang), so that a chunk's own token count divides its ITL exactly
 * @param freshPrefixCache whether to give every request a {@code cache_salt} of its own (vLLM), so
 *                  that a prompt sent again in a later wave is prefilled again instead of being
 *                  served from the server's prefix cache
 */
public record Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer, boolean continuousUsage,
                       boolean freshPrefixCache) {

    /** An endpoint that asks for usage once, at the end of the stream (what every server supports). */
    public Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer) {
        this(baseUrl, modelId, apiKey, tokenizer, false, false);
    }

    public Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer, boolean continuousUsage) {
        this(baseUrl, modelId, apiKey, tokenizer, continuousUsage, false);
    }

    @Override
    public String toString() {
        return "Endpoint[" + baseUrl + ", model=" + modelId + (apiKey == null ? "" : ", apiKey=<hidden>") + "]";
    }
}
