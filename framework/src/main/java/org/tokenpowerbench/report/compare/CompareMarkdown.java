package org.tokenpowerbench.report.compare;

import java.util.List;
import java.util.Locale;

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
                : String.format(Locale.ROOT, "**Gate passed**: %s worse beyond %s in none of %d trials.%n%n",
                        c.metric(), percent(c.threshold()), c.gated().size()));
        table(m, c.gated());
        List<Change> moved = c.changes().stream().filter(x -> !c.isGated(x.metric()))
                .filter(x -> x.verdict() != Verdict.NO_DIFFERENCE && x.verdict() != Verdict.NO_INTERVAL).toList();
        if (!moved.isEmpty()) {
            m.append("\nOther metrics that changed:\n\n");
            table(m, moved);
        }
        if (!c.onlyBase().isEmpty()) {
            m.append("\nOnly in the base run (not compared): ").append(String.join("; ", c.onlyBase())).append('\n');
        }
        if (!c.onlyNew().isEmpty()) {
            m.append("\nOnly in the new run (not compared): ").append(String.join("; ", c.onlyNew())).append('\n');
        }
        m.append("\nChange = new − base. The interval is a 95 % confidence interval of the difference of the")
                .append(" means over measured iterations, by Welch's t (unequal variances). A verdict needs the")
                .append(" interval to exclude 0 and the change to reach ").append(percent(c.threshold()))
                .append("; energy and latency are better lower, throughput higher.\n");
        return m.toString();
    }

    private static void table(StringBuilder m, List<Change> changes) {
        m.append("| trial | metric | base | new | change | 95 % interval | verdict |\n");
        m.append("|---|---|---:|---:|---:|---:|---|\n");
        for (Change c : changes) {
            m.append("| ").append(cell(c.trial())).append(" | ").append(cell(c.metric())).append(" | ")
                    .append(figure(c.base())).append(" | ").append(figure(c.now())).append(" | ")
                    .append(signedPercent(c.relative())).append(" | ")
                    .append(c.interval() == null ? "–" : "[" + signedPercent(c.relativeLow()) + ", "
                            + signedPercent(c.relativeHigh()) + "]")
                    .append(" | ").append(c.verdict() == Verdict.WORSE ? "**worse**" : c.verdict().words());
            if (c.verdict() == Verdict.NO_INTERVAL) {
                m.append(" (n=").append(c.base().n()).append(" / ").append(c.now().n())
                        .append(": run -i 3 or more, or compare -rf json files)");
            }
            m.append(" |\n");
        }
    }

    static String figure(IterationStats s) {
        return String.format(Locale.ROOT, "%.4g %s (n=%d)", s.mean(), s.unit(), s.n()).replace("|", "/");
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.3g %%", fraction * 100);
    }

    static String signedPercent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%+.2f %%", fraction * 100) : "–";
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }
}
