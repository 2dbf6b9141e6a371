package org.tokenpowerbench.report.html;

import org.tokenpowerbench.report.JsonLines;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.report.SensorRow;

/**
 * A sensor as {@code sensors.jsonl} describes it ({@link SensorRow} writes one line per fork):
 * its channels with device, scope and method, and what it says about its hardware. Forks of one
 * run write the same sensor many times; {@link #read} keeps each distinct description once.
 *
 * @param sensor      the sensor id ({@code nvml}, {@code rapl}, {@code cpu})
 * @param updateMs    how often the hardware updates its reading
 * @param samplingMs  how often the sampler read it
 * @param policy      the headline attribution policy
 * @param channels    channel name to {@code device scope method kind}
 * @param environment what the sensor reports about its hardware (names, drivers, limits)
 */
record SensorLine(String sensor, double updateMs, double samplingMs, String policy, Map<String, String> channels,
                  Map<String, String> environment) {


    SensorLine {
        channels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(channels));
        environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
    }

    static List<SensorLine> read(Path runDir) {
        Path in = runDir.resolve(SensorRow.FILE);
        Set<SensorLine> out = new LinkedHashSet<>();
        for (JsonNode n : JsonLines.read(in)) {
            out.add(new SensorLine(n.path("sensor").asText(), n.path("updatePeriodMs").asDouble(Double.NaN),
                    n.path("samplingPeriodMs").asDouble(Double.NaN), n.path("attributionPolicy").asText(""),
                    strings(n.path("channels")), strings(n.path("environment"))));
        }
        return new ArrayList<>(out);
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
