package org.tokenpowerbench.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.JsonLines;
import org.tokenpowerbench.report.TrialResult;

/**
 * The page's latency distributions per trial: TTFT and TPOT as empirical distribution functions
 * over every succeeded request of the trial's measured waves (its latest attempt), from
 * {@code requests.csv}; and ITL, for which the run folder keeps no per-token gaps — only each
 * wave's summary ({@code itlMs} in {@code iterations.jsonl}: mean, p50, p90, p99, max over its
 * token gaps) — so the page shows those summaries, and says so.
 *
 * <p>A curve over more than {@link #POINTS} requests is drawn at that many evenly spaced
 * quantiles (each an observed value): display only.
 */
final class LatencyView {

    static final int POINTS = 400;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> ITL_STATS = List.of("p50", "p90", "p99", "max");

    private LatencyView() {
    }

    static void append(StringBuilder h, RunRecords run, List<TrialRow> rows, RequestScan scan) {
        List<String> swept = ReportPage.sweptAxes(rows);
        Map<String, String> names = new LinkedHashMap<>();
        for (TrialResult t : run.trials()) {
            String d = TrialDescription.of(t.params());
            StringBuilder name = new StringBuilder();
            for (String axis : swept) {
                name.append(name.length() == 0 ? "" : " ").append(axis).append('=').append(t.params().get(axis));
            }
            names.putIfAbsent(d, name.length() == 0 ? "the trial" : name.toString());
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode trials = root.putArray("trials");
        names.forEach((trial, name) -> {
            RequestScan.Latency mine = scan.latency().getOrDefault(trial, new RequestScan.Latency(new double[0],
                    new double[0]));
            ObjectNode t = trials.addObject();
            t.put("trial", trial);
            t.put("name", name);
            t.set("ttft", ecdf(mine.ttftMs()));
            t.set("tpot", ecdf(mine.tpotMs()));
            t.set("itl", itl(run, trial));
        });
        h.append("<h2 id=\"tpb-latency-view\">Latency distributions</h2>\n")
                .append("<p class=\"note\">TTFT (send to first content token) and TPOT (time per output token after the")
                .append(" first) of every succeeded request of each trial's measured waves (its latest attempt), from")
                .append(" requests.csv, as the share of requests at or below each value; a trial with more than ")
                .append(POINTS).append(" requests is drawn at ").append(POINTS).append(" evenly spaced quantiles.")
                .append(" <b>ITL</b>: the run folder keeps no per-token gaps, only each wave's summary of them")
                .append(" (iterations.jsonl, <code>itlMs</code>); the bars are the mean over the measured waves of")
                .append(" each wave's p50, p90, p99 and max, with the lowest and highest wave in the tooltip.</p>\n")
                .append("<div class=\"chart\" id=\"tpb-ttft\"></div>\n<div class=\"chart\" id=\"tpb-tpot\"></div>\n")
                .append("<div class=\"chart\" id=\"tpb-itl\"></div>\n");
        h.append("<script type=\"application/json\" id=\"tpb-latency\">").append(ScriptJson.embed(root.toString()))
                .append("</script>\n");
    }

    /** {@code [[value, share at or below], ...]}: every value, or {@link #POINTS} quantiles of many. */
    static ArrayNode ecdf(double[] values) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        ArrayNode out = JSON.createArrayNode();
        int n = v.length;
        if (n <= POINTS) {
            for (int i = 0; i < n; i++) {
                out.addArray().add(v[i]).add((i + 1) / (double) n);
            }
            return out;
        }
        out.addArray().add(v[0]).add(1.0 / n);
        for (int k = 1; k <= POINTS; k++) {
            int rank = (int) Math.ceil(k / (double) POINTS * n); // 1-based
            out.addArray().add(v[rank - 1]).add(rank / (double) n);
        }
        return out;
    }

    /** The mean, lowest and highest over the trial's measured waves of each ITL statistic they recorded. */
    private static ObjectNode itl(RunRecords run, String trial) {
        List<JsonNode> waves = new ArrayList<>();
        for (JsonNode n : JsonLines.read(run.runDir().resolve(EnergyRow.FILE))) {
            if ("requests".equals(n.path("kind").asText()) && trial.equals(n.path("trial").asText())
                    && "measurement".equals(n.path("iteration").asText()) && n.path("itlMs").path("count").asLong() > 0) {
                waves.add(n);
            }
        }
        if (!waves.isEmpty()) { // the latest attempt's waves only
            String latest = waves.get(waves.size() - 1).path("invocation").asText("");
            waves.removeIf(n -> !n.path("invocation").asText("").equals(latest));
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("waves", waves.size());
        for (String stat : ITL_STATS) {
            double[] v = waves.stream().mapToDouble(n -> n.path("itlMs").path(stat).asDouble(Double.NaN))
                    .filter(Double::isFinite).toArray();
            if (v.length > 0) {
                ObjectNode s = out.putObject(stat);
                s.put("mean", Arrays.stream(v).average().orElseThrow());
                s.put("min", Arrays.stream(v).min().orElseThrow());
                s.put("max", Arrays.stream(v).max().orElseThrow());
            }
        }
        return out;
    }
}
