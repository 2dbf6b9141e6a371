package org.tokenpowerbench.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.report.ConditionsRow;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.JsonLines;

/**
 * What the run folder says about each measured wave besides its rows: the warnings the console
 * printed (prefix cache, token count, stalls, the host's steal), failed requests, the attribution's flags per sensor
 * (phases shorter than the sensor's update, a window shorter than it, ...), throttling from
 * {@code conditions.jsonl}, and each sensor's joules for the wave as the attribution split them.
 * Keyed as the CSVs are: {@code trial_id}, {@code iteration} ({@code measurement-N}) and
 * {@code invocation}.
 */
final class WaveNotes {

    /**
     * A sensor's figures for one wave.
     *
     * @param policy the attribution policy of {@code prefillJ} / {@code decodeJ} / {@code idleJ}
     */
    record Energy(String sensor, String method, String policy, double energyJ, double prefillJ, double decodeJ,
                  double idleJ, double seconds) {
    }

    /**
     * A sensor's short-phase flags for one measured wave, for the sweep table's notes.
     *
     * @param shortPhases     phases shorter than the sensor's update period
     * @param updateMs        that period
     * @param windowTooShort  whether the whole window was shorter than it
     */
    record ShortPhases(String invocation, String trial, String sensor, int shortPhases, double updateMs,
                       boolean windowTooShort) {
    }

    private final Map<String, List<String>> warnings = new LinkedHashMap<>();
    private final Map<String, List<Energy>> energy = new LinkedHashMap<>();
    private final List<ShortPhases> shortPhases = new ArrayList<>();

    private WaveNotes() {
    }

    static WaveNotes read(Path runDir) {
        WaveNotes notes = new WaveNotes();
        for (JsonNode n : JsonLines.read(runDir.resolve(EnergyRow.FILE))) {
            if (!n.path("iteration").asText().startsWith("measurement")) {
                continue;
            }
            String key = key(n.path("trialId").asText(), n.path("iterationId").asText(), n.path("invocation").asText(""));
            String kind = n.path("kind").asText();
            if ("requests".equals(kind)) {
                for (Map.Entry<String, String> w : WaveLine.WARNING_KEYS.entrySet()) {
                    if (n.hasNonNull(w.getKey())) {
                        notes.add(key, w.getValue() + ": " + n.path(w.getKey()).asText());
                    }
                }
                if (n.hasNonNull("stealWarning")) {
                    notes.add(key, "host steal: " + n.path("stealWarning").asText());
                }
                long failed = n.path("failed").asLong(0);
                if (failed > 0) {
                    notes.add(key, "failed requests: " + failed + " of " + n.path("requests").asLong()
                            + " (their bars are red; per-token figures cover the succeeded ones)");
                }
            } else if ("energy".equals(kind)) {
                String sensor = n.path("sensor").asText();
                JsonNode flags = n.path("flags");
                int shortCount = flags.path("shortPhases").asInt(0);
                boolean windowShort = n.path("windowShorterThanSensorUpdate").asBoolean(false);
                double updateMs = flags.path("updatePeriodMs").asDouble(Double.NaN);
                if (windowShort) {
                    notes.add(key, sensor + ": the wave's window is shorter than the sensor's "
                            + String.format(Locale.ROOT, "%.0f", updateMs) + " ms update: its energy is not measured"
                            + " directly (run longer waves)");
                }
                String summary = flags.path("summary").asText("none");
                if (!"none".equals(summary) && !summary.isEmpty()) {
                    notes.add(key, sensor + " attribution flags: " + summary);
                }
                notes.shortPhases.add(new ShortPhases(n.path("invocation").asText(""), n.path("trial").asText(), sensor,
                        shortCount, updateMs, windowShort));
                notes.energy.computeIfAbsent(key, k -> new ArrayList<>()).add(new Energy(sensor,
                        n.path("method").asText(), n.path("policy").asText(), n.path("energyJ").asDouble(Double.NaN),
                        n.path("prefillJ").asDouble(Double.NaN), n.path("decodeJ").asDouble(Double.NaN),
                        n.path("idleJ").asDouble(Double.NaN), n.path("seconds").asDouble(Double.NaN)));
            }
        }
        for (JsonNode n : JsonLines.read(runDir.resolve(ConditionsRow.FILE))) {
            long throttled = n.path("throttledReadings").asLong(0);
            double ms = n.path("throttledMs").asDouble(Double.NaN);
            if (throttled > 0 || ms > 0) {
                List<String> reasons = new ArrayList<>();
                n.path("reasons").forEach(r -> reasons.add(r.asText()));
                notes.add(key(n.path("trialId").asText(), n.path("iteration").asText(), n.path("invocation").asText("")),
                        "throttled: " + n.path("device").asText() + " held back in " + throttled + " of "
                                + n.path("readings").asLong() + " readings"
                                + (reasons.isEmpty() ? "" : " (" + String.join(", ", reasons) + ")")
                                + ThrottledWave.heldBackPhrase(ms));
            }
        }
        return notes;
    }

    static String key(String trialId, String iteration, String invocation) {
        return trialId + "\n" + iteration + "\n" + invocation;
    }

    private void add(String key, String text) {
        List<String> list = warnings.computeIfAbsent(key, k -> new ArrayList<>());
        if (!list.contains(text)) {
            list.add(text);
        }
    }

    /** The wave's warnings, one line each (both forks' when two forks share the key). */
    List<String> warnings(String key) {
        return warnings.getOrDefault(key, List.of());
    }

    List<Energy> energy(String key) {
        return energy.getOrDefault(key, List.of());
    }

    /**
     * The sweep table's note on phases shorter than the sensor's update for a trial's latest
     * attempt measured by {@code sensor}; none when no measured wave had one.
     */
    List<String> shortPhaseWarnings(String trial, String sensor) {
        List<ShortPhases> mine = shortPhases.stream().filter(s -> s.trial().equals(trial) && s.sensor().equals(sensor))
                .toList();
        if (mine.isEmpty()) {
            return List.of();
        }
        String latest = mine.get(mine.size() - 1).invocation();
        mine = mine.stream().filter(s -> s.invocation().equals(latest)).toList();
        List<String> out = new ArrayList<>();
        long withShort = mine.stream().filter(s -> s.shortPhases() > 0).count();
        if (withShort > 0) {
            Set<String> periods = new LinkedHashSet<>();
            mine.forEach(s -> periods.add(String.format(Locale.ROOT, "%.0f ms", s.updateMs())));
            out.add("short phases: " + mine.stream().mapToInt(ShortPhases::shortPhases).sum() + " phase(s) shorter than"
                    + " the sensor's update (" + String.join(", ", periods) + ") in " + withShort + " of " + mine.size()
                    + " measured waves; their prefill/decode split leans on the trace's shape, not on readings of"
                    + " their own");
        }
        long shortWindows = mine.stream().filter(ShortPhases::windowTooShort).count();
        if (shortWindows > 0) {
            out.add("short window: " + shortWindows + " of " + mine.size() + " measured waves were shorter than the"
                    + " sensor's update; run longer waves (more prompts, or waveSeconds)");
        }
        return out;
    }
}
