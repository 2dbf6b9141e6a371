package org.tokenpowerbench.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.JsonLines;

/**
 * A {@code "kind":"requests"} line of {@code iterations.jsonl} as the report reads it back: the
 * wave's output tokens (the denominator of each iteration's J/outputToken) and the warnings the
 * console was told about that wave. {@code report.RequestsRow} writes these lines and has no
 * reader; this one takes only what the page shows, so columns added there leave it alone.
 *
 * @param invocation   the command that wrote it
 * @param trial        the trial's description
 * @param iteration    {@code warmup} or {@code measurement}
 * @param promptTokens prompt tokens of the succeeded requests
 * @param outputTokens output tokens of the succeeded requests
 * @param failed       requests of the wave that failed
 * @param warnings     warning text by key ({@code prefixCacheWarning}, {@code warning}, {@code stallWarning})
 * @param stealShare   the share of the host's CPU time the hypervisor gave to other guests during the
 *                     wave ({@code hostCpu.stealShare}); NaN where not recorded
 * @param engineThreadCpuShare how much of one CPU the launched engine's busiest thread used during the
 *                     wave ({@code hostCpu.engineThreadCpuShare}); NaN where not recorded
 */
record WaveLine(String invocation, String trial, String iteration, double promptTokens, double outputTokens,
                long failed, Map<String, String> warnings, double stealShare, double engineThreadCpuShare) {

    /** The keys under which {@code RequestMetricsProfiler} writes a wave's warnings, with what each is about. */
    static final Map<String, String> WARNING_KEYS = Map.of(
            "prefixCacheWarning", "prefix cache",
            "warning", "token count",
            "stallWarning", "stall",
            "tokenCountWarning", "token count",
            "deliveryWarning", "delivery");


    WaveLine {
        warnings = Map.copyOf(warnings);
    }

    boolean measurement() {
        return "measurement".equals(iteration);
    }

    /** Every requests line of the run folder, in the order written; a line cut short is skipped. */
    static List<WaveLine> read(Path runDir) {
        Path in = runDir.resolve(EnergyRow.FILE);
        List<WaveLine> out = new ArrayList<>();
        for (JsonNode n : JsonLines.read(in)) {
            if (!"requests".equals(n.path("kind").asText())) {
                continue;
            }
            Map<String, String> warnings = new LinkedHashMap<>();
            for (String key : WARNING_KEYS.keySet()) {
                if (n.hasNonNull(key)) {
                    warnings.put(key, n.path(key).asText());
                }
            }
            out.add(new WaveLine(n.path("invocation").asText(""), n.path("trial").asText(),
                    n.path("iteration").asText(), n.path("promptTokens").asDouble(Double.NaN),
                    n.path("outputTokens").asDouble(Double.NaN), n.path("failed").asLong(0), warnings,
                    n.path("hostCpu").path("stealShare").asDouble(Double.NaN),
                    n.path("hostCpu").path("engineThreadCpuShare").asDouble(Double.NaN)));
        }
        return out;
    }
}
