package org.tokenpowerbench.jmh;

/**
 * One point of a sweep, as the generated harness passes it to {@link InferenceSession}: the
 * values of every JMH {@code @Param} plus the constants of the annotated class.
 */
public record BenchmarkSpec(
        String benchmarkClass,
        String model,
        String quantization,
        int batch,
        int inputTokens,
        int outputTokens,
        int prompts,
        long seed,
        String engine,
        String api,
        String apiKeyEnv) {

    /** The parameter values, for file names and result rows; never includes the API key. */
    public String describe() {
        return "model=" + model + " quantization=" + quantization + " batch=" + batch + " inputTokens=" + inputTokens
                + " outputTokens=" + outputTokens + " prompts=" + prompts + " engine=" + engine + " api=" + api;
    }
}
