package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tokenpowerbench.prometheus.Sample;
import org.tokenpowerbench.prometheus.Scrape;
import org.tokenpowerbench.prometheus.ServerWave;
import org.tokenpowerbench.prometheus.WaveScrapes;

/**
 * {@code engine-metrics.jsonl}: what the engine's own {@code /metrics} said during every wave.
 * A {@code "kind":"sample"} line per kept series per scrape (the series {@code ServerFamily} reads
 * and those named in {@code -Dtpb.metrics}): {@code trialId}, {@code iteration}, {@code tUnixMs}
 * (the middle of the scrape's round trip, on the fork's {@link RunClock}, the requests' clock),
 * {@code name}, {@code labels}, {@code value} ({@code "NaN"}, {@code "+Inf"}, {@code "-Inf"} as
 * strings). Then one {@code "kind":"wave"} line with the wave's figures ({@link ServerWave}): the
 * server's token counts against ours and their difference in %, running and waiting requests,
 * KV-cache and prefix-cache figures, the scrape and parse failures. A figure the engine does not
 * give is left out; {@code tokenCrossCheck} says why the token figures are missing when they are.
 * The scrape that closes a wave is its last sample lines; the next wave's counters start from it.
 */
public final class EngineMetricsFile {

    public static final String FILE = "engine-metrics.jsonl";

    private EngineMetricsFile() {
    }

    /** Appends the wave's samples and its line in one write. */
    public static void append(RunDirectory dir, TrialKey trial, String iteration, String url, WaveScrapes scrapes,
                              ServerWave wave) {
        RunClock clock = RunClock.of(dir);
        StringBuilder text = new StringBuilder();
        for (Scrape s : scrapes.during()) {
            samples(dir, clock, trial, iteration, s, text);
        }
        if (scrapes.after() != null) {
            samples(dir, clock, trial, iteration, scrapes.after(), text);
        }
        ObjectNode json = dir.newObject();
        json.put("kind", "wave");
        json.put("trial", trial.description());
        json.put("trialId", trial.id());
        json.put("iteration", iteration);
        json.put("url", url);
        json.put("engine", wave.family() == null ? "unknown" : wave.family().name().toLowerCase(java.util.Locale.ROOT));
        put(json, "serverPromptTokens", wave.promptTokens());
        put(json, "serverGeneratedTokens", wave.generatedTokens());
        json.put("ourPromptTokens", wave.ourPromptTokens());
        json.put("ourOutputTokens", wave.ourOutputTokens());
        put(json, "promptTokensDifferencePercent", wave.promptDifferencePercent());
        put(json, "generatedTokensDifferencePercent", wave.generatedDifferencePercent());
        if (wave.why() != null) {
            json.put("tokenCrossCheck", "not measured: " + wave.why());
        }
        put(json, "runningRequestsMean", wave.runningMean());
        put(json, "runningRequestsMax", wave.runningMax());
        put(json, "waitingRequestsMean", wave.waitingMean());
        put(json, "waitingRequestsMax", wave.waitingMax());
        put(json, "kvCacheUsageMax", wave.kvCacheMax());
        put(json, "prefixCacheHitRate", wave.prefixCacheHitRate());
        put(json, "speculativeAcceptance", wave.draftAcceptance());
        json.put("scrapes", wave.scrapes());
        json.put("scrapeErrors", wave.errors());
        if (wave.firstError() != null) {
            json.put("firstScrapeError", wave.firstError());
        }
        json.put("malformedLines", wave.malformedLines());
        text.append(json).append('\n');
        dir.append(FILE, null, text.toString());
    }

    private static void samples(RunDirectory dir, RunClock clock, TrialKey trial, String iteration, Scrape s,
                                StringBuilder text) {
        for (Sample sample : s.exposition().samples()) {
            ObjectNode json = dir.newObject();
            json.put("kind", "sample");
            json.put("trialId", trial.id());
            json.put("iteration", iteration);
            json.put("tUnixMs", clock.unixMillis(s.nanos()));
            json.put("name", sample.name());
            ObjectNode labels = json.putObject("labels");
            sample.labels().forEach(labels::put);
            double v = sample.value();
            if (Double.isFinite(v)) {
                json.put("value", v);
            } else {
                json.put("value", Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
            }
            text.append(json).append('\n');
        }
    }

    private static void put(ObjectNode json, String key, double value) {
        if (Double.isFinite(value)) {
            json.put(key, value);
        }
    }
}
