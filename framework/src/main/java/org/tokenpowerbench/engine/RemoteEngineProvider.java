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
