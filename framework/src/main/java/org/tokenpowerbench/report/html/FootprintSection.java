package org.tokenpowerbench.report.html;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.report.CostInputs;
import org.tokenpowerbench.report.Footprint;
import org.tokenpowerbench.report.SloChoice;
import org.tokenpowerbench.report.TrialResult;

/**
 * The page's "cost and carbon" section and its console lines: per trial and energy label, kWh,
 * gCO2e and $ per million output tokens from the measured J/outputToken, with the inputs named
 * (grid intensity and its source, PUE, prices). Nothing when no {@code --carbon} was given.
 */
final class FootprintSection {

    private FootprintSection() {
    }

    static void append(StringBuilder h, RunRecords run, ReportSettings settings) {
        CostInputs in = settings.cost();
        if (in == null) {
            return;
        }
        h.append("<h2>Cost and carbon per million output tokens</h2>\n<p class=\"note\">From the measured ")
                .append("J/outputToken of each energy label (its scope only: a GPU label counts the GPU, not the host) × ")
                .append(ReportPage.esc(in.pueWords())).append("; grid ").append(ReportPage.esc(in.grid().source()))
                .append(Double.isNaN(in.pricePerKWh()) ? "" : "; electricity $" + in.pricePerKWh() + "/kWh")
                .append(Double.isNaN(in.hardwarePerHour()) ? "" : "; hardware $" + in.hardwarePerHour()
                        + "/h over the hours at the trial's output tokens/s")
                .append(". Estimated energy gives estimated carbon and cost.</p>\n");
        h.append("<table class=\"sweep footprint\"><tr><th>trial</th><th>energy</th><th>kWh</th><th>gCO2e</th>")
                .append("<th>$ electricity</th><th>$ hardware</th></tr>\n");
        Map<TrialResult, String> names = names(run);
        for (Footprint f : Footprint.of(run.trials(), in)) {
            String est = f.estimated() ? " <span class=\"est\">estimated</span>" : "";
            h.append("<tr").append(f.estimated() ? " class=\"estimated\"" : "").append("><td>")
                    .append(ReportPage.esc(names.get(f.trial()))).append("</td><td>").append(ReportPage.esc(f.label()))
                    .append("</td><td>").append(ReportPage.num(f.kWhPerMillion())).append(est).append("</td><td>")
                    .append(ReportPage.num(f.gramsPerMillion())).append(est).append("</td><td>")
                    .append(ReportPage.num(f.energyCostPerMillion())).append(est).append("</td><td>")
                    .append(ReportPage.num(f.hardwareCostPerMillion())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    static List<String> console(RunRecords run, CostInputs in) {
        List<String> out = new ArrayList<>();
        out.add("Cost and carbon from measured energy, " + in.pueWords() + ", grid " + in.grid().source() + ":");
        Map<TrialResult, String> names = names(run);
        Footprint.of(run.trials(), in).forEach(f -> out.add("  " + f.line(names.get(f.trial()))));
        return out;
    }

    private static Map<TrialResult, String> names(RunRecords run) {
        return SloChoice.names(run.trials());
    }
}
