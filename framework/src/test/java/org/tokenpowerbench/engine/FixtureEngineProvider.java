package org.tokenpowerbench.engine;

import java.util.Set;
import org.tokenpowerbench.client.Endpoint;

/**
 * An engine kind that only the tests register (in the test sources'
 * {@code META-INF/services/org.tokenpowerbench.engine.EngineProvider}), standing in for a third
 * party's jar: {@code fixture:<base url>} "opens" an endpoint at that URL and remembers the
 * request it was opened with. A value containing {@code reject-check} fails its check and one
 * containing {@code reject-open} fails its open, so tests see which of the two was called.
 */
public final class FixtureEngineProvider implements EngineProvider {

    /** What {@link #open} returns: the request as the provider received it. */
    record Opened(EngineRequest request, Endpoint endpoint) implements RunningEngine {
        @Override
        public String description() {
            return "fixture engine at " + endpoint.baseUrl();
        }

        @Override
        public void close() {
            // nothing was started
        }
    }

    @Override
    public Set<String> schemes() {
        return Set.of("fixture");
    }

    @Override
    public String example() {
        return "fixture:http://127.0.0.1:1 (a test engine)";
    }

    @Override
    public void check(EngineRequest request) {
        if (request.engine().contains("reject-check")) {
            throw new EngineException("fixture check rejects '" + request.engine() + "'");
        }
    }

    @Override
    public RunningEngine open(EngineRequest request) {
        if (request.engine().contains("reject-open")) {
            throw new EngineException("fixture open rejects '" + request.engine() + "'");
        }
        String url = request.engine().substring(request.engine().indexOf(':') + 1);
        return new Opened(request, new Endpoint(url, request.model(), request.apiKey(), null));
    }
}
