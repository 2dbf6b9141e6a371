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
 * @param replicas  the base URLs of every replica of a deployment that serves the model, in the
 *                  order the user named them (a request row's {@code replica} is an index into it),
 *                  the first being {@code baseUrl}; a single server is a list of that one
 * @param route     how requests are shared among the replicas; irrelevant for one
 * @param unreachable indices of replicas that did not answer when the trial opened: no request is
 *                  routed to them (they keep their index, so that {@code replica.<i>} means the same
 *                  server in every trial); never every replica
 */
public record Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer, boolean continuousUsage,
                       boolean freshPrefixCache, java.util.List<String> replicas, Route route,
                       java.util.Set<Integer> unreachable) {

    public Endpoint {
        replicas = replicas == null || replicas.isEmpty() ? java.util.List.of(baseUrl) : java.util.List.copyOf(replicas);
        route = route == null ? Route.ROUND_ROBIN : route;
        unreachable = unreachable == null ? java.util.Set.of() : java.util.Set.copyOf(unreachable);
        if (!replicas.get(0).equals(baseUrl)) {
            throw new IllegalArgumentException("the first replica " + replicas.get(0) + " is not the base URL " + baseUrl);
        }
        for (int i : unreachable) {
            if (i < 0 || i >= replicas.size()) {
                throw new IllegalArgumentException("unreachable replica " + i + " of " + replicas.size());
            }
        }
        if (unreachable.size() >= replicas.size()) {
            throw new IllegalArgumentException("every replica is unreachable: nothing to measure");
        }
    }

    /** Every replica reachable. */
    public Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer, boolean continuousUsage,
                    boolean freshPrefixCache, java.util.List<String> replicas, Route route) {
        this(baseUrl, modelId, apiKey, tokenizer, continuousUsage, freshPrefixCache, replicas, route, null);
    }

    /** One server. */
    public Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer, boolean continuousUsage,
                    boolean freshPrefixCache) {
        this(baseUrl, modelId, apiKey, tokenizer, continuousUsage, freshPrefixCache, null, null);
    }

    /** Whether requests are spread over several replicas, so that each row says which one served it. */
    public boolean replicated() {
        return replicas.size() > 1;
    }

    /** An endpoint that asks for usage once, at the end of the stream (what every server supports). */
    public Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer) {
        this(baseUrl, modelId, apiKey, tokenizer, false, false);
    }

    public Endpoint(String baseUrl, String modelId, String apiKey, Tokenizer tokenizer, boolean continuousUsage) {
        this(baseUrl, modelId, apiKey, tokenizer, continuousUsage, false);
    }

    @Override
    public String toString() {
        return "Endpoint[" + (replicated() ? String.join("|", replicas) + " by " + route.label() : baseUrl) + ", model=" + modelId + (apiKey == null ? "" : ", apiKey=<hidden>") + "]";
    }
}
