package org.tokenpowerbench.report.html;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several run folders on one page ({@code report DIR DIR ... [--out FILE]}): each run's "what ran"
 * block, warnings and sweep table under its own heading, then the shared charts (J/outputToken
 * against every axis swept within or across the runs, and the latency–energy plane with each
 * run's frontier), one series per run and energy label. The charts are {@code report.js}'s own:
 * the runs are told apart by putting the run's name before each energy label, so a series, a
 * frontier and a tooltip each belong to one run. One wave's timeline, the latency distributions and
 * the regression stay on each run's own page, linked from its heading.
 */
final class RunsPage {

    /** What a trial without a parameter another run swept shows for it on the shared charts. */
    static final String NOT_SET = "(not set)";

    private RunsPage() {
    }

    /** One run on the page: its records, its table's rows, what the reader asked of it, and its name there. */
    record Run(RunRecords records, List<TrialRow> rows, ReportSettings settings, String name) {
    }

    /**
     * Names the runs by their folders' names, with the run's number where two folders share a name
     * ({@code 20260101-120000} under two parents).
     */
    static List<Run> of(List<RunRecords> runs, List<ReportSettings> settings) {
        Map<String, Integer> seen = new LinkedHashMap<>();
        runs.forEach(r -> seen.merge(folderName(r), 1, Integer::sum));
        List<Run> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunRecords r = runs.get(i);
            String name = seen.get(folderName(r)) > 1 ? "#" + (i + 1) + " " + folderName(r) : folderName(r);
            out.add(new Run(r, SweepTable.of(r), settings.get(i), name));
        }
        return out;
    }

    private static String folderName(RunRecords r) {
        Path name = r.runDir().toAbsolutePath().normalize().getFileName();
        return name == null ? r.runDir().toString() : name.toString();
    }

    /** The page, to be written at {@code file} (each run's own page is linked relative to it). */
    static String render(List<Run> runs, Path file, LocalDateTime written) {
        StringBuilder h = new StringBuilder(1 << 20);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>TokenPowerBench report: ").append(runs.size()).append(" runs</title>\n<style>\n")
                .append(ReportPage.own("report.css")).append("</style>\n</head><body>\n");
        h.append("<div id=\"tpb-status\" hidden></div>\n");
        h.append("<h1>TokenPowerBench report: ").append(runs.size()).append(" runs</h1>\n<ol class=\"runs\">\n");
        for (int i = 0; i < runs.size(); i++) {
            h.append("<li><a href=\"#run-").append(i + 1).append("\">").append(ReportPage.esc(runs.get(i).name()))
                    .append("</a></li>\n");
        }
        h.append("</ol>\n<p class=\"note\">Each run's figures are its own: its table, interval and Pareto frontier ")
                .append("are computed over its trials alone. On the shared charts below, a series name starts with ")
                .append("the run's name.</p>\n");
        List<TrialRow> shared = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            h.append("<section class=\"run\" id=\"run-").append(i + 1).append("\">\n<h2 class=\"run\">Run ")
                    .append(i + 1).append(" of ").append(runs.size()).append(": ").append(ReportPage.esc(run.name()))
                    .append("</h2>\n");
            Path own = run.records().runDir().resolve(HtmlReport.FILE);
            if (Files.exists(own)) {
                h.append("<p class=\"note\">One wave's power and requests, the latency distributions and the ")
                        .append("regression are on <a href=\"").append(ReportPage.esc(link(file, own)))
                        .append("\">this run's own report.html</a>.</p>\n");
            }
            ReportPage.whatRan(h, run.records(), run.rows(), written);
            ReportPage.warnings(h, run.rows());
            StringBuilder table = new StringBuilder();
            ReportPage.table(table, run.rows(), ReportPage.sweptAxes(run.rows()));
            h.append(table.toString().replace("id=\"tpb-sweep\"", "id=\"tpb-sweep-" + (i + 1) + "\""));
            SloSection.append(h, run.records(), run.settings());
            FootprintSection.append(h, run.records(), run.settings());
            ForecastSection.append(h, run.records(), run.rows(), run.settings());
            h.append("</section>\n");
            run.rows().forEach(r -> shared.add(ofRun(run.name(), r)));
        }
        List<String> swept = ReportPage.sweptAxes(shared);
        List<TrialRow> charted = shared.stream().map(r -> withEvery(r, swept)).toList();
        h.append("<h2>All runs: J/outputToken against each swept axis</h2>\n");
        if (swept.isEmpty()) {
            h.append("<p class=\"note\">No axis took more than one value in these runs: nothing to plot against.</p>\n");
        }
        for (String axis : swept) {
            h.append("<div class=\"chart\" data-axis=\"").append(ReportPage.esc(axis)).append("\"></div>\n");
        }
        h.append("<h2>All runs: latency and energy</h2>\n<p class=\"note\">TPOT p50 against J/outputToken, one point ")
                .append("per trial; each run's Pareto frontier (over its own trials) per energy label.</p>\n")
                .append("<div class=\"chart\" id=\"tpb-plane\"></div>\n");
        h.append("<script type=\"application/json\" id=\"tpb-data\">")
                .append(ScriptJson.embed(ReportPage.data(charted, swept))).append("</script>\n");
        h.append("<script>/* Apache ECharts ").append(ChartLibrary.version())
                .append(", Apache License 2.0, https://echarts.apache.org */\n")
                .append(ChartLibrary.script().replace("</script", "<\\/script")).append("\n</script>\n");
        h.append("<script>\n").append(ReportPage.own("report.js")).append("</script>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    /** The row as the shared charts show it: its label and trial named with the run's name first. */
    static TrialRow ofRun(String run, TrialRow r) {
        return new TrialRow(r.benchmark(), r.params(), run + ": " + r.description(),
                r.label() == null ? null : run + ": " + r.label(), r.jPerToken(), r.jPerTokenBudget(), r.jPerOutputToken(),
                r.jPerOutputTokenBudget(), r.interval(), r.intervalNote(), r.ttftP50(), r.tpotP50(), r.tokensPerSecond(), r.avgPower(), r.failedRequests(),
                r.warnings(), r.failure(), r.pareto());
    }

    /** Every swept axis among the row's parameters, {@link #NOT_SET} where its run did not have it. */
    private static TrialRow withEvery(TrialRow r, List<String> swept) {
        Set<String> missing = new HashSet<>(swept);
        missing.removeAll(r.params().keySet());
        if (missing.isEmpty()) {
            return r;
        }
        Map<String, String> params = new LinkedHashMap<>(r.params());
        swept.stream().filter(missing::contains).forEach(a -> params.put(a, NOT_SET));
        return new TrialRow(r.benchmark(), params, r.description(), r.label(), r.jPerToken(), r.jPerTokenBudget(),
                r.jPerOutputToken(), r.jPerOutputTokenBudget(), r.interval(), r.intervalNote(), r.ttftP50(), r.tpotP50(), r.tokensPerSecond(), r.avgPower(),
                r.failedRequests(), r.warnings(), r.failure(), r.pareto());
    }

    private static String link(Path page, Path target) {
        Path from = page.toAbsolutePath().normalize().getParent();
        Path to = target.toAbsolutePath().normalize();
        try {
            return from.relativize(to).toString().replace('\\', '/');
        } catch (IllegalArgumentException e) { // another drive: no relative path
            return to.toUri().toString();
        }
    }
}
