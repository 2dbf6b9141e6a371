package org.tokenpowerbench.report.html;

import org.tokenpowerbench.report.JsonLines;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tokenpowerbench.report.ConditionsRow;

/**
 * A wave during which a device was held back by a power or thermal limit, from
 * {@code conditions.jsonl} ({@link ConditionsRow}); a clean wave is not one. Its energy figures
 * are real but describe a throttled device, so the page says so beside them.
 *
 * @param invocation the command that wrote it
 * @param trial      the trial's description
 * @param iteration  {@code warmup} or {@code measurement}
 * @param device     the device's id
 * @param throttled  readings held back
 * @param readings   readings in the wave's window
 * @param reasons    the limits named by the device
 * @param throttledMs how long its power or thermal policy held it back over the wave, from the
 *                   device's hold-back times; NaN where they were not read
 */
record ThrottledWave(String invocation, String trial, String iteration, String device, long throttled, long readings,
                     List<String> reasons, double throttledMs) {


    ThrottledWave {
        reasons = List.copyOf(reasons);
    }

    /** {@code , and for 40 ms by its power or thermal policy (hold-back times)}; empty for none (0 or NaN). */
    static String heldBackPhrase(double throttledMs) {
        return throttledMs > 0 ? String.format(java.util.Locale.ROOT,
                ", and for %.0f ms by its power or thermal policy (hold-back times)", throttledMs) : "";
    }

    /** The throttled waves of a run folder; none when it has no {@code conditions.jsonl}. */
    static List<ThrottledWave> read(Path runDir) {
        Path in = runDir.resolve(ConditionsRow.FILE);
        List<ThrottledWave> out = new ArrayList<>();
        for (JsonNode n : JsonLines.read(in)) {
            long throttled = n.path("throttledReadings").asLong(0);
            double ms = n.path("throttledMs").asDouble(Double.NaN);
            if (throttled <= 0 && !(ms > 0)) {
                continue;
            }
            List<String> reasons = new ArrayList<>();
            n.path("reasons").forEach(r -> reasons.add(r.asText()));
            out.add(new ThrottledWave(n.path("invocation").asText(""), n.path("trial").asText(),
                    n.path("iteration").asText(), n.path("device").asText(), throttled,
                    n.path("readings").asLong(0), reasons, ms));
        }
        return out;
    }
}
