package org.tokenpowerbench.report.html;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tokenpowerbench.energy.TrialBudget;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.TrialResult;

/**
 * {@code report.html} as text: one self-contained page (styles, the chart library and the page's
 * own script inlined; the figures as a JSON block) that opens from disk without a network. The
 * tables are written here, in HTML, with every number; the script only draws the charts from the
 * same figures, decimating for display where a series is long.
 */
final class ReportPage {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter INVOCATION = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private ReportPage() {
    }

    static String render(RunRecords run, List<TrialRow> rows, LocalDateTime written) {
        return render(run, rows, written, new ReportSettings(org.tokenpowerbench.report.ServiceObjectives.none()));
    }

    static String render(RunRecords run, List<TrialRow> rows, LocalDateTime written, ReportSettings settings) {
        List<String> swept = sweptAxes(rows);
        StringBuilder h = new StringBuilder(1 << 20);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>TokenPowerBench report: ").append(esc(run.runDir().getFileName() == null ? ""
                        : run.runDir().getFileName().toString())).append("</title>\n<style>\n")
                .append(own("report.css")).append("</style>\n</head><body>\n");
        h.append("<div id=\"tpb-status\" hidden></div>\n");
        h.append("<h1>TokenPowerBench report</h1>\n");
        whatRan(h, run, rows, written);
        warnings(h, rows);
        table(h, rows, swept);
        SloSection.append(h, run, settings);
        FootprintSection.append(h, run, settings);
        ForecastSection.append(h, run, rows, settings);
        h.append("<h2>J/outputToken against each swept axis</h2>\n");
        if (swept.isEmpty()) {
            h.append("<p class=\"note\">No axis took more than one value in this run: nothing to plot against.</p>\n");
        }
        for (String axis : swept) {
            h.append("<div class=\"chart\" data-axis=\"").append(esc(axis)).append("\"></div>\n");
        }
        h.append("<h2>Latency and energy</h2>\n<p class=\"note\">TPOT p50 against J/outputToken, one point per trial; ")
                .append("the line joins the Pareto frontier: the trials no other trial beats on both.</p>\n")
                .append("<div class=\"chart\" id=\"tpb-plane\"></div>\n");
        RequestScan requests = RequestScan.read(run.runDir()); // one pass over requests.csv for both views
        TimelineView.append(h, run, requests);
        LatencyView.append(h, run, rows, requests);
        RegressionView.append(h, run);
        ReplicaView.append(h, run);
        h.append("<script type=\"application/json\" id=\"tpb-data\">")
                .append(ScriptJson.embed(data(rows, swept))).append("</script>\n");
        h.append("<script>/* Apache ECharts ").append(ChartLibrary.version())
                .append(", Apache License 2.0, https://echarts.apache.org */\n")
                .append(ChartLibrary.script().replace("</script", "<\\/script")).append("\n</script>\n");
        h.append("<script>\n").append(own("report.js")).append("</script>\n");
        h.append("<script>\n").append(own("timeline.js")).append("</script>\n");
        h.append("<script>\n").append(own("latency.js")).append("</script>\n");
        h.append("<script>\n").append(own("focus.js")).append("</script>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    /** The parameters that take more than one value over the rows with figures, in JMH's order. */
    static List<String> sweptAxes(List<TrialRow> rows) {
        Map<String, Set<String>> values = new LinkedHashMap<>();
        for (TrialRow r : rows) {
            if (r.failure() == null) {
                r.params().forEach((k, v) -> values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(v));
            }
        }
        return values.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).toList();
    }

    static void whatRan(StringBuilder h, RunRecords run, List<TrialRow> rows, LocalDateTime written) {
        h.append("<h2>What ran</h2>\n<table class=\"facts\">\n");
        fact(h, "run folder", run.runDir().toAbsolutePath().toString());
        fact(h, "benchmark", String.join(", ", distinct(rows.stream().map(TrialRow::benchmark).toList())));
        List<String> settings = settings(run.runDir());
        fact(h, settings.size() > 1 ? "JMH settings (they differ between trials)" : "JMH settings",
                settings.isEmpty() ? "not recorded in the run folder" : String.join("; ", settings));
        for (String axis : List.of("engine", "model", "quantization", "api")) {
            List<String> values = distinct(run.trials().stream().map(t -> t.params().get(axis))
                    .filter(v -> v != null).toList());
            if (!values.isEmpty()) {
                fact(h, axis, String.join(", ", values));
            }
        }
        Map<String, String> constant = new LinkedHashMap<>();
        List<String> swept = sweptAxes(rows);
        for (TrialResult t : run.trials()) {
            t.params().forEach((k, v) -> {
                if (!swept.contains(k) && !List.of("engine", "model", "quantization", "api").contains(k)) {
                    constant.putIfAbsent(k, v);
                }
            });
        }
        if (!constant.isEmpty()) {
            StringBuilder s = new StringBuilder();
            constant.forEach((k, v) -> s.append(s.length() == 0 ? "" : " ").append(k).append('=').append(v));
            fact(h, "fixed parameters", s.toString());
        }
        fact(h, "swept", swept.isEmpty() ? "nothing" : String.join(", ", swept));
        long failed = rows.stream().filter(r -> r.failure() != null).count();
        fact(h, "trials", run.trials().size() + " complete, " + failed + " failed");
        fact(h, "date", dates(run) + "; this page written " + written.withNano(0).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)
                .replace('T', ' '));
        h.append("</table>\n");
        h.append("<h3>Power sensors</h3>\n");
        if (run.sensors().isEmpty()) {
            h.append("<p class=\"note\">No sensors.jsonl: this run measured no power (add -prof nvml, rapl or cpu).</p>\n");
        } else {
            h.append("<table class=\"sensors\"><tr><th>sensor</th><th>channel</th><th>device</th><th>scope</th>")
                    .append("<th>method</th><th>kind</th><th>update / sampling</th><th>attribution</th></tr>\n");
            for (SensorLine s : run.sensors()) {
                for (Map.Entry<String, String> c : s.channels().entrySet()) {
                    String[] parts = c.getValue().split(" ");
                    String device = String.join(" ", java.util.Arrays.copyOf(parts, Math.max(0, parts.length - 3)));
                    String method = parts.length >= 2 ? parts[parts.length - 2] : "";
                    h.append("<tr").append("estimated".equals(method) ? " class=\"estimated\"" : "").append("><td>")
                            .append(esc(s.sensor())).append("</td><td>").append(esc(c.getKey())).append("</td><td>")
                            .append(esc(device)).append("</td><td>")
                            .append(esc(parts.length >= 3 ? parts[parts.length - 3] : "")).append("</td><td>")
                            .append(esc(method)).append("estimated".equals(method) ? " (a model, not a measurement)" : "")
                            .append("</td><td>").append(esc(parts.length >= 1 ? parts[parts.length - 1] : ""))
                            .append("</td><td>").append(num(s.updateMs())).append(" ms / ").append(num(s.samplingMs()))
                            .append(" ms</td><td>").append(esc(s.policy())).append("</td></tr>\n");
                }
                if (!s.environment().isEmpty()) {
                    StringBuilder env = new StringBuilder();
                    s.environment().forEach((k, v) -> env.append(env.length() == 0 ? "" : "; ").append(k).append(": ")
                            .append(v));
                    h.append("<tr class=\"env\"><td>").append(esc(s.sensor())).append("</td><td colspan=\"7\">")
                            .append(esc(env.toString())).append("</td></tr>\n");
                }
            }
            h.append("</table>\n");
        }
    }

    /**
     * The JMH settings each trial was measured with (iterations, forks, profilers and their
     * options), as the sweep's ledger ({@code trials.jsonl}) recorded them, each distinct one once;
     * empty where the ledger is absent or older than its settings.
     */
    static List<String> settings(java.nio.file.Path runDir) {
        return distinct(org.tokenpowerbench.report.JsonLines.read(runDir.resolve("trials.jsonl")).stream()
                .map(n -> n.path("settings").asText("")).filter(v -> !v.isEmpty()).toList());
    }

    /** When the run's commands started, from their invocation ids ({@code yyyyMMdd-HHmmss-pidN}). */
    private static String dates(RunRecords run) {
        Set<String> ids = new TreeSet<>();
        run.energy().forEach(l -> ids.add(l.invocation()));
        run.waves().forEach(w -> ids.add(w.invocation()));
        run.failures().forEach(f -> ids.add(f.invocation()));
        List<String> starts = new ArrayList<>();
        for (String id : ids) {
            if (id.length() >= 15) {
                try {
                    starts.add(LocalDateTime.parse(id.substring(0, 15), INVOCATION)
                            .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).replace('T', ' '));
                } catch (DateTimeParseException e) {
                    // not one of ours (a row written outside Main): no date from it
                }
            }
        }
        if (starts.isEmpty()) {
            return "not recorded";
        }
        return (starts.size() == 1 ? "started " : "commands started ") + String.join(", ", starts);
    }

    static void warnings(StringBuilder h, List<TrialRow> rows) {
        List<TrialRow> flagged = rows.stream().filter(r -> !r.warnings().isEmpty() || r.failure() != null).toList();
        boolean estimated = rows.stream().anyMatch(TrialRow::estimated);
        if (flagged.isEmpty() && !estimated) {
            return;
        }
        h.append("<h2>Warnings</h2>\n<ul class=\"warnings\">\n");
        if (estimated) {
            h.append("<li class=\"estimated\">Energy labelled <b>estimated</b> is a model (e.g. CPU time × a power ")
                    .append("figure), not a measurement: compare it with nothing measured.</li>\n");
        }
        for (TrialRow r : flagged) {
            if (r.failure() != null) {
                h.append("<li class=\"failed\"><b>failed</b> ").append(esc(r.description())).append(": ")
                        .append(esc(r.failure())).append("</li>\n");
            }
            for (String w : r.warnings()) {
                h.append("<li>").append(esc(r.description())).append(r.label() == null ? "" : " [" + esc(r.label()) + "]")
                        .append(": ").append(esc(w)).append("</li>\n");
            }
        }
        h.append("</ul>\n");
    }

    static void table(StringBuilder h, List<TrialRow> rows, List<String> swept) {
        h.append("<h2>Sweep</h2>\n<p class=\"note\">One row per trial and energy label. <b>±</b> after J/token and ")
                .append("J/outputToken is the figure's error budget at 95 %, the number the console summary and ")
                .append("summary.json (<code>errorBudget.halfWidth95</code>) give: the spread over the measured ")
                .append("iterations, the measurement budget (energy counter, sampling, the sensor's stated accuracy) and, ")
                .append("with several forks (<code>-f 3</code>), the spread between the forks' means — what changes from ")
                .append("one run to the next — in quadrature; hover over it for its terms. <b>±</b> after the other ")
                .append("scores is JMH's error (99.9 % confidence, its default). <b>iterations' mean [95 % CI]</b> is ")
                .append("computed here from the per-iteration energy lines of iterations.jsonl (each measured wave's ")
                .append("joules over its output tokens, the trial's latest attempt), with Student's t-distribution on ")
                .append("n−1 degrees of freedom: the iterations' spread alone. ")
                .append("◆ marks the latency–energy Pareto frontier. Latency and throughput are JMH's means over ")
                .append("iterations.</p>\n");
        List<String> shown = swept.isEmpty() ? distinct(rows.stream().flatMap(r -> r.params().keySet().stream()).toList())
                : swept;
        h.append("<div class=\"scroll\"><table class=\"sweep\" id=\"tpb-sweep\"><thead><tr>");
        for (String p : shown) {
            h.append("<th>").append(esc(p)).append("</th>");
        }
        h.append("<th>energy</th><th>J/token</th><th>J/outputToken</th><th>iterations' mean [95 % CI]</th><th>TTFT p50 ms</th>")
                .append("<th>TPOT p50 ms</th><th>tokens/s</th><th>avg W</th><th>failed req.</th><th>notes</th>")
                .append("</tr></thead><tbody>\n");
        for (TrialRow r : rows) {
            List<String> cls = new ArrayList<>();
            if (r.failure() != null) {
                cls.add("failed");
            }
            if (r.estimated()) {
                cls.add("estimated");
            }
            if (r.pareto()) {
                cls.add("pareto");
            }
            if (!r.warnings().isEmpty()) {
                cls.add("warned");
            }
            h.append("<tr").append(cls.isEmpty() ? "" : " class=\"" + String.join(" ", cls) + "\"")
                    .append(" data-trial=\"").append(esc(r.description())).append("\">");
            for (String p : shown) {
                h.append("<td>").append(esc(r.params().getOrDefault(p, ""))).append("</td>");
            }
            if (r.failure() != null) {
                h.append("<td colspan=\"9\" class=\"failure\">failed: ").append(esc(r.failure())).append("</td><td></td>");
                h.append("</tr>\n");
                continue;
            }
            String est = r.estimated() ? " <span class=\"est\">estimated</span>" : "";
            h.append("<td>").append(r.label() == null ? "none" : esc(r.label())).append(r.pareto() ? " ◆" : "")
                    .append("</td>");
            h.append("<td>").append(budgeted(r.jPerToken(), r.jPerTokenBudget())).append(r.jPerToken() == null ? ""
                    : est).append("</td>");
            h.append("<td>").append(budgeted(r.jPerOutputToken(), r.jPerOutputTokenBudget()))
                    .append(r.jPerOutputToken() == null ? "" : est).append("</td>");
            h.append("<td>").append(interval(r.interval())).append(r.interval() == null ? "" : est).append("</td>");
            h.append("<td>").append(score(r.ttftP50())).append("</td><td>").append(score(r.tpotP50()))
                    .append("</td><td>").append(score(r.tokensPerSecond())).append("</td><td>")
                    .append(score(r.avgPower())).append(r.avgPower() == null ? "" : est).append("</td><td>")
                    .append(r.failedRequests() == null ? "" : num(r.failedRequests().score())).append("</td><td>");
            List<String> notes = new ArrayList<>(r.warnings());
            if (r.intervalNote() != null) {
                notes.add(r.intervalNote());
            }
            for (String n : notes) {
                h.append("<div class=\"warn\">⚠ ").append(esc(n)).append("</div>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table></div>\n");
        betweenRunsNotes(h, rows);
    }

    /**
     * The energy figure with its {@link TrialBudget} half-width as the ±, its terms in the tooltip,
     * and † where the between-runs spread is not in it ({@link #betweenRunsNotes} says why under the table).
     */
    private static String budgeted(Metric m, TrialBudget b) {
        if (m == null) {
            return "";
        }
        if (b == null || !b.hasWidth()) {
            return num(m.score());
        }
        return "<span class=\"budget\" title=\"" + esc(terms(b)) + "\">" + num(m.score()) + " ± " + num(b.halfWidth())
                + (b.betweenRunsMeasured() ? "" : "<sup>†</sup>") + "</span>";
    }

    /** The budget's terms in words, each a 95 % half-width, as the tooltip of its ±. */
    static String terms(TrialBudget b) {
        List<String> parts = new ArrayList<>();
        parts.add(Double.isFinite(b.iterations()) ? "iterations ± " + num(b.iterations())
                : "iterations: one, no spread");
        parts.add(Double.isFinite(b.measurement()) ? "measurement ± " + num(b.measurement())
                : "measurement: no budget recorded");
        parts.add(b.betweenRunsMeasured() ? "between runs ± " + num(b.betweenRuns()) + " (" + b.forks() + " forks)"
                : b.betweenRunsNote());
        return "95 % error budget ± " + num(b.halfWidth()) + ", root-sum-square of: " + String.join("; ", parts);
    }

    /**
     * Under the table, once per reason, why a † figure lacks the between-runs spread (one fork:
     * {@link TrialBudget#ONE_FORK}) and in how many rows: its interval then holds for that JVM and
     * GPU state only, as the console summary says.
     */
    private static void betweenRunsNotes(StringBuilder h, List<TrialRow> rows) {
        Map<String, Integer> notes = new LinkedHashMap<>();
        int budgeted = 0;
        for (TrialRow r : rows) {
            TrialBudget b = r.jPerOutputTokenBudget() != null ? r.jPerOutputTokenBudget() : r.jPerTokenBudget();
            if (b == null || !b.hasWidth()) {
                continue;
            }
            budgeted++;
            if (!b.betweenRunsMeasured()) {
                notes.merge(b.betweenRunsNote(), 1, Integer::sum);
            }
        }
        for (Map.Entry<String, Integer> n : notes.entrySet()) {
            h.append("<p class=\"note between-runs\">† ").append(esc(n.getKey()))
                    .append(n.getValue() == budgeted ? "" : " (" + n.getValue() + " of " + budgeted + " rows)")
                    .append(": the ± holds for that JVM and GPU state only.</p>\n");
        }
    }

    static String data(List<TrialRow> rows, List<String> swept) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode axes = root.putArray("swept");
        swept.forEach(axes::add);
        ArrayNode out = root.putArray("rows");
        for (TrialRow r : rows) {
            if (r.failure() != null || r.jPerOutputToken() == null) {
                continue;
            }
            ObjectNode n = out.addObject();
            n.put("trial", r.description());
            ObjectNode params = n.putObject("params");
            r.params().forEach(params::put);
            n.put("label", r.label());
            n.put("estimated", r.estimated());
            put(n, "jOut", r.jPerOutputToken().score());
            TrialBudget budget = r.jPerOutputTokenBudget();
            if (budget != null && budget.hasWidth()) {
                put(n, "jOutBudget", budget.halfWidth());
                n.put("jOutBudgetTerms", terms(budget));
            }
            if (r.interval() != null && r.interval().hasWidth()) {
                put(n, "ciLow", r.interval().mean() - r.interval().halfWidth());
                put(n, "ciHigh", r.interval().mean() + r.interval().halfWidth());
            }
            if (r.tpotP50() != null) {
                put(n, "tpot", r.tpotP50().score());
            }
            n.put("pareto", r.pareto());
            n.put("warned", !r.warnings().isEmpty());
        }
        return root.toString();
    }

    private static void put(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        }
    }

    private static void fact(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    private static String score(Metric m) {
        if (m == null) {
            return "";
        }
        return Double.isFinite(m.error()) ? num(m.score()) + " ± " + num(m.error()) : num(m.score());
    }

    private static String interval(IterationInterval i) {
        if (i == null) {
            return "";
        }
        if (!i.hasWidth()) {
            return num(i.mean()) + " (n=" + i.n() + ")";
        }
        return num(i.mean()) + " [" + num(i.mean() - i.halfWidth()) + ", " + num(i.mean() + i.halfWidth()) + "] (n="
                + i.n() + ")";
    }

    /** Four significant digits: enough to compare trials, no more than the measurement supports. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6) {
            String s = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros()
                    .toPlainString();
            return s;
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    private static List<String> distinct(List<String> values) {
        return new ArrayList<>(new LinkedHashSet<>(values));
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String own(String name) {
        try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing beside " + ReportPage.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }
}
