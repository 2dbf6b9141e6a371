package org.tokenpowerbench.report.html;

import org.tokenpowerbench.report.SloChoice;

/**
 * The page's "best setting under the objectives" section: per energy label, the measured trial
 * with the least J/outputToken that meets every objective and its margin over the next (or that
 * none meets them). Nothing when no objective was given.
 */
final class SloSection {

    private SloSection() {
    }

    static void append(StringBuilder h, RunRecords run, ReportSettings settings) {
        var choices = SloChoice.of(run.trials(), settings.slo());
        if (choices.isEmpty()) {
            return;
        }
        h.append("<h2>Best setting under the objectives</h2>\n<p class=\"note\">Objectives on each trial's latency")
                .append(" percentiles (means over its measured waves, as in the table); a bare name is the median. ")
                .append("Of the trials that meet every one, the least J/outputToken.</p>\n<ul class=\"slo\">\n");
        for (SloChoice c : choices) {
            h.append("<li").append(c.best() == null ? " class=\"failed\"" : "").append(" data-slo-label=\"")
                    .append(ReportPage.esc(c.label())).append("\" data-slo-best=\"")
                    .append(c.best() == null ? "" : ReportPage.esc(c.name().get(c.best()))).append("\">")
                    .append(ReportPage.esc(c.sentence())).append("</li>\n");
        }
        h.append("</ul>\n");
    }
}
