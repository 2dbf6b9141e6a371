package org.tokenpowerbench.report.html;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.tokenpowerbench.energy.TrialBudget;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.FailedTrial;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.ForkPace;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.TrialResult;
import org.tokenpowerbench.workload.HostCpu;

/**
 * The sweep table: one {@link TrialRow} per complete trial and energy label, then one per failed
 * trial, with each row's 95 % interval computed from its iterations and its warnings gathered
 * from the waves it covers, and the latency–energy frontier marked per label.
 */
final class SweepTable {

    private static final String J_PER_OUTPUT_TOKEN = ".J/outputToken";

    private SweepTable() {
    }

    static List<TrialRow> of(RunRecords run) {
        WaveNotes notes = WaveNotes.read(run.runDir());
        List<TrialRow> rows = new ArrayList<>();
        for (TrialResult t : run.trials()) {
            String description = TrialDescription.of(t.params());
            List<String> labels = t.metrics().keySet().stream().filter(k -> k.endsWith(J_PER_OUTPUT_TOKEN))
                    .map(k -> k.substring(0, k.length() - J_PER_OUTPUT_TOKEN.length())).toList();
            if (labels.isEmpty()) {
                rows.add(row(run, t, description, null, notes));
            }
            for (String label : labels) {
                rows.add(row(run, t, description, label, notes));
            }
        }
        for (FailedTrial f : failedTrials(run)) {
            rows.add(new TrialRow(f.benchmark(), f.params(), TrialDescription.of(f.params()), null, null, null, null,
                    null, null, null, null, null, null, null, null, List.of(), String.join("; ", f.reasons()), false));
        }
        return markFrontier(rows);
    }

    /**
     * The failed trials: those the command that wrote the results reported, and those of
     * {@code failures.jsonl} (every attempt, also of earlier commands) that no complete result
     * replaced.
     */
    private static List<FailedTrial> failedTrials(RunRecords run) {
        Set<String> complete = new LinkedHashSet<>();
        run.trials().forEach(t -> complete.add(TrialDescription.of(t.params())));
        Map<String, FailedTrial> out = new LinkedHashMap<>();
        for (FailedTrial f : run.failedNow()) {
            out.put(TrialDescription.of(f.params()), f);
        }
        Map<String, List<String>> recorded = new LinkedHashMap<>();
        for (FailureRecord r : run.failures()) {
            if (!complete.contains(r.trial()) && !out.containsKey(r.trial())) {
                recorded.computeIfAbsent(r.trial(), k -> new ArrayList<>()).add(r.message());
            }
        }
        recorded.forEach((trial, reasons) -> out.put(trial, new FailedTrial(benchmarkOf(run, trial),
                paramsOf(trial), new ArrayList<>(new LinkedHashSet<>(reasons)))));
        return new ArrayList<>(out.values());
    }

    private static String benchmarkOf(RunRecords run, String trial) {
        return run.failures().stream().filter(r -> r.trial().equals(trial)).map(FailureRecord::benchmark)
                .findFirst().orElse("");
    }

    /** A failed trial known only by its description: its {@code name=value} words as parameters. */
    private static Map<String, String> paramsOf(String description) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String word : description.split(" ")) {
            int eq = word.indexOf('=');
            if (eq > 0) {
                out.put(word.substring(0, eq), word.substring(eq + 1));
            }
        }
        return out;
    }

    private static TrialRow row(RunRecords run, TrialResult t, String description, String label, WaveNotes notes) {
        List<String> warnings = new ArrayList<>();
        IterationInterval interval = null;
        String note = null;
        List<WaveLine> waves = latestWaves(run, description);
        if (label != null) {
            String sensor = label.endsWith(".estimated") ? label.substring(0, label.length() - ".estimated".length())
                    : label;
            List<EnergyRow.Line> lines = latestEnergy(run, t.benchmark(), description, sensor);
            Metric score = t.metrics().get(label + J_PER_OUTPUT_TOKEN);
            warnings.addAll(notes.shortPhaseWarnings(description, sensor));
            if (lines.isEmpty()) {
                note = "no per-iteration energy lines for this trial in " + EnergyRow.FILE;
            } else if (lines.size() != waves.size()) {
                note = lines.size() + " energy lines but " + waves.size() + " wave lines in " + EnergyRow.FILE
                        + ": iterations not paired, no interval";
            } else {
                double[] values = new double[lines.size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = lines.get(i).energyJ() / waves.get(i).outputTokens();
                }
                interval = IterationInterval.of(values);
                if (!interval.hasWidth()) {
                    note = "one iteration: no interval (run with -i 2 or more)";
                } else if (score != null && Math.abs(interval.mean() - score.score()) > 1e-9 * Math.abs(score.score())
                        && score.samples() == interval.n()) {
                    note = String.format(Locale.ROOT, "the iterations' mean %.6g differs from JMH's score %.6g",
                            interval.mean(), score.score());
                }
            }
        }
        warnings.addAll(waveWarnings(waves));
        String forks = ForkPace.describe(t, label == null ? null : label + J_PER_OUTPUT_TOKEN);
        if (forks != null) {
            warnings.add("pace between forks: the engine's speed changed between the forks (" + forks + "); "
                    + ForkPace.CONSEQUENCE);
        }
        warnings.addAll(throttleWarnings(run, description));
        Metric failed = t.metrics().get("requests.failed");
        if (failed != null && failed.score() > 0) {
            warnings.add(String.format(Locale.ROOT, "failed requests: %.3g per wave; per-token figures cover the "
                    + "succeeded ones", failed.score()));
        }
        Metric ofRequested = t.metrics().get("tokens.output.ofRequested");
        if (ofRequested != null && Math.abs(ofRequested.score() - 1) > 1e-9 && waves.stream()
                .noneMatch(w -> w.warnings().containsKey("warning"))) {
            warnings.add(String.format(Locale.ROOT, "token count: %.4g of the requested output tokens were produced",
                    ofRequested.score()));
        }
        return new TrialRow(t.benchmark(), t.params(), description, label,
                label == null ? null : t.metrics().get(label + ".J/token"), budget(t, label, ".J/token"),
                label == null ? null : t.metrics().get(label + J_PER_OUTPUT_TOKEN), budget(t, label, J_PER_OUTPUT_TOKEN),
                interval, note,
                t.metrics().get("ttft.p50"), t.metrics().get("tpot.p50"), t.metrics().get("output.tokens/s"),
                label == null ? null : t.metrics().get(label + ".avgPower"), failed, warnings, null, false);
    }

    /**
     * The figure's error budget as the console summary and {@code summary.json} combine it
     * ({@link TrialBudget}: iteration spread, the {@code .err} measurement budget, the fork means'
     * spread), so the page's ± is their number; null where the trial has no such figure.
     */
    private static TrialBudget budget(TrialResult t, String label, String figure) {
        Metric m = label == null ? null : t.metrics().get(label + figure);
        if (m == null) {
            return null;
        }
        Metric err = t.metrics().get(label + figure + ".err");
        return TrialBudget.of(m.error(), m.samples(), err == null ? Double.NaN : err.score(), m.forkMeanArray());
    }

    /** The measured energy lines of the trial's latest attempt with this sensor (a resume keeps earlier ones). */
    private static List<EnergyRow.Line> latestEnergy(RunRecords run, String benchmark, String trial, String sensor) {
        List<EnergyRow.Line> mine = run.energy().stream().filter(l -> l.measurement() && l.trial().equals(trial)
                && l.sensor().equals(sensor) && benchmark.startsWith(l.benchmark())).toList();
        if (mine.isEmpty()) {
            return mine;
        }
        String latest = mine.get(mine.size() - 1).invocation();
        return mine.stream().filter(l -> l.invocation().equals(latest)).toList();
    }

    /** The measured waves of the trial's latest attempt. */
    private static List<WaveLine> latestWaves(RunRecords run, String trial) {
        List<WaveLine> mine = run.waves().stream().filter(w -> w.measurement() && w.trial().equals(trial)).toList();
        if (mine.isEmpty()) {
            return mine;
        }
        String latest = mine.get(mine.size() - 1).invocation();
        return mine.stream().filter(w -> w.invocation().equals(latest)).toList();
    }

    private static List<String> waveWarnings(List<WaveLine> waves) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (WaveLine w : waves) {
            w.warnings().forEach((key, text) -> counts.merge(WaveLine.WARNING_KEYS.get(key) + ": " + text, 1,
                    Integer::sum));
        }
        List<String> out = new ArrayList<>();
        counts.forEach((text, n) -> out.add(text + " (" + n + " of " + waves.size() + " measured waves)"));
        String steal = stealWarning(waves);
        if (steal != null) {
            out.add(steal);
        }
        String pace = paceWarning(waves);
        if (pace != null) {
            out.add(pace);
        }
        return out;
    }

    /**
     * One line for the waves in which the launched engine's busiest thread used
     * {@link HostCpu.Reading#CPU_PACED_SHARE} or more of one CPU (where that is the engine's own work,
     * its J/outputToken follows that core's speed), or null where none did or none recorded it.
     */
    static String paceWarning(List<WaveLine> waves) {
        DoubleSummaryStatistics paced = atLeast(waves, WaveLine::engineThreadCpuShare, HostCpu.Reading.CPU_PACED_SHARE);
        if (paced.getCount() == 0) {
            return null;
        }
        String where = paced.getCount() == waves.size() ? "all " + waves.size() + " measured waves" : String.format(
                Locale.ROOT, "%d of %d measured waves (those at %.1f or more)", paced.getCount(), waves.size(),
                HostCpu.Reading.CPU_PACED_SHARE);
        return String.format(Locale.ROOT, "engine pace: the launched engine's busiest thread used %.2f of one CPU on average"
                + " in %s; %s, %s", paced.getAverage(), where, HostCpu.Reading.CPU_PACED_PROVISO,
                HostCpu.Reading.CPU_PACED_CONSEQUENCE);
    }

    /** The figure of the waves where it reached {@code threshold} (NaN, not recorded, never does). */
    private static DoubleSummaryStatistics atLeast(List<WaveLine> waves, ToDoubleFunction<WaveLine> figure, double threshold) {
        return waves.stream().mapToDouble(figure).filter(v -> v >= threshold).summaryStatistics();
    }

    /**
     * One line for the waves with {@link HostCpu.Reading#STEAL_WARNING_SHARE} or more of the host's
     * CPU time stolen (each wave's own warning differs by its share, so they are not counted by
     * text), or null where none was.
     */
    static String stealWarning(List<WaveLine> waves) {
        DoubleSummaryStatistics stolen = atLeast(waves, WaveLine::stealShare, HostCpu.Reading.STEAL_WARNING_SHARE);
        if (stolen.getCount() == 0) {
            return null;
        }
        return String.format(Locale.ROOT, "host steal: the hypervisor gave %.0f %% or more of the host's CPU time to other"
                + " guests in %d of %d measured waves (up to %.1f %%); %s", 100 * HostCpu.Reading.STEAL_WARNING_SHARE,
                stolen.getCount(), waves.size(), 100 * stolen.getMax(), HostCpu.Reading.STEAL_CONSEQUENCE);
    }

    private static List<String> throttleWarnings(RunRecords run, String trial) {
        Map<String, List<ThrottledWave>> byDevice = new LinkedHashMap<>();
        for (ThrottledWave w : run.throttled()) {
            // the fork writes measurement-N (conditions.jsonl); "measurement" alone in files of before
            if (w.trial().equals(trial) && w.iteration().startsWith("measurement")) {
                byDevice.computeIfAbsent(w.device(), d -> new ArrayList<>()).add(w);
            }
        }
        List<String> out = new ArrayList<>();
        byDevice.forEach((device, waves) -> {
            Set<String> reasons = new LinkedHashSet<>();
            waves.forEach(w -> reasons.addAll(w.reasons()));
            long held = waves.stream().mapToLong(ThrottledWave::throttled).sum();
            long all = waves.stream().mapToLong(ThrottledWave::readings).sum();
            double ms = waves.stream().mapToDouble(ThrottledWave::throttledMs).filter(Double::isFinite).sum();
            out.add("throttled: " + device + " held back in " + waves.size() + " measured wave(s), " + held + " of "
                    + all + " readings" + (reasons.isEmpty() ? "" : " (" + String.join(", ", reasons) + ")")
                    + ThrottledWave.heldBackPhrase(ms));
        });
        return out;
    }

    private static List<TrialRow> markFrontier(List<TrialRow> rows) {
        List<TrialRow> out = new ArrayList<>(rows);
        Set<String> labels = new LinkedHashSet<>();
        rows.forEach(r -> {
            if (r.label() != null) {
                labels.add(r.label());
            }
        });
        for (String label : labels) {
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (label.equals(rows.get(i).label())) {
                    at.add(i);
                }
            }
            double[] latency = new double[at.size()];
            double[] energy = new double[at.size()];
            for (int k = 0; k < at.size(); k++) {
                TrialRow r = rows.get(at.get(k));
                latency[k] = r.tpotP50() == null ? Double.NaN : r.tpotP50().score();
                energy[k] = r.jPerOutputToken() == null ? Double.NaN : r.jPerOutputToken().score();
            }
            for (int k : ParetoFrontier.of(latency, energy)) {
                out.set(at.get(k), rows.get(at.get(k)).onFrontier());
            }
        }
        return out;
    }
}
