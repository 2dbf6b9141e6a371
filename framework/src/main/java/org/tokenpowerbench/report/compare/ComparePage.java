package org.tokenpowerbench.report.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.tokenpowerbench.report.html.ChartLibrary;

/**
 * {@code compare.html}: a comparison as one self-contained page (styles, ECharts and the page's
 * script inlined, as {@code report.html}), with the gated metric's change per trial drawn with its
 * interval and every metric of every trial in a table.
 */
final class ComparePage {

    static final String FILE = "compare.html";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ComparePage() {
    }

    static String render(Comparison c) {
        StringBuilder h = new StringBuilder(1 << 20);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>TokenPowerBench compare: ")
                .append(esc(String.valueOf(c.now().source().getFileName()))).append("</title>\n<style>\n")
                .append(own("/org/tokenpowerbench/report/html/report.css"))
                .append("td.worse { color: #a40e26; font-weight: bold; } td.better { color: #1a7f37; }\n")
                .append("</style>\n</head><body>\n<div id=\"tpb-status\" hidden></div>\n");
        h.append("<h1>TokenPowerBench compare</h1>\n<table class=\"facts\">\n");
        fact(h, "base", c.base().source().toAbsolutePath().toString());
        fact(h, "new", c.now().source().toAbsolutePath().toString());
        if (!c.sharedParameters().isEmpty()) {
            fact(h, "every trial", String.join(" ", c.sharedParameters()));
        }
        long worse = c.gated().stream().filter(x -> x.verdict() == Verdict.WORSE).count();
        fact(h, "gate", c.metric() + " worse beyond " + CompareMarkdown.percent(c.threshold()) + ": "
                + (worse > 0 ? "failed in " + worse + " of " + c.gated().size() + " trials (exit status "
                + Comparison.WORSE_STATUS + ")" : !c.failedNew().isEmpty() ? "failed: " + c.failedNew().size()
                + " trial(s) the base run completed failed in the new run (exit status " + Comparison.FAILED_STATUS + ")"
                : "passed in all " + c.gated().size() + " trials"));
        h.append("</table>\n<p class=\"note\">").append(esc(CompareMarkdown.method(c)))
                .append(" Metrics with no better direction only move up or down.</p>\n");
        for (String note : CompareMarkdown.forkNotes(c)) {
            h.append("<p class=\"note between-runs\">").append(esc(note)).append("</p>\n");
        }
        h.append("<h2>").append(esc(c.metric())).append(": change per trial</h2>\n<div class=\"chart\" id=\"tpb-gate\"></div>\n");
        List<EnergySplit> splits = EnergySplit.of(c);
        if (!splits.isEmpty()) {
            h.append("<h2>Where the J/outputToken change comes from</h2>\n<p class=\"note\">")
                    .append(esc(CompareMarkdown.SPLIT_TITLE)).append(".</p>\n<table class=\"sweep split\"><tr><th>trial</th>")
                    .append("<th>sensor</th><th>above idle, J/token</th><th>idle power × time, J/token</th>")
                    .append("<th>wave time</th><th>change</th></tr>\n");
            for (EnergySplit s : splits) {
                h.append("<tr><td>").append(esc(c.shown(s.trial()))).append("</td><td>").append(esc(s.sensor())).append("</td><td>")
                        .append(esc(s.aboveCell())).append("</td><td>").append(esc(s.idleCell())).append("</td><td>")
                        .append(esc(s.waveCell())).append("</td><td>").append(esc(s.describe())).append("</td></tr>\n");
            }
            h.append("</table>\n");
            for (EnergySplit s : splits) {
                if (s.hostNote() != null) {
                    h.append("<p class=\"note host-steal\"><b>Host steal</b> (").append(esc(c.shown(s.trial()))).append("): ")
                            .append(esc(s.hostNote())).append("</p>\n");
                }
                if (s.paceNote() != null) {
                    h.append("<p class=\"note engine-pace\"><b>Engine pace</b> (").append(esc(c.shown(s.trial()))).append("): ")
                            .append(esc(s.paceNote())).append("</p>\n");
                }
            }
        }
        h.append("<h2>Every metric</h2>\n<div class=\"scroll\"><table class=\"sweep\"><tr><th>trial</th><th>metric</th>")
                .append("<th>base</th><th>new</th><th>change</th><th>95 % interval</th><th>verdict</th></tr>\n");
        for (Change x : c.changes()) {
            h.append("<tr><td>").append(esc(c.shown(x.trial()))).append("</td><td>").append(esc(x.metric())).append("</td><td>")
                    .append(esc(CompareMarkdown.figure(x, x.base()))).append("</td><td>")
                    .append(esc(CompareMarkdown.figure(x, x.now()))).append("</td><td>")
                    .append(CompareMarkdown.signedPercent(x.relative())).append("</td><td>")
                    .append(esc(CompareMarkdown.interval(x)))
                    .append("</td><td class=\"").append(x.verdict().name().toLowerCase(java.util.Locale.ROOT))
                    .append("\">").append(x.verdict().words()).append("</td></tr>\n");
        }
        h.append("</table></div>\n");
        for (String failed : c.failedNew()) {
            h.append("<p class=\"note failed\"><b>Failed in the new run</b>: ").append(esc(failed)).append("</p>\n");
        }
        unmatched(h, "Only in the base run", c.onlyBase());
        unmatched(h, "Only in the new run", c.onlyNew());
        h.append("<script type=\"application/json\" id=\"tpb-data\">").append(org.tokenpowerbench.report.html.ScriptJson.embed(data(c)))
                .append("</script>\n");
        h.append("<script>/* Apache ECharts ").append(ChartLibrary.version())
                .append(", Apache License 2.0, https://echarts.apache.org */\n")
                .append(ChartLibrary.script().replace("</script", "<\\/script")).append("\n</script>\n");
        h.append("<script>\n").append(own("compare.js")).append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static String data(Comparison c) {
        ObjectNode root = JSON.createObjectNode();
        root.put("metric", c.metric());
        root.put("threshold", c.threshold() * 100);
        ArrayNode gated = root.putArray("gated");
        for (Change x : c.gated()) {
            ObjectNode g = gated.addObject();
            g.put("trial", c.shown(x.trial()) + (x.metric().equals(c.metric()) ? "" : " (" + x.metric() + ")"));
            g.put("change", x.relative() * 100);
            if (x.interval() != null) {
                g.put("low", x.relativeLow() * 100);
                g.put("high", x.relativeHigh() * 100);
            }
            g.put("verdict", x.verdict().words());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unmatched(StringBuilder h, String title, List<String> trials) {
        if (!trials.isEmpty()) {
            h.append("<p class=\"note\">").append(title).append(" (not compared): ").append(esc(String.join("; ", trials)))
                    .append("</p>\n");
        }
    }

    private static void fact(StringBuilder h, String name, String value) {
        h.append("<tr><th>").append(esc(name)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String own(String name) {
        try (InputStream in = ComparePage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing beside " + ComparePage.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }
}
