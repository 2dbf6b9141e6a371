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
 * @param sharedParameters the parameters ({@code name=value} words of the trials' names) that every
 *                  compared trial shares, in name order: the Markdown and the page say them once,
 *                  and leave them out of each trial's {@link #shown} name, which would else be a
 *                  screen wide for a launched engine
 */
record Comparison(ComparedRun base, ComparedRun now, String metric, double threshold, List<Change> changes,
                  List<String> onlyBase, List<String> onlyNew, List<String> sharedParameters) {

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
        sharedParameters = List.copyOf(sharedParameters);
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
        Comparison c = new Comparison(base, now, metric, threshold, changes, onlyBase, onlyNew, shared(changes));
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

    /** {@value #WORSE_STATUS} when the gated metric got worse in any trial, else 0. */
    int exitStatus() {
        return gated().stream().anyMatch(c -> c.verdict() == Verdict.WORSE) ? WORSE_STATUS : 0;
    }
}
