package org.tokenpowerbench.report.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.energy.TrialBudget;

/**
 * A comparison as Markdown for a pull-request comment: the gate's outcome first, the gated metric
 * for every trial, then only the other metrics that moved, and how the interval was made.
 */
final class CompareMarkdown {

    private CompareMarkdown() {
    }

    static String render(Comparison c) {
        StringBuilder m = new StringBuilder();
        long worse = c.gated().stream().filter(x -> x.verdict() == Verdict.WORSE).count();
        m.append("## TokenPowerBench: ").append(c.now().source().getFileName()).append(" against ")
                .append(c.base().source().getFileName()).append("\n\n");
        m.append(worse > 0
                ? String.format(Locale.ROOT, "**Gate failed**: %s worse beyond %s in %d of %d trials.%n%n",
                        c.metric(), percent(c.threshold()), worse, c.gated().size())
                : !c.failedNew().isEmpty()
                ? String.format(Locale.ROOT, "**Gate failed**: %d trial(s) the base run completed failed in the new"
                        + " run; %s worse beyond %s in none of the %d trials compared.%n%n", c.failedNew().size(),
                        c.metric(), percent(c.threshold()), c.gated().size())
                : String.format(Locale.ROOT, "**Gate passed**: %s worse beyond %s in none of %d trials.%n%n",
                        c.metric(), percent(c.threshold()), c.gated().size()));
        for (String failed : c.failedNew()) {
            m.append("- Failed in the new run: ").append(cell(failed)).append('\n');
        }
        if (!c.failedNew().isEmpty()) {
            m.append('\n');
        }
        List<String> shared = c.sharedParameters();
        if (!shared.isEmpty()) {
            m.append("Every trial: ").append(cell(String.join(" ", shared))).append("\n\n");
        }
        table(m, c, c.gated());
        splits(m, c, EnergySplit.of(c));
        // a figure measured once a run has no interval, but one that moved beyond the threshold is shown as such
        List<Change> moved = c.changes().stream().filter(x -> !c.isGated(x.metric()))
                .filter(x -> x.verdict() != Verdict.NO_DIFFERENCE && x.verdict() != Verdict.NO_INTERVAL)
                .filter(x -> x.verdict() != Verdict.ONCE_A_RUN || Math.abs(x.relative()) >= c.threshold()).toList();
        if (!moved.isEmpty()) {
            m.append("\nOther metrics that changed:\n\n");
            table(m, c, moved);
        }
        if (!c.onlyBase().isEmpty()) {
            m.append("\nOnly in the base run (not compared): ").append(cell(String.join("; ", c.onlyBase()))).append('\n');
        }
        if (!c.onlyNew().isEmpty()) {
            m.append("\nOnly in the new run (not compared): ").append(cell(String.join("; ", c.onlyNew()))).append('\n');
        }
        m.append("\n").append(method(c)).append("\n");
        for (String note : forkNotes(c)) {
            m.append("\n").append(note).append('\n');
        }
        return m.toString();
    }

    /** How the interval was made and what a verdict needs, as the Markdown and the page say it. */
    static String method(Comparison c) {
        return "Change = new − base, relative to the base mean. The interval is a 95 % confidence interval of"
                + " the difference of the means, by Welch's t (unequal variances). Where both runs ran several forks (-f 2 or more; \"over K / K"
                + " forks\") its samples are the forks' means: each fork is a fresh JVM and GPU state, so their"
                + " scatter holds the between-runs spread that the iterations of one fork do not see. Elsewhere"
                + " its samples are the measured iterations, and it holds for those JVM and GPU states only."
                + " A verdict needs the interval to exclude 0 and the change to reach " + percent(c.threshold())
                + "; energy and latency are better lower, throughput higher.";
    }

    /**
     * One line per run whose gated metric ran in one fork somewhere (or whose fork means were not
     * kept), as the console summary says it ({@link TrialBudget#ONE_FORK}): there the between-runs
     * spread is not in the interval.
     */
    static List<String> forkNotes(Comparison c) {
        List<String> out = new ArrayList<>();
        side(out, "Base run", c.gated().stream().map(Change::base).toList());
        side(out, "New run", c.gated().stream().map(Change::now).toList());
        return out;
    }

    private static void side(List<String> out, String run, List<IterationStats> gated) {
        long one = gated.stream().filter(s -> s.forkMeans().size() == 1).count();
        long unknown = gated.stream().filter(s -> s.forkMeans().isEmpty()).count();
        if (one > 0) {
            out.add(run + ": " + TrialBudget.ONE_FORK + of(one, gated.size()) + ".");
        }
        if (unknown > 0) {
            out.add(run + ": fork means not recorded (a summary.json of before they were kept): between-runs"
                    + " spread not measured" + of(unknown, gated.size()) + ".");
        }
    }

    private static String of(long some, int all) {
        return some == all ? "" : " (" + some + " of " + all + " trials)";
    }

    private static void table(StringBuilder m, Comparison comparison, List<Change> changes) {
        m.append("| trial | metric | base | new | change | 95 % interval | verdict |\n");
        m.append("|---|---|---:|---:|---:|---:|---|\n");
        for (Change c : changes) {
            m.append("| ").append(cell(comparison.shown(c.trial()))).append(" | ").append(cell(c.metric())).append(" | ")
                    .append(figure(c, c.base())).append(" | ").append(figure(c, c.now())).append(" | ")
                    .append(signedPercent(c.relative())).append(" | ")
                    .append(interval(c))
                    .append(" | ").append(c.verdict() == Verdict.WORSE ? "**worse**" : c.verdict().words());
            if (c.verdict() == Verdict.NO_INTERVAL) {
                m.append(" (n=").append(c.base().n()).append(" / ").append(c.now().n())
                        .append(": run -i 3 or more, or compare -rf json files)");
            }
            m.append(" |\n");
        }
    }

    /** The J/outputToken changes split into the work's energy above idle and the idle power over the wave's time. */
    private static void splits(StringBuilder m, Comparison c, List<EnergySplit> splits) {
        if (splits.isEmpty()) {
            return;
        }
        m.append("\n").append(SPLIT_TITLE).append(":\n\n");
        m.append("| trial | sensor | above idle, J/token | idle power × time, J/token | wave time | change = above idle + idle × time |\n");
        m.append("|---|---|---:|---:|---:|---|\n");
        for (EnergySplit s : splits) {
            m.append("| ").append(cell(c.shown(s.trial()))).append(" | ").append(cell(s.sensor())).append(" | ")
                    .append(s.aboveCell()).append(" | ").append(s.idleCell()).append(" | ").append(s.waveCell())
                    .append(" | ").append(cell(s.describe())).append(" |\n");
        }
        for (EnergySplit s : splits) {
            String note = s.hostNote();
            if (note != null) {
                m.append("\n**Host steal** (").append(c.shown(s.trial())).append("): ").append(note).append('\n');
            }
            String pace = s.paceNote();
            if (pace != null) {
                m.append("\n**Engine pace** (").append(c.shown(s.trial())).append("): ").append(pace).append('\n');
            }
        }
    }

    /** The heading of the split, in the Markdown and on the page. */
    static final String SPLIT_TITLE = "Where the J/outputToken change comes from (the work's energy above the idle"
            + " baseline, and the idle power over the wave's time, each per output token, from the trials' means;"
            + " the second follows the engine's speed)";

    /** {@code [low, high]} relative to the base, with {@code over K / K forks} where the forks were the samples. */
    static String interval(Change c) {
        if (c.interval() == null) {
            return "–";
        }
        return "[" + signedPercent(c.relativeLow()) + ", " + signedPercent(c.relativeHigh()) + "]"
                + (c.overForks() ? " over " + c.base().forkMeans().size() + " / " + c.now().forkMeans().size()
                + " forks" : "");
    }

    static String figure(IterationStats s) {
        return String.format(Locale.ROOT, "%.4g %s (n=%d)", s.mean(), s.unit(), s.n()).replace("|", "/");
    }

    /** One side's figure in a change's row: its iterations counted, or "once" where it was measured once a run. */
    static String figure(Change c, IterationStats s) {
        return c.verdict() != Verdict.ONCE_A_RUN ? figure(s)
                : String.format(Locale.ROOT, "%.4g %s (once)", s.mean(), s.unit()).replace("|", "/");
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.3g %%", fraction * 100);
    }

    static String signedPercent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%+.2f %%", fraction * 100) : "–";
    }

    /**
     * A run's text in the Markdown: a pipe would split a table cell, and markup (a parameter value such
     * as {@code <img ...>}) would render in a pull request's comment; both are written as text.
     */
    private static String cell(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|");
    }
}
