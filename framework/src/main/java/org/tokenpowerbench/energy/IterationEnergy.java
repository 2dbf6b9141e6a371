package org.tokenpowerbench.energy;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * Every energy figure of one measured wave from one sensor, computed in one place and without
 * JMH: the total over the wave's own window ({@code [wave start, last answer]}), split by scope
 * and by device, the prefill / decode / idle attribution under every {@link AttributionPolicy},
 * the steady-state window, the idle baseline's dynamic energy, and the per-token figures. The JMH
 * bridge only turns it into results, and the run folder only writes it.
 *
 * @param sensor            the sensor's id, e.g. {@code nvml}
 * @param fromNanos         start of the window on {@link System#nanoTime()}
 * @param toNanos           end of the window
 * @param totalJ            energy of the window: counters where they exist, else the power channels
 * @param byScope           the same window per scope (gpu, cpu, dram, ...); one entry when the sensor has one scope
 * @param byDevice          per device (e.g. per GPU), in the sensor's channel order
 * @param peakWatts         the highest power of the signal inside the window
 * @param estimated         whether any of the energy is a model rather than a meter
 * @param method            how the signal was made ({@link PowerSignal#methodLabel()})
 * @param signal            which channel of which device shaped it, e.g. {@code GPU-1:counter+power}
 * @param promptTokens      prompt tokens of the wave
 * @param outputTokens      output tokens of the wave
 * @param goodOutputTokens  output tokens of requests that met every SLO; -1 without an SLO
 * @param policy            the attribution policy of the headline figures
 * @param policies          the attribution under every policy
 * @param baseline          the trial's idle baseline, or null when none was measured
 * @param steady            the steady-state window's energy, or null
 * @param steadyMissing     why there is no steady-state figure; null when there is one
 * @param updateNanos       the sensor's update period: a window shorter than it is not directly measurable
 * @param budget            the error budget of {@code totalJ} (counter, sampling, stated accuracy); per-token
 *                          figures carry its relative half-width, since tokens are counted exactly
 * @param counterTiming     which instants each device's counter values were given, e.g.
 *                          {@code GPU-1: update moments learned from 31 tight brackets: ...}; null without a counter
 */
public record IterationEnergy(
        String sensor,
        long fromNanos,
        long toNanos,
        double totalJ,
        Map<Scope, Double> byScope,
        Map<String, Double> byDevice,
        double peakWatts,
        boolean estimated,
        String method,
        String signal,
        long promptTokens,
        long outputTokens,
        long goodOutputTokens,
        AttributionPolicy policy,
        Map<AttributionPolicy, WaveEnergy> policies,
        IdleBaseline baseline,
        SteadyStateEnergy steady,
        String steadyMissing,
        long updateNanos,
        EnergyBudget budget,
        String counterTiming) {

    public IterationEnergy {
        byScope = Collections.unmodifiableMap(new EnumMap<>(byScope));
        byDevice = Collections.unmodifiableMap(new LinkedHashMap<>(byDevice));
        policies = Collections.unmodifiableMap(new EnumMap<>(policies));
    }

    /**
     * Measures a wave over a power trace that covers it.
     *
     * @param sensor           the sensor's id
     * @param trace            the samples of the iteration
     * @param signal           {@code PowerSignal.of(trace, maxGapNanos)}, made once by the caller
     * @param updateNanos      the sensor's update period
     * @param wave             the wave's requests and window
     * @param policy           the policy of the headline figures
     * @param baseline         the trial's idle baseline, or null
     * @param goodOutputTokens output tokens that met every SLO, or -1 without an SLO
     * @throws IllegalStateException when the trace does not cover the wave (a sampling bug, not the user's)
     */
    public static IterationEnergy measure(String sensor, PowerTrace trace, PowerSignal signal, long updateNanos,
                                          WaveRecord wave, AttributionPolicy policy, IdleBaseline baseline,
                                          long goodOutputTokens) {
        long from = Math.max(wave.startNanos(), signal.startNanos());
        long to = Math.min(wave.endNanos(), signal.endNanos());
        if (to <= from) {
            throw new IllegalStateException("sensor '" + sensor + "': its trace [" + signal.startNanos() + ", "
                    + signal.endNanos() + "] ns does not cover the wave [" + wave.startNanos() + ", " + wave.endNanos()
                    + "] ns; this is a bug in the profiler's sampling");
        }
        long maxGap = signal.maxGapNanos();
        double total = signal.energyJoules(from, to);
        Map<Scope, Double> byScope = new EnumMap<>(Scope.class);
        Map<String, Double> byDevice = new LinkedHashMap<>();
        // every channel of the trace, not only the signal's: a signal of nested scopes
        // (ScopeNesting.outermost) leaves the parts out of the total, not out of the breakdown
        for (org.tokenpowerbench.power.PowerChannel ch : trace.channels()) {
            byScope.computeIfAbsent(ch.scope(), scope ->
                    PowerSignal.of(trace, maxGap, c -> c.scope() == scope, signal.counterTiming()).energyJoules(from, to));
            byDevice.computeIfAbsent(ch.device(), device ->
                    PowerSignal.of(trace, maxGap, c -> c.device().equals(device), signal.counterTiming()).energyJoules(from, to));
        }
        Map<AttributionPolicy, WaveEnergy> all = new EnumMap<>(AttributionPolicy.class);
        Duration update = Duration.ofNanos(updateNanos);
        for (AttributionPolicy p : AttributionPolicy.values()) {
            all.put(p, PhaseAttribution.attribute(signal, wave.requests(), from, to, p, update));
        }
        Optional<SteadyStateWindow> window = SteadyStateWindow.find(wave.requests(), wave.concurrency())
                .filter(w -> signal.covers(w.fromNanos(), w.toNanos()));
        SteadyStateEnergy steady = window.map(w -> w.measure(signal, wave.requests())).orElse(null);
        String steadyMissing = null;
        if (steady == null) {
            String why = SteadyStateWindow.whyNone(wave.requests(), wave.concurrency());
            steadyMissing = why != null ? why : "the steady-state window is not inside the power trace";
        }
        String sources = signal.sources().stream().map(s -> s.device() + ":" + s.model())
                .reduce((x, y) -> x + " " + y).orElse("");
        return new IterationEnergy(sensor, from, to, total, byScope, byDevice, signal.peakWatts(from, to),
                signal.estimated(), signal.methodLabel(), sources, wave.promptTokens(), wave.outputTokens(),
                goodOutputTokens, policy, all, baseline, steady, steadyMissing, updateNanos,
                EnergyBudget.of(signal, from, to, total, SensorAccuracy.of(sensor)),
                signal.sources().stream().filter(s -> s.counterTiming() != null)
                        .map(s -> s.device() + ": " + s.counterTiming()).reduce((x, y) -> x + "; " + y).orElse(null));
    }

    /** The sensor's id, plus {@code .estimated} when any of its energy is a model: every label starts with it. */
    public String label() {
        return estimated ? sensor + ".estimated" : sensor;
    }

    public double seconds() {
        return (toNanos - fromNanos) / 1e9;
    }

    /** The attribution under the headline policy. */
    public WaveEnergy chosen() {
        return policies.get(policy);
    }

    /** J per prompt-or-output token over the whole window; NaN without tokens. */
    public double joulesPerToken() {
        long tokens = promptTokens + outputTokens;
        return tokens > 0 ? totalJ / tokens : Double.NaN;
    }

    /** J per output token over the whole window (prefill included): what a generated token cost; NaN without any. */
    public double joulesPerOutputToken() {
        return outputTokens > 0 ? totalJ / outputTokens : Double.NaN;
    }

    /** The wave's energy per output token that met every SLO: what a useful token cost; NaN without any. */
    public double joulesPerGoodOutputToken() {
        return goodOutputTokens > 0 ? totalJ / goodOutputTokens : Double.NaN;
    }

    public double averageWatts() {
        return totalJ / seconds();
    }

    /** Total minus the idle baseline's power times the window; NaN when no baseline was measured. */
    public double dynamicJ() {
        return baseline == null ? Double.NaN : baseline.dynamicJoules(totalJ, seconds());
    }

    /**
     * The energy above the idle baseline per output token: what the work itself drew for a
     * generated token, apart from the idle power that a slower or faster engine draws for longer or
     * shorter. On an H200 it reproduced across twelve reruns (its intervals covered the others'
     * mean in 12 of 12) while J/outputToken rose 24 % with the engine's speed (docs/gpu-proof.md,
     * session 14). NaN without a baseline or output tokens.
     */
    public double dynamicJoulesPerOutputToken() {
        return outputTokens > 0 ? dynamicJ() / outputTokens : Double.NaN;
    }

    /**
     * The 95 % half-width of {@link #dynamicJ()}: the total's budget and the idle baseline's
     * uncertainty times the window, in quadrature (they come from different windows, so they are
     * independent); NaN without a baseline.
     */
    public double dynamicHalfWidthJ() {
        return baseline == null ? Double.NaN
                : EnergyBudget.K95 * Math.hypot(budget.sigmaJ(), baseline.uncertaintyWatts() * seconds());
    }

    /** Whether the window is shorter than the sensor's update period, so its energy is not directly measurable. */
    public boolean shorterThanUpdate() {
        return toNanos - fromNanos < updateNanos;
    }

    /**
     * J per prompt-or-output token over the steady-state window, comparable with
     * {@link #joulesPerToken()}; NaN without a window, and NaN when the window holds no prompt
     * tokens (a wave of one round: every prefill came before the pipeline was full, so the window
     * would count decode alone and read several times the wave's J/token). {@link #steadyNote()}
     * says which.
     */
    public double steadyJoulesPerToken() {
        return steady != null && steady.tokens() > 0 && steady.promptTokens() > 0 ? steady.joulesPerToken() : Double.NaN;
    }

    /** Why there is no comparable steady-state J/token for this wave; null when there is one. */
    public String steadyNote() {
        if (steady == null) {
            return steadyMissing;
        }
        if (steady.promptTokens() <= 0) {
            return "the steady-state window holds no prompt tokens (one round of the batch: every prefill came before"
                    + " it), so its J/token would count decode alone and not compare with J/token; send more prompts"
                    + " than the batch for one";
        }
        return null;
    }
}
