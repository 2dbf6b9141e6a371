package org.tokenpowerbench.engine;

import java.util.Set;

/**
 * {@code http://} and {@code https://}: a server someone else started ({@link RemoteEngine}),
 * named by its base URL and options after semicolons ({@link RemoteEngineValue}).
 */
public final class RemoteEngineProvider implements EngineProvider {

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public String example() {
        return "http://localhost:8000 (the base URL of an OpenAI-compatible server)";
    }

    /**
     * That the server answers {@code GET /v1/models} with success, or with 401/403 (the key is
     * not known before the fork), so that 404 and 5xx stop the run before the first trial; whether
     * it serves the model, with the key, is checked when the trial opens. And that a tokenizer file
     * the value names loads.
     */
    @Override
    public void check(EngineRequest request) {
        RemoteEngine.checkReachable(url(request));
    }

    @Override
    public RunningEngine open(EngineRequest request) {
        return RemoteEngine.connect(url(request), request.model(), request.apiKey());
    }

    /**
     * The environment variable that an {@code http(s)} engine value names for its API key
     * ({@code ;apiKeyEnv=NAME}), or null when it names none or is not a server's URL. The session
     * reads the key from it in place of {@code @Engine(apiKeyEnv)}.
     *
     * @throws EngineException when the value's options are not allowed
     */
    public static String apiKeyEnv(String engineValue) {
        String v = engineValue == null ? "" : engineValue.trim().toLowerCase(java.util.Locale.ROOT);
        if (!v.startsWith("http://") && !v.startsWith("https://")) {
            return null;
        }
        return RemoteEngineValue.parse(engineValue).apiKeyEnv();
    }

    /** {@code http:host} without {@code //} is a typo that would otherwise read as a relative URL. */
    private static String url(EngineRequest request) {
        String value = request.engine();
        if (!value.regionMatches(true, request.scheme().length(), "://", 0, 3)) {
            throw new EngineException("engine '" + value + "' is not a base URL: write it as " + request.scheme()
                    + "://host:port, e.g. -p engine=http://localhost:8000");
        }
        return value;
    }
}
