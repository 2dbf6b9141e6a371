package org.tokenpowerbench.jmh;


import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.tokenpowerbench.energy.EnergyBudget;
import org.tokenpowerbench.energy.IterationEnergy;
import org.tokenpowerbench.energy.ScopeNesting;
import org.tokenpowerbench.energy.WaveEnergy;
import org.tokenpowerbench.power.OperatingConditions;

/**
 * An {@link IterationEnergy} as JMH results, every label starting with {@link IterationEnergy#label()}
 * ({@code nvml}, or {@code cpu.estimated} for a model): the totals, per-token figures, power, per
 * device and scope (with J/token per scope and {@code node.other} = node − gpu − cpu − dram where
 * a node and its parts were both measured: {@link ScopeNesting}), the phases under the chosen policy (named in the unit), the idle baseline's
 * dynamic energy, the steady-state J/token, and energy per kind of token where the wave has such
 * tokens ({@link #tokenKinds}). Every energy and per-token figure has a companion
 * {@code …err}: its 95 % half-width from the wave's {@link EnergyBudget} (counter, sampling, stated accuracy). A figure that does not exist for this wave (no
 * output tokens, no baseline) is left out, never reported as 0.
 */
final class EnergyResults {

    private EnergyResults() {
    }

    static List<Result> of(IterationEnergy e) {
        String label = e.label();
        String by = " (" + e.policy().label() + ")";
        WaveEnergy chosen = e.chosen();
        List<Result> results = new ArrayList<>();
        EnergyBudget budget = e.budget();
        results.add(avg(label + ".energy", e.totalJ(), "J"));
        results.add(avg(label + ".energy.err", budget.halfWidthJ(), "J (95 %)"));
        finite(results, label + ".J/token", e.joulesPerToken(), "J/token");
        finite(results, label + ".J/token.err", budget.halfWidthOf(e.joulesPerToken()), "J/token (95 %)");
        finite(results, label + ".J/outputToken", e.joulesPerOutputToken(), "J/token");
        finite(results, label + ".J/outputToken.err", budget.halfWidthOf(e.joulesPerOutputToken()), "J/token (95 %)");
        finite(results, label + ".J/goodOutputToken", e.joulesPerGoodOutputToken(), "J/token");
        results.add(avg(label + ".avgPower", e.averageWatts(), "W"));
        results.add(new ScalarResult(label + ".peakPower", e.peakWatts(), "W", AggregationPolicy.MAX));
        if (e.byDevice().size() > 1) {
            int n = 0;
            for (double joules : e.byDevice().values()) {
                // devices by position (their ids, e.g. GPU UUIDs, are in sensors.jsonl): labels stay short
                results.add(avg(label + ".device" + n++ + ".energy", joules, "J"));
            }
        }
        if (e.byScope().size() > 1) {
            long tokens = e.promptTokens() + e.outputTokens();
            e.byScope().forEach((scope, joules) -> {
                results.add(avg(label + "." + scope.label() + ".energy", joules, "J"));
                if (tokens > 0) {
                    results.add(avg(label + "." + scope.label() + ".J/token", joules / tokens, "J/token"));
                }
            });
            double other = ScopeNesting.nodeOther(e.byScope());
            if (Double.isFinite(other)) {
                results.add(avg(label + ".node.other.energy", other, "J"));
            }
        }
        results.add(avg(label + ".prefill.J", chosen.prefillJ(), "J" + by));
        results.add(avg(label + ".decode.J", chosen.decodeJ(), "J" + by));
        results.add(avg(label + ".idle.J", chosen.idleJ(), "J"));
        if (chosen.promptTokens() > 0) {
            results.add(avg(label + ".J/promptToken", chosen.joulesPerPromptToken(), "J/token" + by));
            // a phase is a share of the same signal: it carries the total's relative half-width
            finite(results, label + ".J/promptToken.err", budget.halfWidthOf(chosen.joulesPerPromptToken()),
                    "J/token (95 %)");
        }
        if (chosen.decodeTokens() > 0) {
            results.add(avg(label + ".J/decodeToken", chosen.joulesPerDecodeToken(), "J/token" + by));
            finite(results, label + ".J/decodeToken.err", budget.halfWidthOf(chosen.joulesPerDecodeToken()),
                    "J/token (95 %)");
        }
        tokenKinds(results, label, by, chosen, budget);
        if (e.baseline() != null) {
            results.add(avg(label + ".idleBaseline.power", e.baseline().watts(), "W"));
            results.add(avg(label + ".idleBaseline.power.uncertainty", e.baseline().uncertaintyWatts(), "W"));
            results.add(avg(label + ".dynamic.energy", e.dynamicJ(), "J"));
            finite(results, label + ".dynamic.energy.err", e.dynamicHalfWidthJ(), "J (95 %)");
            // named apart from J/outputToken, which the console summary and report --compare's gate pick by its ending
            finite(results, label + ".dynamic.energy/outputToken", e.dynamicJoulesPerOutputToken(), "J/token");
            finite(results, label + ".dynamic.energy/outputToken.err", e.outputTokens() > 0
                    ? e.dynamicHalfWidthJ() / e.outputTokens() : Double.NaN, "J/token (95 %)");
        }
        finite(results, label + ".steady.J/token", e.steadyJoulesPerToken(), "J/token");
        if (e.steady() != null && e.steadyNote() != null) {
            // the wave had a window, but its J/token is left out: say so in the results (1 = omitted)
            results.add(avg(label + ".steady.J/token.omitted", 1, "flag (iterations.jsonl: steadyState.jPerTokenOmitted)"));
        }
        return results;
    }

    /**
     * Energy per kind of token, only for a wave that has the kind (a plain stream gets none of
     * these, never zeros): the reasoning and answer parts of the decode ({@code reasoning.energy +
     * answer.energy = decode.J}) with J per reasoning and per answer token, the reasoning count's
     * source in the unit; and J per computed prompt token where a prefix cache served some of the
     * prompt (all prefill joules over {@code prompt - cached}).
     */
    private static void tokenKinds(List<Result> results, String label, String by, WaveEnergy chosen,
                                   EnergyBudget budget) {
        if (chosen.reasoningTokens() > 0 || chosen.reasoningJ() > 0) {
            results.add(avg(label + ".reasoning.energy", chosen.reasoningJ(), "J" + by));
            results.add(avg(label + ".answer.energy", chosen.answerJ(), "J" + by));
            String counted = " (" + chosen.policy().label() + "; reasoning tokens: " + chosen.reasoningTokenSource() + ")";
            finite(results, label + ".J/reasoningToken", chosen.joulesPerReasoningToken(), "J/token" + counted);
            finite(results, label + ".J/reasoningToken.err", budget.halfWidthOf(chosen.joulesPerReasoningToken()),
                    "J/token (95 %)");
            finite(results, label + ".J/answerToken", chosen.joulesPerAnswerToken(), "J/token" + counted);
            finite(results, label + ".J/answerToken.err", budget.halfWidthOf(chosen.joulesPerAnswerToken()),
                    "J/token (95 %)");
        }
        finite(results, label + ".speculative.acceptance", chosen.draftAcceptance(),
                "share (server-reported draft tokens accepted / proposed; a rate, not an energy split)");
        finite(results, label + ".J/computedPromptToken", chosen.joulesPerComputedPromptToken(), "J/token" + by);
        finite(results, label + ".J/computedPromptToken.err", budget.halfWidthOf(chosen.joulesPerComputedPromptToken()),
                "J/token (95 %)");
    }

    /**
     * How the devices ran during the wave: {@code <s>.throttled} (the largest share of a device's
     * readings that a power or thermal limit held back; 0 is a clean wave), where the devices keep
     * hold-back times {@code <s>.throttledTime} (the largest share of the time between a device's
     * readings bracketing the wave that its power or thermal policy held it back), and
     * {@code <s>.maxTemperature} and {@code <s>.smClock.min} over all devices.
     */
    static List<Result> of(String label, OperatingConditions c) {
        List<Result> results = new ArrayList<>();
        if (c.isEmpty()) {
            return results;
        }
        results.add(new ScalarResult(label + ".throttled", c.devices().stream()
                .mapToDouble(OperatingConditions.Device::throttledShare).max().orElse(0), "share", AggregationPolicy.MAX));
        double timeShare = c.devices().stream().mapToDouble(OperatingConditions.Device::throttledTimeShare)
                .filter(Double::isFinite).max().orElse(Double.NaN);
        if (Double.isFinite(timeShare)) {
            results.add(new ScalarResult(label + ".throttledTime", timeShare, "share", AggregationPolicy.MAX));
        }
        double maxT = c.devices().stream().mapToDouble(OperatingConditions.Device::maxTemperatureC)
                .filter(Double::isFinite).max().orElse(Double.NaN);
        if (Double.isFinite(maxT)) {
            results.add(new ScalarResult(label + ".maxTemperature", maxT, "C", AggregationPolicy.MAX));
        }
        double minClock = c.devices().stream().mapToDouble(OperatingConditions.Device::minClockMHz)
                .filter(Double::isFinite).min().orElse(Double.NaN);
        if (Double.isFinite(minClock)) {
            results.add(new ScalarResult(label + ".smClock.min", minClock, "MHz", AggregationPolicy.MIN));
        }
        return results;
    }

    /**
     * {@code <sensor>.sampler.readTime}: milliseconds spent inside the sensor's reads per second of
     * the sampler's run (boundary samples and buffer fetches included), the measurement's own cost
     * on the host's CPU where the reads busy-wait, as NVML's do (issue #14, item 8: eight GPUs at 5 s
     * waves took 10-11 ms/s on an H100 host, docs/gpu-proof.md). 10 ms/s is 1 % of one core.
     */
    static Result samplerReadTime(String sensorId, long inSensorNanos, long samplingNanos) {
        if (samplingNanos <= 0) {
            throw new IllegalArgumentException("the sampler's run must have a length, got " + samplingNanos + " ns");
        }
        return avg(sensorId + ".sampler.readTime", inSensorNanos / 1e6 / (samplingNanos / 1e9), "ms/s");
    }

    /**
     * {@code <sensor>.sampler.readTimeInWave}: of {@link #samplerReadTime}'s milliseconds per
     * second, those of the reads the sampling thread made on its own schedule while the iteration
     * ran: its wave, and its idle window where it holds one
     * ({@link org.tokenpowerbench.power.PowerSampler#scheduledSensorNanos}). It leaves out the edge
     * reads taken before the wave's first request, after its last and around an idle window. Where
     * the reads busy-wait (NVML's do), this is the part of the measurement's cost that competes with
     * the engine for the host's CPU; the edge reads (eight GPUs' counters at each wave's close) cost
     * the host but not the wave.
     */
    static Result samplerReadTimeInWave(String sensorId, long scheduledNanos, long samplingNanos) {
        if (samplingNanos <= 0) {
            throw new IllegalArgumentException("the sampler's run must have a length, got " + samplingNanos + " ns");
        }
        return avg(sensorId + ".sampler.readTimeInWave", scheduledNanos / 1e6 / (samplingNanos / 1e9), "ms/s");
    }

    private static ScalarResult avg(String label, double value, String unit) {
        return new ScalarResult(label, value, unit, AggregationPolicy.AVG);
    }

    private static void finite(List<Result> results, String label, double value, String unit) {
        if (Double.isFinite(value)) {
            results.add(avg(label, value, unit));
        }
    }
}
