package org.tokenpowerbench.jmh;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.tokenpowerbench.energy.IterationEnergy;
import org.tokenpowerbench.energy.WaveEnergy;

/**
 * An {@link IterationEnergy} as JMH results, every label starting with {@link IterationEnergy#label()}
 * ({@code nvml}, or {@code cpu.estimated} for a model): the totals, per-token figures, power, per
 * device and scope, the phases under the chosen policy (named in the unit), the idle baseline's
 * dynamic energy and the steady-state J/token. A figure that does not exist for this wave (no
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
        results.add(avg(label + ".energy", e.totalJ(), "J"));
        finite(results, label + ".J/token", e.joulesPerToken(), "J/token");
        finite(results, label + ".J/outputToken", e.joulesPerOutputToken(), "J/token");
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
            e.byScope().forEach((scope, joules) -> results.add(avg(label + "." + scope.label() + ".energy", joules, "J")));
        }
        results.add(avg(label + ".prefill.J", chosen.prefillJ(), "J" + by));
        results.add(avg(label + ".decode.J", chosen.decodeJ(), "J" + by));
        results.add(avg(label + ".idle.J", chosen.idleJ(), "J"));
        if (chosen.promptTokens() > 0) {
            results.add(avg(label + ".J/promptToken", chosen.joulesPerPromptToken(), "J/token" + by));
        }
        if (chosen.decodeTokens() > 0) {
            results.add(avg(label + ".J/decodeToken", chosen.joulesPerDecodeToken(), "J/token" + by));
        }
        if (e.baseline() != null) {
            results.add(avg(label + ".idleBaseline.power", e.baseline().watts(), "W"));
            results.add(avg(label + ".dynamic.energy", e.dynamicJ(), "J"));
        }
        finite(results, label + ".steady.J/token", e.steadyJoulesPerToken(), "J/token");
        return results;
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
