package org.tokenpowerbench.processor;

import java.util.List;
import org.tokenpowerbench.axes.Axis;

/**
 * What the generated class needs from one user class, read and checked: the line between reading
 * annotations ({@link BenchmarkReader}, which knows the mirror API and the compile errors) and
 * writing source ({@link EnergyClassSource}, which knows neither). A part that is null comes from an
 * absent annotation: the generated class leaves its axes out and the axis table's defaults apply.
 *
 * @param models          {@code @Model}
 * @param quantizations   {@code @Quantization}, or the axis's default
 * @param batches         {@code @Batch}, or the axis's default
 * @param prompts         {@code @Prompts}, or the axes' defaults
 * @param endpoint        {@code @Engine}, or the axes' defaults
 * @param openLoop        {@code @Workload}; null without it
 * @param dataset         {@code @Dataset}; null without it
 * @param contextLengths  {@code @ContextLength}; null without it
 * @param requestFields   {@code @RequestFields}; null without it
 * @param slo             {@code @Slo}'s objectives in the order of {@link #SLO_AXES}; null without it
 * @param jmhAnnotations  JMH's annotations of the class as Java source, to copy onto the generated class
 * @param parallelism     {@code @Parallelism}; null without it (no parallelism parameters: every trial at 1)
 */
record BenchmarkModel(List<String> models, List<String> quantizations, List<Integer> batches, Prompts prompts,
                      Endpoint endpoint, OpenLoop openLoop, Dataset dataset, List<Integer> contextLengths,
                      List<String> requestFields, double[] slo, List<String> jmhAnnotations,
                      Parallelism parallelism) {

    /** The axes of {@link #slo()}'s values, in the same order. */
    static final List<Axis> SLO_AXES = List.of(Axis.SLO_TTFT_MS, Axis.SLO_TPOT_MS, Axis.SLO_E2E_MS);

    /**
     * The values of {@code @Prompts}, or the axes' defaults without it. {@code seed} is null without
     * the annotation (the generated class leaves it out).
     */
    record Prompts(List<Integer> inputTokens, List<Integer> outputTokens, int count, Long seed,
                   List<String> inputLengths, List<String> outputLengths) {
    }

    /**
     * The values of {@code @Engine}, or the axes' defaults without it. {@code apiKeyEnv} is null
     * without the annotation (the generated class leaves it out).
     */
    record Endpoint(List<String> engines, String api, String apiKeyEnv) {
    }

    /** The values of {@code @Workload}. */
    record OpenLoop(List<Double> rates, String arrivals, List<Double> burstiness, List<Integer> maxConcurrency,
                    int warmupRequests, List<Double> waveSeconds) {
    }

    /** The sizes of {@code @Parallelism}, one list per member. */
    record Parallelism(List<Integer> tensor, List<Integer> pipeline, List<Integer> data) {
    }

    /** The values of {@code @Dataset}: the files to sweep and the longest prompt taken from them. */
    record Dataset(List<String> files, int maxTokens) {
    }
}
