package org.tokenpowerbench.report.html;

import java.util.List;
import java.util.Map;
import org.tokenpowerbench.energy.TrialBudget;
import org.tokenpowerbench.report.Metric;

/**
 * One row of the sweep table: a trial as one energy label ({@code nvml}, {@code cpu.estimated})
 * measured it, or a trial that failed. Figures a trial does not have are null (never 0).
 *
 * @param benchmark      the benchmark's full name
 * @param params         its parameters, in JMH's order
 * @param description    its description in the run folder's rows
 * @param label          the energy label; null for a trial without a power sensor, or a failed one
 * @param jPerToken      J per prompt-or-output token, JMH's score and error (99.9 %)
 * @param jPerTokenBudget its error budget (95 %: iterations, measurement, between runs), the ± the
 *                       page prints, as the console and {@code summary.json} give it; null without the figure
 * @param jPerOutputToken J per output token, JMH's score and error (99.9 %)
 * @param jPerOutputTokenBudget its error budget, as {@code jPerTokenBudget}
 * @param interval       the mean of the iterations' J/outputToken with its 95 % t-interval; null when not computable
 * @param intervalNote   why there is no interval, or what disagrees; null when all is well
 * @param ttftP50        TTFT p50, ms
 * @param tpotP50        TPOT p50, ms
 * @param tokensPerSecond output tokens per second
 * @param avgPower       average power over the wave, W
 * @param failedRequests failed requests per wave (JMH's mean)
 * @param warnings       what the reader must know about these numbers, one line each
 * @param failure        why the trial failed; null when it completed
 * @param pareto         whether it is on the latency–energy frontier of its label
 */
record TrialRow(String benchmark, Map<String, String> params, String description, String label, Metric jPerToken,
                TrialBudget jPerTokenBudget, Metric jPerOutputToken, TrialBudget jPerOutputTokenBudget,
                IterationInterval interval, String intervalNote, Metric ttftP50,
                Metric tpotP50, Metric tokensPerSecond, Metric avgPower, Metric failedRequests, List<String> warnings,
                String failure, boolean pareto) {

    TrialRow {
        params = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(params));
        warnings = List.copyOf(warnings);
    }

    /** Whether the energy is a model rather than a measurement ({@code .estimated} labels). */
    boolean estimated() {
        return label != null && label.endsWith(".estimated");
    }

    TrialRow onFrontier() {
        return new TrialRow(benchmark, params, description, label, jPerToken, jPerTokenBudget, jPerOutputToken,
                jPerOutputTokenBudget, interval, intervalNote,
                ttftP50, tpotP50, tokensPerSecond, avgPower, failedRequests, warnings, failure, true);
    }
}
