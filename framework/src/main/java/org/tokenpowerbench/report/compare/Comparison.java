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
 */
record Comparison(ComparedRun base, ComparedRun now, String metric, double threshold, List<Change> changes,
                  List<String> onlyBase, List<String> onlyNew) {

    /** The label of JMH's primary result here: seconds per wave. */
    static final String WAVE = "wave";
    static final String DEFAULT_METRIC = "J/outputToken";
    static final double DEFAULT_THRESHOLD = 0.02;
    /** The exit status when the gated metric got worse: 0 passes, 1 is a sweep's failed trials, 2 a user's mistake. */
    static final int WORSE_STATUS = 3;

    Comparison {
        changes = List.copyOf(changes);
        onlyBase = List.copyOf(onlyBase);
        onlyNew = List.copyOf(onlyNew);
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
        Comparison c = new Comparison(base, now, metric, threshold, changes, onlyBase, onlyNew);
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
        }
        return c;
    }

    /** Whether {@code label} is the gated metric: the name itself, or the name after a sensor's label. */
    boolean isGated(String label) {
        return label.equals(metric) || label.endsWith("." + metric);
    }

    /** The changes of the gated metric. */
    List<Change> gated() {
        return changes.stream().filter(c -> isGated(c.metric())).toList();
    }

    /** {@value #WORSE_STATUS} when the gated metric got worse in any trial, else 0. */
    int exitStatus() {
        return gated().stream().anyMatch(c -> c.verdict() == Verdict.WORSE) ? WORSE_STATUS : 0;
    }
}
