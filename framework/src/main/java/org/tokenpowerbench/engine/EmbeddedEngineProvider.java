package org.tokenpowerbench.engine;

import java.util.Set;

/**
 * {@code embedded}: llama.cpp in the trial's own JVM behind our loopback endpoint
 * ({@link EmbeddedEngine}). The value takes no options; the model comes from {@code @Model}.
 */
public final class EmbeddedEngineProvider implements EngineProvider {

    @Override
    public Set<String> schemes() {
        return Set.of("embedded");
    }

    @Override
    public String example() {
        return "embedded (llama.cpp in this JVM)";
    }

    /** The model value: a known synthetic shape and quantization, or an existing GGUF file. */
    @Override
    public void check(EngineRequest request) {
        takesNoOptions(request);
        ModelFile.check(request.model(), request.quantization());
    }

    @Override
    public RunningEngine open(EngineRequest request) {
        takesNoOptions(request);
        if (request.slots() < 1) {
            throw new IllegalArgumentException("the embedded engine needs at least one slot, not " + request.slots());
        }
        return EmbeddedEngine.start(request.model(), request.quantization(), request.slots(), request.contextPerSlot());
    }

    /** {@code embedded;tokenizer=...}: the embedded engine counts with its model's own vocabulary. */
    private static void takesNoOptions(EngineRequest request) {
        if (!request.engine().equalsIgnoreCase("embedded")) {
            throw new EngineException("engine '" + request.engine() + "': the embedded engine takes no options (it counts"
                    + " tokens with its model's own vocabulary); options such as ;tokenizer=/path/to/tokenizer.json"
                    + " follow a server's URL");
        }
    }
}
