package org.tokenpowerbench.report.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.workload.HostCpu;

/**
 * Where a change in J/outputToken comes from: the energy the work drew above the GPU's idle
 * baseline, per output token ({@code <sensor>.dynamic.energy} over the wave's output tokens), and
 * the rest, the idle baseline's power over the wave's time, per output token ({@code <sensor>.energy}
 * less the dynamic energy). The first follows the work, the second the engine's speed: a wave that
 * takes longer for the same tokens draws the idle power for longer.
 *
 * <p>Why: on an H200 twelve reruns of one point drew 226-232 J above idle per wave while their
 * J/outputToken rose 24 % over ten minutes (docs/gpu-proof.md, session 14): the engine had slowed
 * (TPOT 8.3 to 12.2 ms), and the energy above idle per token had not moved. A comparison that
 * shows only the total reads as "the engine costs more energy"; this says "it ran slower".
 *
 * <p>Both parts are taken from the trials' mean energies and token counts, so they add up to the
 * mean energy over the mean tokens, which equals the mean J/outputToken where every wave has the
 * same tokens (a closed-loop pass over one prompt set) and is close to it elsewhere.
 *
 * <p>Where both runs recorded {@code host.steal} (the share of the host's CPU time the hypervisor
 * gave to other guests), the line says it too: on an H100 host the engine's TPOT followed it
 * (docs/gpu-proof.md, session 17), so a slower engine on a stolen host is told from a slower
 * engine. Where both runs launched their engine and recorded {@code engine.thread.cpu} (how much
 * of one CPU its busiest thread used), the line says that too, and {@link #paceNote()} says what a
 * whole CPU means: on a quiet H100 host fourteen reruns of one point, each thread at 1.00 of a CPU
 * and under 0.2 % stolen, ran at TPOT 7.9-10.3 ms and J/outputToken 0.126-0.147 with the energy above
 * idle at 0.059-0.061 J/token (docs/gpu-proof.md, session 21): an engine paced by one core follows that
 * core's speed, which the host changes without any steal.
 *
 * @param trial      the trial
 * @param sensor     the sensor's label ({@code nvml})
 * @param baseAbove  the base run's energy above idle per output token, J
 * @param newAbove   the new run's
 * @param baseIdle   the base run's idle power × time per output token, J
 * @param newIdle    the new run's
 * @param baseWaveS  the base run's mean wave time, s; NaN where the wave's unit is not a time per wave
 * @param newWaveS   the new run's
 * @param baseSteal  the base run's mean {@code host.steal}; NaN where not recorded
 * @param newSteal   the new run's
 * @param baseThreadCpu the base run's mean {@code engine.thread.cpu}; NaN where not recorded
 * @param newThreadCpu  the new run's
 * @param verdict    the gated J/outputToken change's verdict
 */
record EnergySplit(String trial, String sensor, double baseAbove, double newAbove, double baseIdle, double newIdle,
                   double baseWaveS, double newWaveS, double baseSteal, double newSteal,
                   double baseThreadCpu, double newThreadCpu, Verdict verdict) {

    static final String SUFFIX = ".J/outputToken";

    /** Every gated J/outputToken change whose trial has the energy, dynamic energy and output tokens on both sides. */
    static List<EnergySplit> of(Comparison c) {
        List<EnergySplit> out = new ArrayList<>();
        for (Change g : c.gated()) {
            if (!g.metric().endsWith(SUFFIX)) {
                continue;
            }
            String sensor = g.metric().substring(0, g.metric().length() - SUFFIX.length());
            Map<String, IterationStats> b = c.base().trials().get(g.trial());
            Map<String, IterationStats> n = c.now().trials().get(g.trial());
            double[] base = parts(b, sensor);
            double[] now = parts(n, sensor);
            if (base == null || now == null) {
                continue;
            }
            out.add(new EnergySplit(g.trial(), sensor, base[0], now[0], base[1], now[1], waveSeconds(b), waveSeconds(n),
                    mean(b, "host.steal"), mean(n, "host.steal"), mean(b, "engine.thread.cpu"),
                    mean(n, "engine.thread.cpu"), g.verdict()));
        }
        return out;
    }

    /** Above idle and idle per output token, or null where a figure is missing. */
    private static double[] parts(Map<String, IterationStats> metrics, String sensor) {
        IterationStats energy = metrics.get(sensor + ".energy");
        IterationStats dynamic = metrics.get(sensor + ".dynamic.energy");
        double tokens = outputTokens(metrics);
        if (energy == null || dynamic == null || !(tokens > 0) || !Double.isFinite(energy.mean())
                || !Double.isFinite(dynamic.mean())) {
            return null;
        }
        return new double[] {dynamic.mean() / tokens, (energy.mean() - dynamic.mean()) / tokens};
    }

    /**
     * The wave's output tokens: {@code tokens.output.<source>} in tokens (the count J/outputToken
     * divides by; {@code tokens.output.ofRequested} is a share and is left out).
     */
    private static double outputTokens(Map<String, IterationStats> metrics) {
        for (Map.Entry<String, IterationStats> e : metrics.entrySet()) {
            if (e.getKey().startsWith("tokens.output.") && "tokens".equals(e.getValue().unit())) {
                return e.getValue().mean();
            }
        }
        return Double.NaN;
    }

    private static double mean(Map<String, IterationStats> metrics, String name) {
        IterationStats m = metrics.get(name);
        return m == null ? Double.NaN : m.mean();
    }

    private static double waveSeconds(Map<String, IterationStats> metrics) {
        IterationStats wave = metrics.get(Comparison.WAVE);
        if (wave == null) {
            return Double.NaN;
        }
        return wave.mean() * org.tokenpowerbench.report.Metric.secondsPer(wave.unit());
    }

    /** The change of the energy above idle per token, relative to the base's J/outputToken (both parts). */
    double aboveChange() {
        return (newAbove - baseAbove) / (baseAbove + baseIdle);
    }

    /** The change of idle power × time per token, relative to the base's J/outputToken. */
    double idleChange() {
        return (newIdle - baseIdle) / (baseAbove + baseIdle);
    }

    /** The whole change, relative to the base: {@link #aboveChange()} + {@link #idleChange()}. */
    double totalChange() {
        return aboveChange() + idleChange();
    }

    /** The wave time's change, relative to the base; NaN where not known. */
    double waveChange() {
        return baseWaveS > 0 ? (newWaveS - baseWaveS) / baseWaveS : Double.NaN;
    }

    /**
     * Which part moved the figure: {@code the engine's speed} where the idle part's change is at
     * least twice the other's, {@code the work's energy} the other way round, else {@code both}.
     */
    String mostly() {
        if (mostlySpeed()) {
            return "the engine's speed (idle power over a longer or shorter wave)";
        }
        if (Math.abs(aboveChange()) >= 2 * Math.abs(idleChange())) {
            return "the work's energy above idle";
        }
        return "both the work's energy and the engine's speed";
    }

    /** Whether the idle part's change is at least twice the other's: the engine's speed moved the figure. */
    private boolean mostlySpeed() {
        return Math.abs(idleChange()) >= 2 * Math.abs(aboveChange());
    }

    /**
     * What to do where the change may be the host's rather than the code's: one run's host gave
     * {@link HostCpu.Reading#STEAL_WARNING_SHARE} or more of its CPU time to other guests, and the
     * change, judged better or worse, is mostly the engine's speed. Null elsewhere, also where a side
     * did not record its steal.
     *
     * <p>Why: of session 19's seventeen H100 reruns of one point, the five whose waves averaged 1 %
     * or more stolen drew 11 % more J/outputToken than the other twelve, with the energy above idle
     * unmoved (docs/gpu-proof.md): a CI gate on J/outputToken fails on such a host with no change
     * to the code.
     */
    String hostNote() {
        if ((verdict != Verdict.WORSE && verdict != Verdict.BETTER) || !Double.isFinite(baseSteal) || !Double.isFinite(newSteal)
                || Math.max(baseSteal, newSteal) < HostCpu.Reading.STEAL_WARNING_SHARE
                || !mostlySpeed()) {
            return null;
        }
        boolean base = baseSteal >= HostCpu.Reading.STEAL_WARNING_SHARE;
        boolean now = newSteal >= HostCpu.Reading.STEAL_WARNING_SHARE;
        String whose = base && now ? "Both runs' hosts" : base ? "The base run's host" : "The new run's host";
        return String.format(Locale.ROOT, "%s gave %.0f %% or more of %s CPU time to other guests (%.2f %% → %.2f %%),"
                + " and this change is mostly the engine's speed, so it may be the host's rather than the code's:"
                + " rerun %s on a quieter host, or gate on the energy above idle (--metric %s.dynamic.energy/outputToken).",
                whose, 100 * HostCpu.Reading.STEAL_WARNING_SHARE, base && now ? "their" : "its", 100 * baseSteal, 100 * newSteal,
                base && now ? "both" : base ? "the base" : "the new one", sensor);
    }

    /**
     * What to do where the change may be the host's CPU speed rather than the code's: the change,
     * judged better or worse, is mostly the engine's speed, no steal note applies ({@link #hostNote()}),
     * and in both runs the launched engine's busiest thread used at least {@link HostCpu.Reading#CPU_PACED_SHARE} of
     * one CPU, which paced the engine where that is its own work and not a spin while it waits for the
     * GPU ({@link HostCpu.Reading#CPU_PACED_PROVISO}). Null elsewhere, also where a side did
     * not record the thread's CPU (not a launched engine, or not Linux).
     */
    String paceNote() {
        if ((verdict != Verdict.WORSE && verdict != Verdict.BETTER) || !mostlySpeed() || hostNote() != null
                || !(baseThreadCpu >= HostCpu.Reading.CPU_PACED_SHARE)
                || !(newThreadCpu >= HostCpu.Reading.CPU_PACED_SHARE)) {
            return null;
        }
        boolean quiet = Double.isFinite(baseSteal) && Double.isFinite(newSteal);
        return String.format(Locale.ROOT, "The launched engine's busiest thread used a whole CPU in both runs (%.2f → %.2f"
                + " of one CPU)%s, and this change is mostly the engine's speed. Where that thread's CPU is the engine's"
                + " own work rather than a spin while it waits for the GPU, the engine was paced by its core, and the"
                + " change may be the host's (another guest on the same physical core, a lower clock) rather than the"
                + " code's, as it was between reruns of one point on one quiet host. Gate on the energy above idle"
                + " (--metric %s.dynamic.energy/outputToken), which follows the work and not the core.",
                baseThreadCpu, newThreadCpu, quiet ? String.format(Locale.ROOT, " with under %.0f %% of the host's CPU"
                        + " time stolen", 100 * HostCpu.Reading.STEAL_WARNING_SHARE) : "", sensor);
    }

    /** {@code 0.05669 → 0.05638}: the energy above idle per output token, base to new. */
    String aboveCell() {
        return String.format(Locale.ROOT, "%.4g → %.4g", baseAbove, newAbove);
    }

    /** {@code 0.07063 → 0.1018}: idle power × time per output token, base to new. */
    String idleCell() {
        return String.format(Locale.ROOT, "%.4g → %.4g", baseIdle, newIdle);
    }

    /** {@code 2.24 → 3.29 s}, or {@code –} where the wave's time is not known. */
    String waveCell() {
        return Double.isFinite(waveChange()) ? String.format(Locale.ROOT, "%.3g → %.3g s", baseWaveS, newWaveS) : "–";
    }

    /**
     * {@code +24.26 % = above idle -0.38 % + idle power × time +24.64 % (wave time +47.2 %; host steal
     * 0.19 % → 2.41 % of its CPU time): mostly the engine's speed ...}.
     */
    String describe() {
        List<String> context = new ArrayList<>();
        if (Double.isFinite(waveChange())) {
            context.add("wave time " + CompareMarkdown.signedPercent(waveChange()));
        }
        if (Double.isFinite(baseSteal) && Double.isFinite(newSteal)) {
            context.add(String.format(Locale.ROOT, "host steal %.2f %% → %.2f %% of its CPU time", 100 * baseSteal, 100 * newSteal));
        }
        if (Double.isFinite(baseThreadCpu) && Double.isFinite(newThreadCpu)) {
            context.add(String.format(Locale.ROOT, "engine thread %.2f → %.2f of a CPU", baseThreadCpu, newThreadCpu));
        }
        return String.format(Locale.ROOT, "%s = above idle %s + idle power × time %s%s: mostly %s",
                CompareMarkdown.signedPercent(totalChange()), CompareMarkdown.signedPercent(aboveChange()),
                CompareMarkdown.signedPercent(idleChange()),
                context.isEmpty() ? "" : " (" + String.join("; ", context) + ")", mostly());
    }
}
