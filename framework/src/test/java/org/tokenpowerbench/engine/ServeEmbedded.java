package org.tokenpowerbench.engine;

import java.io.IOException;

/**
 * The embedded engine as a process of its own, as a user's vLLM or llama-server is: prints
 * {@code URL <base url> MODEL <model id>} once it serves, and serves until its standard input
 * closes or it is killed. Tests use it to make a real engine die mid-iteration.
 *
 * <p>Arguments: model, slots, context per slot.
 */
public final class ServeEmbedded {

    private ServeEmbedded() {
    }

    public static void main(String[] args) throws IOException {
        try (RunningEngine engine = Engines.open(new EngineRequest("embedded", args[0], "f16", Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), null))) {
            System.out.println("URL " + engine.endpoint().baseUrl() + " MODEL " + engine.endpoint().modelId());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the parent closes our standard input
            }
        }
    }
}
