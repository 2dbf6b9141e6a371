package org.tokenpowerbench.report.html;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.report.FleetForecast;
import org.tokenpowerbench.report.LoadCurve;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SloChoice;
import org.tokenpowerbench.report.TrafficProfile;
import org.tokenpowerbench.report.TrialResult;

/**
 * The page's "fleet forecast" section and its console lines ({@code report --forecast traffic.csv}):
 * one {@link LoadCurve} per energy label and serving configuration (the trials' parameters other
 * than the load axes {@code batch} and {@code rate}), its points the trials' measured output
 * tokens/s and the iterations' J/outputToken with its 95 % interval from the sweep table, and
 * the day of traffic read off it ({@link FleetForecast}). Nothing without {@code --forecast}.
 */
final class ForecastSection {

    private static final Set<String> LOAD_AXES = Set.of(Axis.BATCH.paramName(), Axis.RATE.paramName());
    private static final String J_PER_OUTPUT_TOKEN = ".J/outputToken";

    private ForecastSection() {
    }

    /** One forecast per energy label and configuration; empty without {@code --forecast}. */
    static List<FleetForecast> of(RunRecords run, List<TrialRow> rows, ReportSettings settings) {
        TrafficProfile traffic = settings.forecast();
        if (traffic == null) {
            return List.of();
        }
        Map<TrialResult, String> names = SloChoice.names(run.trials());
        Map<String, String> configNames = configNames(run.trials());
        Map<String, List<LoadCurve.Point>> points = new LinkedHashMap<>();
        Map<String, String[]> keys = new LinkedHashMap<>();
        for (TrialResult t : run.trials()) {
            Metric load = t.metrics().get("output.tokens/s");
            if (load == null || !(load.score() > 0)) {
                continue;
            }
            for (TrialRow r : rows) {
                if (r.label() == null || r.failure() != null || !r.benchmark().equals(t.benchmark())
                        || !r.params().equals(t.params()) || r.jPerOutputToken() == null) {
                    continue;
                }
                IterationInterval i = r.interval();
                double j = i != null && Double.isFinite(i.mean()) ? i.mean() : r.jPerOutputToken().score();
                double lo = i != null && i.hasWidth() ? Math.max(0, i.mean() - i.halfWidth()) : j;
                double hi = i != null && i.hasWidth() ? i.mean() + i.halfWidth() : j;
                String config = config(t);
                String key = r.label() + "\n" + config;
                keys.putIfAbsent(key, new String[] {r.label(), configNames.get(config)});
                points.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new LoadCurve.Point(names.get(t), load.score(), j, lo, hi, promptPerOutput(t)));
            }
        }
        List<FleetForecast> out = new ArrayList<>();
        points.forEach((key, p) -> out.add(FleetForecast.of(new LoadCurve(keys.get(key)[0], keys.get(key)[1], p),
                traffic, settings.cost())));
        return out;
    }

    static void append(StringBuilder h, RunRecords run, List<TrialRow> rows, ReportSettings settings) {
        if (settings.forecast() == null) {
            return;
        }
        List<FleetForecast> forecasts = of(run, rows, settings);
        h.append("<h2>Fleet forecast</h2>\n<p class=\"note\">The day of ")
                .append(ReportPage.esc(String.valueOf(settings.forecast().file().getFileName())))
                .append(" on the measured J/outputToken against output tokens/s, straight lines between the trials")
                .append(" (the range: the same through their 95 % interval bounds). Each row asks for requests/s × mean")
                .append(" output tokens output tokens/s and holds until the next row; the year is the day × 365. Loads")
                .append(" outside the measured range are clamped to its nearest end and marked.</p>\n");
        if (forecasts.isEmpty()) {
            h.append("<p class=\"note\">No trial has both a J/outputToken and output tokens/s: nothing to forecast"
                    + " from.</p>\n");
            return;
        }
        for (FleetForecast f : forecasts) {
            String est = f.curve().estimated() ? " <span class=\"est\">estimated</span>" : "";
            h.append("<h3>").append(ReportPage.esc(f.curve().config())).append(" [")
                    .append(ReportPage.esc(f.curve().label())).append("]</h3>\n<table class=\"sweep forecast\"")
                    .append(" data-forecast-label=\"").append(ReportPage.esc(f.curve().label())).append("\">")
                    .append("<tr><th></th><th>forecast</th><th>from the lower curve</th><th>from the upper curve</th></tr>\n");
            row(h, "kWh per day (" + f.pueWords() + ")", f.dailyKWh(), est);
            row(h, "kWh per year", f.annualKWh(), est);
            if (f.annualTonnesCo2e() != null) {
                row(h, "tCO2e per year (grid " + f.cost().grid().source() + ")", f.annualTonnesCo2e(), est);
            }
            if (f.annualDollars() != null) {
                row(h, "$ electricity per year at $" + f.cost().pricePerKWh() + "/kWh", f.annualDollars(), est);
            }
            h.append("</table>\n<table class=\"sweep forecast-rows\"><tr><th>line</th><th>time</th><th>hours</th>")
                    .append("<th>requests/s</th><th>output tokens/s</th><th>J/outputToken</th><th>kWh</th>")
                    .append("<th>notes</th></tr>\n");
            int shown = 0;
            for (FleetForecast.RowForecast r : f.rows()) {
                if (++shown > PAGE_ROWS) { // a day a second is 86,400 rows: the totals above cover every one
                    h.append("<tr><td colspan=\"8\">").append(f.rows().size() - PAGE_ROWS)
                            .append(" more rows, not shown; the totals above cover them</td></tr>\n");
                    break;
                }
                h.append("<tr").append(r.notes().isEmpty() ? "" : " class=\"clamped\"").append("><td>")
                        .append(r.row().line()).append("</td><td>").append(ReportPage.esc(r.row().time()))
                        .append("</td><td>").append(ReportPage.num(r.row().durationS() / 3600)).append("</td><td>")
                        .append(ReportPage.num(r.row().requestsPerS())).append("</td><td>")
                        .append(ReportPage.num(r.row().outputTokensPerS())).append("</td><td>")
                        .append(ReportPage.num(r.reading().jPerOutputToken())).append(" [")
                        .append(ReportPage.num(r.reading().lower())).append(", ")
                        .append(ReportPage.num(r.reading().upper())).append("]</td><td>")
                        .append(ReportPage.num(r.joules() * f.pue() / 3.6e6)).append("</td><td>")
                        .append(ReportPage.esc(String.join("; ", r.notes()))).append("</td></tr>\n");
            }
            h.append("</table>\n");
        }
    }

    /** The most traffic rows the page's table shows. */
    static final int PAGE_ROWS = 1_440;

    static List<String> console(RunRecords run, List<TrialRow> rows, ReportSettings settings) {
        List<String> out = new ArrayList<>();
        if (settings.forecast() == null) {
            return out;
        }
        List<FleetForecast> forecasts = of(run, rows, settings);
        if (forecasts.isEmpty()) {
            out.add("Fleet forecast: no trial has both a J/outputToken and output tokens/s; nothing to forecast from.");
        }
        forecasts.forEach(f -> out.addAll(f.lines("Fleet forecast " + f.curve().config())));
        return out;
    }

    private static void row(StringBuilder h, String name, FleetForecast.Range r, String est) {
        h.append("<tr><th>").append(ReportPage.esc(name)).append("</th><td>").append(ReportPage.num(r.value()))
                .append(est).append("</td><td>").append(ReportPage.num(r.lower())).append("</td><td>")
                .append(ReportPage.num(r.upper())).append("</td></tr>\n");
    }

    /** The trial's benchmark and parameters other than the load axes: what one curve holds fixed. */
    private static String config(TrialResult t) {
        StringBuilder s = new StringBuilder(t.benchmark());
        t.params().forEach((k, v) -> {
            if (!LOAD_AXES.contains(k)) {
                s.append(' ').append(k).append('=').append(v);
            }
        });
        return s.toString();
    }

    /** Each configuration by the non-load parameters that differ between them; the benchmark's simple name when none do. */
    private static Map<String, String> configNames(List<TrialResult> trials) {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        Set<String> benchmarks = new LinkedHashSet<>();
        trials.forEach(t -> {
            benchmarks.add(t.benchmark());
            t.params().forEach((k, v) -> {
                if (!LOAD_AXES.contains(k)) {
                    values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v);
                }
            });
        });
        Map<String, String> out = new LinkedHashMap<>();
        for (TrialResult t : trials) {
            StringBuilder s = new StringBuilder(benchmarks.size() > 1 || values.values().stream().allMatch(v -> v.size() < 2)
                    ? t.benchmark().substring(t.benchmark().lastIndexOf('.', t.benchmark().lastIndexOf('.') - 1) + 1)
                    : "");
            values.forEach((k, v) -> {
                if (v.size() > 1) {
                    s.append(s.length() == 0 ? "" : " ").append(k).append('=').append(t.params().get(k));
                }
            });
            out.put(config(t), s.toString());
        }
        return out;
    }

    /** Measured prompt tokens per output token (the waves' means, from the same token source); NaN when absent. */
    private static double promptPerOutput(TrialResult t) {
        for (Map.Entry<String, Metric> e : t.metrics().entrySet()) {
            String k = e.getKey();
            if (k.startsWith("tokens.prompt.") && !k.equals("tokens.prompt.cached")) {
                Metric out = t.metrics().get("tokens.output." + k.substring("tokens.prompt.".length()));
                if (out != null && out.score() > 0) {
                    return e.getValue().score() / out.score();
                }
            }
        }
        return Double.NaN;
    }
}
