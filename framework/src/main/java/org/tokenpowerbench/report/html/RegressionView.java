package org.tokenpowerbench.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.RegressionFile;

/**
 * The regression cross-check beside the attribution: for every fit of {@code regression.json}
 * (one serving configuration of a sensor, and the pooled fit over all of a benchmark's points),
 * the fitted J per prompt token ({@code a}), J per decode token ({@code b}) and the per-second
 * term ({@code c}, W) with 95 % intervals ({@code ± t(0.975, n−3) ·} standard error), next to
 * what the attribution gave the same iterations under each policy, with the fit's per-second term
 * taken out (what {@code a} and {@code b} estimate), as a mean over the iterations with its 95 %
 * t-interval. Where the two intervals do not overlap, a line says so under the row.
 */
final class RegressionView {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An estimate with its 95 % interval; {@code low}/{@code high} NaN when there is none. */
    record Estimate(double value, double low, double high) {

        boolean hasInterval() {
            return Double.isFinite(low) && Double.isFinite(high);
        }

        /** Whether the two intervals (a bare value counts as a point) do not overlap. */
        boolean disagrees(Estimate other) {
            double lo1 = hasInterval() ? low : value;
            double hi1 = hasInterval() ? high : value;
            double lo2 = other.hasInterval() ? other.low : other.value;
            double hi2 = other.hasInterval() ? other.high : other.value;
            return Double.isFinite(lo1) && Double.isFinite(lo2) && (hi1 < lo2 || hi2 < lo1);
        }

        String text() {
            if (!Double.isFinite(value)) {
                return "–";
            }
            return hasInterval() ? ReportPage.num(value) + " [" + ReportPage.num(low) + ", " + ReportPage.num(high) + "]"
                    : ReportPage.num(value);
        }
    }

    private RegressionView() {
    }

    static void append(StringBuilder h, RunRecords run) {
        Path file = run.runDir().resolve(RegressionFile.FILE);
        h.append("<h2 id=\"tpb-regression-view\">Regression beside the attribution</h2>\n");
        if (!Files.exists(file)) {
            h.append("<p class=\"note\">No ").append(RegressionFile.FILE).append(" in this run folder (it needs a power")
                    .append(" profiler): no cross-check to show.</p>\n");
            return;
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            h.append("<p class=\"note warn\">").append(ReportPage.esc(RegressionFile.FILE)).append(" cannot be read: ")
                    .append(ReportPage.esc(String.valueOf(e.getMessage()))).append("</p>\n");
            return;
        }
        List<EnergyRow.Line> lines = latest(EnergyRow.read(run.runDir()));
        h.append("<p class=\"note\">Fit: <code>energyJ = a·prefillTokens + b·decodeTokens + c·seconds</code> over the")
                .append(" measured iterations of each serving configuration (least squares, no intercept; intervals")
                .append(" ± t(0.975, n−3) · standard error). Attribution: the same iterations' prefill and decode")
                .append(" joules per prompt and decode token under each policy, with the fit's <code>c</code> times")
                .append(" the phases' time shares taken out, which is what <code>a</code> and <code>b</code> estimate;")
                .append(" mean over the iterations with its 95 % t-interval. ⚠ marks a pair whose intervals do not")
                .append(" overlap: the attribution's split and the marginal costs the fit sees disagree there.</p>\n");
        h.append("<div class=\"scroll\"><table class=\"sweep\" id=\"tpb-regression\"><thead><tr><th>sensor</th>")
                .append("<th>configuration</th><th>n</th><th>a: J/prompt token</th><th>b: J/decode token</th>")
                .append("<th>c: W</th><th>R²</th><th>policy</th><th>attributed J/prompt token (above c)</th>")
                .append("<th>attributed J/decode token (above c)</th></tr></thead><tbody>\n");
        int rows = 0;
        for (JsonNode f : root.path("fits")) {
            rows += fitRows(h, f, lines);
        }
        h.append("</tbody></table></div>\n");
        if (rows == 0) {
            h.append("<p class=\"note\">").append(RegressionFile.FILE).append(" holds no fit.</p>\n");
        }
    }

    private static int fitRows(StringBuilder h, JsonNode f, List<EnergyRow.Line> lines) {
        String sensor = f.path("sensor").asText();
        String group = f.path("group").asText();
        int n = f.path("observations").asInt();
        JsonNode fit = f.path("fit");
        String configuration = "all".equals(group) ? "all points of " + f.path("benchmark").asText()
                + " (mixes configurations)" : group;
        String head = "<td>" + ReportPage.esc(sensor) + "</td><td class=\"wrap\">" + ReportPage.esc(configuration)
                + "</td><td>" + n + "</td>";
        if (fit.has("problem")) {
            h.append("<tr data-fit=\"").append(ReportPage.esc(group)).append("\">").append(head)
                    .append("<td colspan=\"7\" class=\"warn\">no fit: ").append(ReportPage.esc(fit.path("problem").asText()))
                    .append("</td></tr>\n");
            return 1;
        }
        double t = n > 3 ? new TDistribution(n - 3).inverseCumulativeProbability(0.975) : Double.NaN;
        Estimate a = coefficient(fit.path("a_JPerPrefillToken"), t);
        Estimate b = coefficient(fit.path("b_JPerDecodeToken"), t);
        Estimate c = coefficient(fit.path("c_W"), t);
        List<EnergyRow.Line> mine = lines.stream().filter(l -> l.sensor().equals(sensor)
                && l.benchmark().equals(f.path("benchmark").asText()) && ("all".equals(group) || l.group().equals(group)))
                .toList();
        int written = 0;
        for (var policy : f.path("attribution").fieldNames().hasNext() ? iterable(f.path("attribution")) : List.of("")) {
            Estimate prefill = attributed(mine, policy, c.value(), true);
            Estimate decode = attributed(mine, policy, c.value(), false);
            List<String> notes = new ArrayList<>();
            if (prefill.disagrees(a)) {
                notes.add(String.format(Locale.ROOT, "prefill: the attribution's %s J/prompt token lies outside the fit's"
                        + " a = %s (intervals do not overlap)", prefill.text(), a.text()));
            }
            if (decode.disagrees(b)) {
                notes.add(String.format(Locale.ROOT, "decode: the attribution's %s J/decode token lies outside the fit's"
                        + " b = %s (intervals do not overlap)", decode.text(), b.text()));
            }
            h.append("<tr data-fit=\"").append(ReportPage.esc(group)).append("\" data-policy=\"")
                    .append(ReportPage.esc(policy)).append("\"").append(notes.isEmpty() ? "" : " class=\"warned\"")
                    .append(">").append(head).append("<td>").append(a.text()).append("</td><td>").append(b.text())
                    .append("</td><td>").append(c.text()).append("</td><td>")
                    .append(ReportPage.num(fit.path("rSquared").asDouble(Double.NaN))).append("</td><td>")
                    .append(ReportPage.esc(policy)).append("</td><td>").append(prefill.text()).append("</td><td>")
                    .append(decode.text());
            for (String note : notes) {
                h.append("<div class=\"warn\">⚠ ").append(ReportPage.esc(note)).append("</div>");
            }
            h.append("</td></tr>\n");
            written++;
        }
        return written;
    }

    private static List<String> iterable(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static Estimate coefficient(JsonNode c, double t) {
        double v = c.path("value").asDouble(Double.NaN);
        double se = c.path("standardError").asDouble(Double.NaN);
        return Double.isFinite(t) && Double.isFinite(se) ? new Estimate(v, v - t * se, v + t * se)
                : new Estimate(v, Double.NaN, Double.NaN);
    }

    /** Per iteration, (phase J − c · phase share seconds) / tokens; their mean with a 95 % t-interval. */
    static Estimate attributed(List<EnergyRow.Line> lines, String policy, double c, boolean prefill) {
        List<Double> values = new ArrayList<>();
        for (EnergyRow.Line l : lines) {
            EnergyRow.PolicyFigures p = l.policies().get(policy);
            double tokens = prefill ? l.promptTokens() : l.decodeTokens();
            if (p == null || !(tokens > 0) || !Double.isFinite(c)) {
                continue;
            }
            double joules = prefill ? p.prefillJ() - c * p.prefillShareSeconds() : p.decodeJ() - c * p.decodeShareSeconds();
            values.add(joules / tokens);
        }
        IterationInterval i = IterationInterval.of(values.stream().mapToDouble(Double::doubleValue).toArray());
        return i.hasWidth() ? new Estimate(i.mean(), i.mean() - i.halfWidth(), i.mean() + i.halfWidth())
                : new Estimate(i.mean(), Double.NaN, Double.NaN);
    }

    /** The measured lines of each trial's latest attempt per sensor, as regression.json fits them. */
    private static List<EnergyRow.Line> latest(List<EnergyRow.Line> lines) {
        Map<String, String> last = new LinkedHashMap<>();
        List<EnergyRow.Line> measured = lines.stream().filter(EnergyRow.Line::measurement).toList();
        measured.forEach(l -> last.put(l.sensor() + "\n" + l.benchmark() + "\n" + l.trial(), l.invocation()));
        return measured.stream().filter(l -> l.invocation().equals(last.get(l.sensor() + "\n" + l.benchmark() + "\n"
                + l.trial()))).toList();
    }
}
