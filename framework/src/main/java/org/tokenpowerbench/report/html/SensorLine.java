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
 * run write the same sensor many times, and what a sensor learns at its open (the buffer's fetch
 * period, a probe read's time) differs a little from fork to fork; {@link #read} keeps one line per
 * sensor and set of channels, with such values merged ({@link #merge}).
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
        // one entry per sensor and channel names: the channels and the environment each fork wrote, in fork order
        Map<SensorLine, List<JsonNode>> forks = new LinkedHashMap<>();
        for (JsonNode n : JsonLines.read(in)) {
            Map<String, String> names = new LinkedHashMap<>();
            n.path("channels").fieldNames().forEachRemaining(c -> names.put(c, ""));
            SensorLine key = new SensorLine(n.path("sensor").asText(), n.path("updatePeriodMs").asDouble(Double.NaN),
                    n.path("samplingPeriodMs").asDouble(Double.NaN), n.path("attributionPolicy").asText(""), names, Map.of());
            forks.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
        }
        List<SensorLine> out = new ArrayList<>();
        forks.forEach((key, lines) -> out.add(new SensorLine(key.sensor(), key.updateMs(), key.samplingMs(), key.policy(),
                merged(lines, "channels"), merged(lines, "environment"))));
        return out;
    }

    /** Each key of the lines' {@code field} object with its values over the lines merged ({@link #merge}). */
    private static Map<String, String> merged(List<JsonNode> lines, String field) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (JsonNode n : lines) {
            strings(n.path(field)).forEach((k, v) -> values.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, merge(v)));
        return out;
    }

    /**
     * One text for what several forks said: the value where they agree; where they differ only in
     * some words (a learned period, a probe's time), the words they share with the differing ones
     * as {@code {1785 | 1783 | 1784}} in fork order; else every distinct value, {@code " | "} apart.
     */
    static String merge(List<String> values) {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(values));
        if (distinct.size() == 1) {
            return distinct.get(0);
        }
        List<String[]> words = values.stream().map(v -> v.split(" ", -1)).toList();
        int n = words.get(0).length;
        if (words.stream().anyMatch(w -> w.length != n)) {
            return String.join(" | ", distinct);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            Set<String> at = new LinkedHashSet<>();
            List<String> inOrder = new ArrayList<>();
            for (String[] w : words) {
                at.add(w[i]);
                inOrder.add(w[i]);
            }
            out.append(i == 0 ? "" : " ").append(at.size() == 1 ? inOrder.get(0) : "{" + String.join(" | ", inOrder) + "}");
        }
        return out.toString();
    }

    private static Map<String, String> strings(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }
}
