package org.tokenpowerbench.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.ReplicaFigures;

/**
 * Per replica of a deployment of several, per trial: requests, failures, median TTFT and TPOT and
 * output tokens per second over the measured waves, from the {@code replicas} of each requests line
 * ({@link ReplicaFigures}). Shown only when a trial ran on several replicas; a replica that was down
 * shows as failures (or, when it was left out at the trial's start, as absent), beside the others.
 */
final class ReplicaView {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sums and means over one trial's measured waves for one replica. */
    private static final class Totals {
        String url = "";
        int waves;
        long requests;
        long failed;
        double ttft;
        int ttftWaves;
        double tpot;
        int tpotWaves;
        double tokensPerSecond;
    }

    private ReplicaView() {
    }

    static void append(StringBuilder h, RunRecords run) {
        Path file = run.runDir().resolve(EnergyRow.FILE);
        Map<String, Map<Integer, Totals>> byTrial = new LinkedHashMap<>();
        if (Files.exists(file)) {
            try (BufferedReader in = Files.newBufferedReader(file)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (!line.contains("\"replicas\"")) {
                        continue;
                    }
                    JsonNode n = JSON.readTree(line);
                    if (!"requests".equals(n.path("kind").asText()) || !"measurement".equals(n.path("iteration").asText())) {
                        continue;
                    }
                    Map<Integer, Totals> trial = byTrial.computeIfAbsent(n.path("trial").asText(), k -> new TreeMap<>());
                    for (ReplicaFigures f : ReplicaFigures.read(n)) {
                        Totals t = trial.computeIfAbsent(f.replica(), k -> new Totals());
                        t.url = f.url();
                        t.waves++;
                        t.requests += f.requests();
                        t.failed += f.failed();
                        if (Double.isFinite(f.ttftP50Ms())) {
                            t.ttft += f.ttftP50Ms();
                            t.ttftWaves++;
                        }
                        if (Double.isFinite(f.tpotP50Ms())) {
                            t.tpot += f.tpotP50Ms();
                            t.tpotWaves++;
                        }
                        t.tokensPerSecond += Double.isFinite(f.outputTokensPerSecond()) ? f.outputTokensPerSecond() : 0;
                    }
                }
            } catch (IOException | RuntimeException e) {
                h.append("<p class=\"note warn\">").append(EnergyRow.FILE).append(" cannot be read for the replicas: ")
                        .append(ReportPage.esc(String.valueOf(e.getMessage()))).append("</p>\n");
                return;
            }
        }
        if (byTrial.isEmpty()) {
            return;
        }
        h.append("<h2 id=\"tpb-replicas\">Replicas</h2>\n<p class=\"note\">Each replica's share of the measured waves:")
                .append(" requests and failures summed, TTFT and TPOT p50 and output tokens/s as means over the waves.")
                .append(" Energy is not split per replica: the sensors measure nodes or the cluster.</p>\n");
        byTrial.forEach((trial, replicas) -> {
            h.append("<h3>").append(ReportPage.esc(trial)).append("</h3>\n<table class=\"sweep\"><thead><tr>")
                    .append("<th>replica</th><th>URL</th><th>requests</th><th>failed</th><th>TTFT p50 ms</th>")
                    .append("<th>TPOT p50 ms</th><th>output tokens/s</th></tr></thead><tbody>\n");
            replicas.forEach((i, t) -> h.append("<tr").append(t.failed > 0 ? " class=\"warn\"" : "").append("><td>")
                    .append(i).append("</td><td>").append(ReportPage.esc(t.url)).append("</td><td>").append(t.requests)
                    .append("</td><td>").append(t.failed).append("</td><td>")
                    .append(t.ttftWaves == 0 ? "–" : ReportPage.num(t.ttft / t.ttftWaves)).append("</td><td>")
                    .append(t.tpotWaves == 0 ? "–" : ReportPage.num(t.tpot / t.tpotWaves)).append("</td><td>")
                    .append(ReportPage.num(t.tokensPerSecond / t.waves)).append("</td></tr>\n"));
            h.append("</tbody></table>\n");
        });
    }

    /** For tests: the rendered section alone. */
    static String render(RunRecords run) {
        StringBuilder h = new StringBuilder();
        append(h, run);
        return h.toString();
    }

}
