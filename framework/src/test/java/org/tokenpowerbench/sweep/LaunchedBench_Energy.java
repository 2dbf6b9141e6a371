package org.tokenpowerbench.sweep;

import org.openjdk.jmh.annotations.Param;
import org.tokenpowerbench.jmh.BenchmarkSpec;

/**
 * Shaped as the annotation processor writes a benchmark (see its golden files): {@code @Param}
 * fields and {@code benchmarkSpec()}, with a constant (the seed) that no parameter carries, so the
 * host's {@link TrialSpec} is tested on what it really meets.
 */
public class LaunchedBench_Energy {

    @Param({"synthetic:llama-tiny"})
    public String model;

    @Param({"f16"})
    public String quantization;

    @Param({"1"})
    public int batch;

    @Param({"128"})
    public int inputTokens;

    @Param({"64"})
    public int outputTokens;

    @Param({"16"})
    public int prompts;

    @Param({"launch:fake"})
    public String engine;

    public BenchmarkSpec benchmarkSpec() {
        return BenchmarkSpec.builder("demo.LaunchedBench")
                .set("model", model)
                .set("quantization", quantization)
                .set("batch", batch)
                .set("inputTokens", inputTokens)
                .set("outputTokens", outputTokens)
                .set("prompts", prompts)
                .set("engine", engine)
                .set("seed", 42L)
                .build();
    }
}
