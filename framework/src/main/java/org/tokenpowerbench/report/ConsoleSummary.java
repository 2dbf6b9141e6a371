package org.tokenpowerbench.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.energy.TrialBudget;
import org.tokenpowerbench.workload.HostCpu;

/**
 * Our short summary after JMH's table: one line per trial with the few figures a person reads
 * first — J per output token with a 95 % interval, TTFT and TPOT medians, output tokens per
 * second, average power, failed requests — and only the parameters that the sweep varied. A
 * sweep listener, like the summary file.
 *
 * <p>The 95 % interval comes from JMH's own error, which is a Student-t interval at 99.9 % over
 * the measured iterations: the half-width is rescaled by {@code t(0.975, n-1) / t(0.9995, n-1)}.
 * The mean per-wave error budget ({@code <label>.J/outputToken.err}: counter, sampling, the
 * sensor's stated accuracy) and, with several forks, the spread between the forks' means (the
 * between-runs term, {@link TrialBudget}) are added in quadrature; with one fork a line says that
 * the between-runs spread was not measured. With one iteration and no budget there is no
 * interval, and the line says {@code n=1}. A line names the trials whose measured waves had, on
 * average, {@link HostCpu.Reading#STEAL_WARNING_SHARE} or more of the host's CPU time stolen: the
 * waves' own warnings have scrolled away by then, and those trials' J/outputToken carries the
 * engine's slower pace. A benchmark with
 * {@code @Slo} gets one more line per energy label: the best setting under it ({@link SloChoice}).
 */
public final class ConsoleSummary implements SweepListener {

    private final PrintStream out;

    public ConsoleSummary() {
        this(System.out);
    }

    ConsoleSummary(PrintStream out) {
        this.out = out;
    }

    @Override
    public void sweepEnded(SweepState state) {
        List<String> lines = lines(state);
        if (lines.isEmpty()) {
            return;
        }
        out.println();
        lines.forEach(out::println);
    }

    /** The summary's lines; empty when no trial has results. */
    static List<String> lines(SweepState state) {
        List<TrialResult> trials = state.results();
        if (trials.isEmpty()) {
            return List.of();
        }
        Set<String> varied = varied(trials);
        Set<String> energy = new LinkedHashSet<>();
        trials.forEach(t -> t.metrics().keySet().stream().filter(k -> k.endsWith(".J/outputToken")).forEach(energy::add));
        List<String> header = new ArrayList<>();
        header.add("trial");
        energy.forEach(e -> header.add(e + " (95 %)"));
        header.addAll(List.of("TTFT p50 ms", "TPOT p50 ms", "tokens/s", "avg W", "failed"));
        List<List<String>> rows = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> classLabels = classLabels(trials);
        for (TrialResult t : trials) {
            List<String> row = new ArrayList<>();
            StringBuilder name = new StringBuilder(classLabels.getOrDefault(t.benchmark(), ""));
            for (String p : varied) {
                name.append(name.length() == 0 ? "" : " ").append(p).append('=').append(t.params().get(p));
            }
            names.add(name.length() == 0 ? shortName(t.benchmark()) : name.toString());
            row.add(names.get(names.size() - 1));
            for (String e : energy) {
                row.add(interval(t.metrics().get(e), t.metrics().get(e + ".err")));
            }
            row.add(number(t.metrics().get("ttft.p50")));
            row.add(number(t.metrics().get("tpot.p50")));
            row.add(number(t.metrics().get("output.tokens/s")));
            String power = energy.isEmpty() ? null : energy.iterator().next().replace(".J/outputToken", ".avgPower");
            row.add(power == null ? "-" : number(t.metrics().get(power)));
            row.add(number(t.metrics().get("requests.failed")));
            rows.add(row);
        }
        List<String> lines = new ArrayList<>();
        lines.add("TokenPowerBench summary: means over measured iterations; J/outputToken with a 95 % interval"
                + " (spread over iterations, between runs where there are several forks, and the measurement's"
                + " error budget, root-sum-square)"
                + " (JMH's Error column above is a 99.9 % interval, hence wider)"
                + (energy.isEmpty() ? "; no power profiler ran (add -prof nvml, rapl or cpu)" : ""));
        lines.addAll(table(header, rows));
        lines.addAll(betweenRunsLines(trials, energy));
        lines.addAll(stealLines(trials, names));
        String firstEnergy = energy.isEmpty() ? null : energy.iterator().next();
        lines.addAll(paceLines(trials, names, firstEnergy));
        lines.addAll(forkPaceLines(trials, names, firstEnergy));
        for (FailedTrial f : state.failed()) {
            lines.add("  failed: " + f.params() + (f.reasons().isEmpty() ? "" : ": " + f.reasons().get(0)));
        }
        lines.addAll(sloLines(state));
        return lines;
    }

    /** The best setting under the benchmark's {@code @Slo} (from {@code trial-axes.csv}), one line per energy label. */
    private static List<String> sloLines(SweepState state) {
        if (state.runDir() == null) {
            return List.of();
        }
        try {
            return SloChoice.of(state.results(), ServiceObjectives.fromRunFolder(state.runDir())).stream()
                    .map(c -> "  " + c.sentence()).toList();
        } catch (java.io.IOException e) {
            return List.of("  no best setting under @Slo: cannot read " + TrialAxesFile.FILE + ": " + e.getMessage());
        }
    }

    /** The parameters whose value differs between trials, in JMH's order; the rest say nothing here. */
    private static Set<String> varied(List<TrialResult> trials) {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        trials.forEach(t -> t.params().forEach((k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v)));
        Set<String> out = new LinkedHashSet<>();
        values.forEach((k, v) -> {
            if (v.size() > 1) {
                out.add(k);
            }
        });
        return out;
    }

    /** {@code mean ± half-width (n=N)} at 95 %, from JMH's 99.9 % error. */
    static String interval(Metric m) {
        return interval(m, null);
    }

    /**
     * {@code mean ± half-width (n=N)} at 95 %: the spread over iterations (from JMH's 99.9 % error),
     * the mean per-wave error budget {@code err} (counter, sampling, stated accuracy; null where
     * none was recorded) and the between-runs spread of the fork means, in quadrature
     * ({@link TrialBudget}); {@code , K forks} when there were several. With one iteration the
     * budget alone gives the ±.
     */
    static String interval(Metric m, Metric err) {
        if (m == null || !Double.isFinite(m.score())) {
            return "-";
        }
        TrialBudget budget = TrialBudget.of(m.error(), m.samples(), err == null ? Double.NaN : err.score(),
                m.forkMeanArray());
        String forks = budget.forks() >= 2 ? ", " + budget.forks() + " forks" : "";
        if (!budget.hasWidth()) {
            return String.format(Locale.ROOT, "%.4g (n=%d%s)", m.score(), m.samples(), forks);
        }
        return String.format(Locale.ROOT, "%.4g ± %.2g (n=%d%s)", m.score(), budget.halfWidth(), m.samples(), forks);
    }

    /**
     * One line when an energy figure of some trial lacks the between-runs term because it ran in one
     * fork ({@link TrialBudget#ONE_FORK}); none when every one has it, or none was measured.
     */
    private static List<String> betweenRunsLines(List<TrialResult> trials, Set<String> energy) {
        long single = trials.stream().filter(t -> energy.stream().map(e -> t.metrics().get(e)).anyMatch(
                m -> m != null && m.forkMeans().size() == 1)).count();
        if (single == 0) {
            return List.of();
        }
        return List.of("  " + TrialBudget.ONE_FORK + (single == trials.size() ? "" : " (" + single + " of "
                + trials.size() + " trials)"));
    }

    /**
     * One line naming the trials whose measured waves averaged {@link HostCpu.Reading#STEAL_WARNING_SHARE}
     * or more of the host's CPU time stolen ({@code host.steal}), each with its share; none where no
     * trial did or none recorded it.
     */
    private static List<String> stealLines(List<TrialResult> trials, List<String> names) {
        List<String> stolen = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            Metric steal = trials.get(i).metrics().get("host.steal");
            if (steal != null && steal.score() >= HostCpu.Reading.STEAL_WARNING_SHARE) {
                stolen.add(String.format(Locale.ROOT, "%s (%.1f %%)", names.get(i), 100 * steal.score()));
            }
        }
        if (stolen.isEmpty()) {
            return List.of();
        }
        return List.of(String.format(Locale.ROOT, "  host steal: the hypervisor gave other guests %.0f %% or more of"
                + " this host's CPU time, on average over the measured waves, in %s; %s",
                100 * HostCpu.Reading.STEAL_WARNING_SHARE, String.join(", ", stolen), HostCpu.Reading.STEAL_CONSEQUENCE));
    }

    /**
     * One line naming the trials whose launched engine's busiest thread used, on average over the
     * measured waves, {@link HostCpu.Reading#CPU_PACED_SHARE} or more of one CPU
     * ({@code engine.thread.cpu}), with the range; "every trial" where all did; none where no trial did
     * or none recorded it. Where those trials have an idle baseline, it adds how much of
     * J/outputToken the idle power over the wave is ({@link #idleShare}): that part grows with the
     * wave's time, so it says how far a slower core moves the figure. In session 25's reruns on an
     * H100 the idle part was 65 % of J/outputToken at the slow pace; waves 36 % shorter at the fast
     * one lowered J/outputToken by 24 %, as 65 % of 36 % says (docs/gpu-proof.md).
     *
     * @param energy the first sensor's {@code <s>.J/outputToken} label, or null without a power profiler
     */
    private static List<String> paceLines(List<TrialResult> trials, List<String> names, String energy) {
        List<String> paced = new ArrayList<>();
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        double idleLow = Double.POSITIVE_INFINITY;
        double idleHigh = Double.NEGATIVE_INFINITY;
        boolean everyIdleShare = true;
        for (int i = 0; i < trials.size(); i++) {
            Metric cpu = trials.get(i).metrics().get("engine.thread.cpu");
            if (cpu != null && cpu.score() >= HostCpu.Reading.CPU_PACED_SHARE) {
                paced.add(names.get(i));
                low = Math.min(low, cpu.score());
                high = Math.max(high, cpu.score());
                double idle = idleShare(trials.get(i), energy);
                everyIdleShare &= Double.isFinite(idle);
                if (Double.isFinite(idle)) {
                    idleLow = Math.min(idleLow, idle);
                    idleHigh = Math.max(idleHigh, idle);
                }
            }
        }
        if (paced.isEmpty()) {
            return List.of();
        }
        String lowest = String.format(Locale.ROOT, "%.2f", low);
        String highest = String.format(Locale.ROOT, "%.2f", high);
        String range = lowest.equals(highest) ? lowest : lowest + "-" + highest;
        String idle = "";
        if (everyIdleShare && Double.isFinite(idleLow)) {
            idle = String.format(Locale.ROOT, "; the idle power over the wave was %s of %s there, so a wave 10 %% longer"
                    + " for the same work adds about %s to it", percentRange(100 * idleLow, 100 * idleHigh, "%.0f"),
                    energy, percentRange(10 * idleLow, 10 * idleHigh, "%.1f"));
        }
        return List.of(String.format(Locale.ROOT, "  engine pace: the launched engine's busiest thread used %s of one CPU,"
                + " on average over the measured waves, in %s; %s, %s%s", range,
                paced.size() == trials.size() && trials.size() > 1 ? "every trial" : String.join(", ", paced),
                HostCpu.Reading.CPU_PACED_PROVISO, HostCpu.Reading.CPU_PACED_CONSEQUENCE, idle));
    }

    /**
     * One line naming the trials whose forks ran at different paces ({@link ForkPace}), each with its
     * forks' figures: J/outputToken's between-runs term, so its interval, holds that change. None
     * where no trial did or none had two forks.
     */
    private static List<String> forkPaceLines(List<TrialResult> trials, List<String> names, String energy) {
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            String forks = ForkPace.describe(trials.get(i), energy);
            if (forks != null) {
                changed.add(names.get(i) + " (" + forks + ")");
            }
        }
        if (changed.isEmpty()) {
            return List.of();
        }
        return List.of("  pace between forks: the engine's speed changed between the forks of " + String.join(", ", changed)
                + ": " + ForkPace.CONSEQUENCE);
    }

    /**
     * The share of the trial's J/outputToken that is the idle power over its waves: one less the
     * energy above idle over the whole ({@code <s>.dynamic.energy/outputToken} over
     * {@code <s>.J/outputToken}); NaN where either is missing or the share falls outside 0 to 1.
     */
    static double idleShare(TrialResult trial, String energy) {
        if (energy == null) {
            return Double.NaN;
        }
        Metric whole = trial.metrics().get(energy);
        Metric above = trial.metrics().get(energy.replace(".J/outputToken", ".dynamic.energy/outputToken"));
        if (whole == null || above == null || !(whole.score() > 0) || !Double.isFinite(above.score())) {
            return Double.NaN;
        }
        double share = 1 - above.score() / whole.score();
        return share >= 0 && share <= 1 ? share : Double.NaN;
    }

    /** "6.1 %" or "6.1-6.6 %": a range in the format given, one number where both ends print alike. */
    private static String percentRange(double low, double high, String format) {
        String a = String.format(Locale.ROOT, format, low);
        String b = String.format(Locale.ROOT, format, high);
        return (a.equals(b) ? a : a + "-" + b) + " %";
    }

    private static String number(Metric m) {
        return m == null || !Double.isFinite(m.score()) ? "-" : String.format(Locale.ROOT, "%.4g", m.score());
    }

    /**
     * Where the trials come from more than one benchmark class, each benchmark's label before its
     * parameters: the class's simple name, or its full name where two classes share a simple name
     * (two packages' {@code MyEnergyBenchmark}); empty where there is one class, whose name the
     * parameters need not repeat. Without it, two classes with the same parameters gave two rows
     * that read alike.
     */
    private static Map<String, String> classLabels(List<TrialResult> trials) {
        Set<String> classes = new LinkedHashSet<>();
        trials.forEach(t -> classes.add(className(t.benchmark())));
        if (classes.size() < 2) {
            return Map.of();
        }
        Map<String, Long> simpleCount = new HashMap<>();
        classes.forEach(c -> simpleCount.merge(simpleName(c), 1L, Long::sum));
        Map<String, String> labels = new HashMap<>();
        for (TrialResult t : trials) {
            String c = className(t.benchmark());
            labels.put(t.benchmark(), simpleCount.get(simpleName(c)) > 1 ? c : simpleName(c));
        }
        return labels;
    }

    /** {@code demo.Bench_Energy} of {@code demo.Bench_Energy.wave}. */
    private static String className(String benchmark) {
        int dot = benchmark.lastIndexOf('.');
        return dot < 0 ? benchmark : benchmark.substring(0, dot);
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static String shortName(String benchmark) {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] : benchmark;
    }

    private static List<String> table(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        List<String> out = new ArrayList<>();
        out.add(row(header, width));
        rows.forEach(r -> out.add(row(r, width)));
        return out;
    }

    private static String row(List<String> cells, int[] width) {
        StringBuilder sb = new StringBuilder(" ");
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            sb.append(' ');
            if (c == 0) {
                sb.append(cell).append(" ".repeat(width[c] - cell.length()));
            } else {
                sb.append(" ".repeat(width[c] - cell.length())).append(cell);
            }
        }
        return sb.toString().stripTrailing();
    }
}
