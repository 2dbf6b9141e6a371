package org.tokenpowerbench.engine;

import java.util.Locale;
import org.tokenpowerbench.client.Endpoint;

/** An endpoint that is up and ready, and whatever must be stopped when the trial ends. */
public interface OpenEngine extends AutoCloseable {

    Endpoint endpoint();

    /** One line for the results, e.g. {@code embedded llama.cpp (4 slots) serving /path/model.gguf}. */
    String description();

    @Override
    void close();

    /**
     * Checks, before any fork starts, what can be checked cheaply: the engine value, and for the
     * embedded engine the model value (a known synthetic shape and quantization, or an existing
     * GGUF file); for a server, that it answers HTTP at all (whether it serves the model, with
     * the key, is checked when the trial opens) and that a tokenizer file its value names loads.
     *
     * @throws EngineException with one line that names the value and says what to do
     */
    static void check(String engine, String model, String quantization) {
        String e = engine == null ? "" : engine.trim();
        String lower = e.toLowerCase(Locale.ROOT);
        embeddedTakesNoOptions(lower, engine);
        if (e.equalsIgnoreCase("embedded")) {
            ModelFile.check(model, quantization);
        } else if (lower.startsWith("http://") || lower.startsWith("https://")) {
            RemoteEngine.checkReachable(e);
        } else {
            throw new EngineException("engine '" + engine + "' is not known: use 'embedded' or the base URL of an "
                    + "OpenAI-compatible server, e.g. http://localhost:8000");
        }
    }

    /**
     * Opens the engine a benchmark names: {@code embedded}, or the base URL of a server,
     * optionally followed by {@code ;tokenizer=/path/to/tokenizer.json} (see {@link RemoteEngineValue}).
     *
     * @param slots the largest number of requests that will be in flight at once
     * @param contextPerSlot tokens each slot must hold (prompt plus output)
     * @throws EngineException with one line that names the value and says what to do
     */
    static OpenEngine open(String engine, String model, String quantization, int slots, int contextPerSlot, String apiKey) {
        String e = engine == null ? "" : engine.trim();
        if (e.equalsIgnoreCase("embedded")) {
            return EmbeddedEngine.start(model, quantization, slots, contextPerSlot);
        }
        String lower = e.toLowerCase(Locale.ROOT);
        embeddedTakesNoOptions(lower, engine);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            return RemoteEngine.connect(e, model, apiKey);
        }
        throw new EngineException("engine '" + engine + "' is not known: use 'embedded' or the base URL of an "
                + "OpenAI-compatible server, e.g. http://localhost:8000");
    }

    /** {@code embedded;tokenizer=...}: the embedded engine counts with its model's own vocabulary. */
    private static void embeddedTakesNoOptions(String lower, String engine) {
        if (lower.startsWith("embedded;")) {
            throw new EngineException("engine '" + engine + "': the embedded engine takes no options (it counts tokens"
                    + " with its model's own vocabulary); options such as ;tokenizer=/path/to/tokenizer.json follow a"
                    + " server's URL");
        }
    }
}
