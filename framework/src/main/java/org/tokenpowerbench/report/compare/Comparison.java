package org.tokenpowerbench.report.compare;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.UserError;

/**
 * Two runs side by side: per trial present in both and per metric both measured, the change with
 * Welch's 95 % interval and its verdict; the chosen metric (by default J/outputToken) is the gate.
 *
 * @param base      the base run
 * @param now       the new run
 * @param metric    the gated metric as the user named it ({@code J/outputToken}, {@code nvml.J/outputToken})
 * @param threshold the smallest relative change that counts, a fraction ({@code 0.02})
 * @param changes   every change, trials in the base run's order
 * @param onlyBase  trials only the base run has
 * @param onlyNew   trials only the new run has
 * @param failedNew trials the base run completed and the new run recorded as failed, each with its
 *                  reasons: the gate fails on them ({@link #FAILED_STATUS})
 * @param sharedParameters the parameters ({@code name=value} words of the trials' names) that every
 *                  compared trial shares, in name order: the Markdown and the page say them once,
 *                  and leave them out of each trial's {@link #shown} name, which would else be a
 *                  screen wide for a launched engine
 */
record Comparison(ComparedRun base, ComparedRun now, String metric, double threshold, List<Change> changes,
                  List<String> onlyBase, List<String> onlyNew, List<String> sharedParameters, List<String> failedNew) {

    /** The label of JMH's primary result here: seconds per wave. */
    static final String WAVE = "wave";
    static final String DEFAULT_METRIC = "J/outputToken";
    static final double DEFAULT_THRESHOLD = 0.02;
    /** The exit status when the gated metric got worse: 0 passes, 1 is a sweep's failed trials, 2 a user's mistake. */
    static final int WORSE_STATUS = 3;
    /** The exit status when a trial the base run completed failed in the new run. */
    static final int FAILED_STATUS = 1;

    Comparison {
        changes = List.copyOf(changes);
        onlyBase = List.copyOf(onlyBase);
        onlyNew = List.copyOf(onlyNew);
        sharedParameters = List.copyOf(sharedParameters);
        failedNew = List.copyOf(failedNew);
    }

    /**
     * Compares every trial both runs have.
     *
     * @throws UserError when no trial is in both, or no trial of both has the gated metric, or the
     *                   metric has no better direction, or it is measured once a run
     */
    static Comparison of(ComparedRun base, ComparedRun now, String metric, double threshold) {
        List<Change> changes = new ArrayList<>();
        List<String> onlyBase = new ArrayList<>();
        for (Map.Entry<String, Map<String, IterationStats>> t : base.trials().entrySet()) {
            Map<String, IterationStats> other = now.trials().get(t.getKey());
            if (other == null) {
                onlyBase.add(t.getKey());
                continue;
            }
            t.getValue().forEach((label, b) -> {
                IterationStats n = other.get(label);
                if (n != null) {
                    changes.add(Change.of(t.getKey(), label, b, n, threshold));
                }
            });
        }
        List<String> onlyNew = now.trials().keySet().stream().filter(k -> !base.trials().containsKey(k)).toList();
        if (changes.isEmpty()) {
            throw new UserError("report --compare: no trial is in both " + base.source() + " and " + now.source()
                    + " (trials are matched by benchmark and parameters); compare runs of the same benchmark");
        }
        List<String> failedNew = new ArrayList<>();
        for (String trial : onlyBase) {
            List<String> reasons = now.failed().get(trial);
            if (reasons != null) {
                failedNew.add(trial + ": " + (reasons.isEmpty() ? "failed" : String.join("; ", reasons)));
            }
        }
        Comparison c = new Comparison(base, now, metric, threshold, changes, onlyBase, onlyNew, shared(changes),
                failedNew);
        if (c.gated().isEmpty()) {
            Set<String> labels = new LinkedHashSet<>();
            changes.forEach(x -> labels.add(x.metric()));
            throw new UserError("report --compare: --metric " + metric + " is in no trial of both runs; known: "
                    + String.join(", ", labels));
        }
        for (Change g : c.gated()) {
            if (Direction.of(g.metric(), g.base().unit()) == Direction.NEITHER) {
                throw new UserError("report --compare: --metric " + metric + " (" + g.metric() + ") is neither better"
                        + " lower nor higher, so it cannot gate; choose an energy, latency or throughput metric");
            }
            if (g.verdict() == Verdict.ONCE_A_RUN) {
                throw new UserError("report --compare: --metric " + metric + " (" + g.metric() + ") is measured once a"
                        + " run, so no interval can judge a change of it and it cannot gate; compare start-ups over"
                        + " several runs, or gate on a per-wave metric such as J/outputToken");
            }
            checkGated(g.trial(), g.metric(), g.base(), base.source());
            checkGated(g.trial(), g.metric(), g.now(), now.source());
            if (!g.base().unit().equals(g.now().unit())) {
                throw new UserError("report --compare: " + g.metric() + " of " + g.trial() + " is in " + g.base().unit()
                        + " in " + base.source() + " and in " + g.now().unit() + " in " + now.source()
                        + "; a change across units is no change: compare runs that report it in the same unit");
            }
        }
        return c;
    }

    /**
     * A gated figure a gate can rest on: a finite number, not negative (energy above idle aside,
     * which noise can take below zero), not zero for energy, and inside the range of its forks' means
     * (a mean, weighted or not, lies between its parts), so that an edited or damaged score is
     * refused rather than judged. An independent check had the gate call a negative J/outputToken
     * "better" with exit 0, and a NaN "no difference".
     */
    private static void checkGated(String trial, String metric, IterationStats s, java.nio.file.Path source) {
        String where = metric + " of " + trial + " in " + source;
        if (!Double.isFinite(s.mean())) {
            throw new UserError("report --compare: " + where + " is " + s.mean() + ", not a measured value; the gate"
                    + " cannot judge it: rerun that trial, or gate on another metric");
        }
        boolean aboveIdle = metric.contains("dynamic");
        if (!aboveIdle && (s.mean() < 0 || s.mean() == 0 && s.unit().startsWith("J"))) {
            throw new UserError("report --compare: " + where + " is " + s.mean() + " " + s.unit() + ", which no"
                    + " measurement gives; the file was edited or damaged: give the run as it was written");
        }
        if (s.forkMeans().size() >= 2) {
            double lo = s.forkMeans().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double hi = s.forkMeans().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double slack = 1e-9 * Math.max(Math.abs(lo), Math.abs(hi));
            if (!(s.mean() >= lo - slack && s.mean() <= hi + slack)) {
                throw new UserError("report --compare: " + where + " is " + s.mean() + " but its forks' means run from "
                        + lo + " to " + hi + ", and a mean lies between its parts; the file was edited or damaged:"
                        + " give the run as it was written");
            }
        }
    }

    /** The {@code name=value} words every trial of {@code changes} has in its name. */
    private static List<String> shared(List<Change> changes) {
        List<String[]> names = changes.stream().map(Change::trial).distinct().map(t -> t.split(" ")).toList();
        List<String> shared = new ArrayList<>();
        for (int i = 1; i < names.get(0).length; i++) {
            String word = names.get(0)[i];
            if (word.contains("=") && names.stream().allMatch(n -> List.of(n).subList(1, n.length).contains(word))) {
                shared.add(word);
            }
        }
        return shared;
    }

    /** A trial's name without the {@link #sharedParameters}: the benchmark and what sets it apart. */
    String shown(String trial) {
        String[] words = trial.split(" ");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            if (!sharedParameters.contains(words[i])) {
                out.append(' ').append(words[i]);
            }
        }
        return out.toString();
    }

    /** Whether {@code label} is the gated metric: the name itself, or the name after a sensor's label. */
    boolean isGated(String label) {
        return label.equals(metric) || label.endsWith("." + metric);
    }

    /** The changes of the gated metric. */
    List<Change> gated() {
        return changes.stream().filter(c -> isGated(c.metric())).toList();
    }

    /**
     * {@value #WORSE_STATUS} when the gated metric got worse in any trial, else {@value #FAILED_STATUS}
     * when a trial the base run completed failed in the new run, else 0.
     */
    int exitStatus() {
        if (gated().stream().anyMatch(c -> c.verdict() == Verdict.WORSE)) {
            return WORSE_STATUS;
        }
        return failedNew.isEmpty() ? 0 : FAILED_STATUS;
    }
}
