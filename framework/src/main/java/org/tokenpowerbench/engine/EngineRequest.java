package org.tokenpowerbench.engine;

import java.util.Locale;

/**
 * What a trial asks of an engine. Providers receive this record rather than a list of arguments,
 * so that a field added later (a GPU set, a port range) reaches the providers that read it and
 * leaves the others untouched.
 *
 * @param engine         the engine value as the user wrote it, trimmed (never null): {@code embedded},
 *                       {@code http://host:8000;tokenizer=/path}, ...; its scheme picks the provider
 * @param model          the {@code @Model} value: a GGUF path, {@code synthetic:<shape>}, or the
 *                       model id a server serves
 * @param quantization   the {@code @Quantization} value, e.g. {@code f16}, {@code auto}
 * @param slots          the largest number of requests that will be in flight at once; 0 when the
 *                       request only checks the value before any fork and the number is not known yet
 * @param contextPerSlot tokens each slot must hold (prompt plus output); 0 when not known
 * @param apiKey         the bearer token for a server, or null; never printed ({@link #toString()} hides it)
 */
public record EngineRequest(String engine, String model, String quantization, int slots, int contextPerSlot,
                            String apiKey) {

    public EngineRequest {
        engine = engine == null ? "" : engine.trim();
        if (slots < 0 || contextPerSlot < 0) {
            throw new IllegalArgumentException("slots " + slots + " and context per slot " + contextPerSlot
                    + " must not be negative");
        }
    }

    /**
     * What the host knows before any fork starts, for {@link EngineProvider#check}: the values,
     * but neither the slots nor the context per slot nor the key.
     */
    public static EngineRequest beforeFork(String engine, String model, String quantization) {
        return new EngineRequest(engine, model, quantization, 0, 0, null);
    }

    /**
     * The engine value's scheme in lower case: the text before its first {@code :} or {@code ;}
     * ({@code embedded}, {@code http}, {@code launch}), or the whole value when it has neither.
     */
    public String scheme() {
        int end = engine.length();
        for (int i = 0; i < engine.length(); i++) {
            char c = engine.charAt(i);
            if (c == ':' || c == ';') {
                end = i;
                break;
            }
        }
        return engine.substring(0, end).trim().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "EngineRequest[" + engine + ", model=" + model + ", quantization=" + quantization + ", slots=" + slots
                + ", contextPerSlot=" + contextPerSlot + (apiKey == null ? "" : ", apiKey=<hidden>") + "]";
    }
}
