package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.tokenpowerbench.stats.Distribution;
import org.tokenpowerbench.workload.Goodput;
import org.tokenpowerbench.workload.HostCpu;
import org.tokenpowerbench.workload.WaveMetrics;

/**
 * The {@code "kind":"requests"} line of {@code iterations.jsonl}: one per iteration with the
 * wave's latency distributions, token counts and their source, throughput and warnings
 * ({@link WaveMetrics}).
 */
public final class RequestsRow {

    private RequestsRow() {
    }

    /**
     * @param trial              the trial
     * @param iteration          {@code warmup} or {@code measurement}
     * @param number             the iteration's number within its kind, from 1
     * @param promptTokenization how the prompts were made to their length
     * @param facts              what the trial's design adds to the line (open-loop arrivals, timed waves), in order
     * @param warnings           what the console was told, by key ({@code prefixCacheWarning}, {@code warning}, ...)
     */
    public static void append(RunDirectory dir, TrialKey trial, String iteration, int number, String promptTokenization,
                              WaveMetrics m, Map<String, Object> facts, Map<String, String> warnings) {
        append(dir, trial, iteration, number, promptTokenization, m, facts, warnings, java.util.List.of(), null);
    }

    /**
     * As above, with each replica's share of the wave for a deployment of several
     * ({@link ReplicaFigures}), and who used the host's CPUs during the wave ({@code hostCpu}: busy,
     * steal, this JVM, the launched engine, the others; {@link HostCpu}), where it was read (else null).
     */
    public static void append(RunDirectory dir, TrialKey trial, String iteration, int number, String promptTokenization,
                              WaveMetrics m, Map<String, Object> facts, Map<String, String> warnings,
                              java.util.List<ReplicaFigures> replicas, HostCpu.Reading host) {
        ObjectNode json = dir.newObject();
        json.put("kind", "requests");
        json.put("trial", trial.description());
        json.put("trialId", trial.id());
        json.put("iteration", iteration);
        json.put("iterationNumber", number);
        json.put("iterationId", iteration + "-" + number); // the CSVs' iteration column
        json.put("promptTokenization", promptTokenization);
        distribution(json, "ttft", m.ttft());
        distribution(json, "tpot", m.tpot());
        distribution(json, "e2e", m.e2e());
        distribution(json, "queue", m.queue());
        if (m.latency() != null) {
            distribution(json, "latency", m.latency());
        }
        if (m.ttfat() != null) {
            distribution(json, "ttfat", m.ttfat());
        }
        distribution(json, "itl", m.itl());
        if (m.clientLag() != null) {
            // how late the client's own threads woke: the share of the latencies above that is the client's
            distribution(json, "clientLag", m.clientLag().lagMs());
            json.put("clientCpuShare", m.clientLag().cpuShare());
            if (m.clientLag().readerLagMs().count() > 0) {
                // how long the selector's reads waited behind other streams ready at once
                distribution(json, "clientReaderLag", m.clientLag().readerLagMs());
            }
        }
        if (host != null) {
            ObjectNode h = json.putObject("hostCpu");
            h.put("busyShare", host.busyShare());
            h.put("stealShare", host.stealShare());
            finite(h, "clientShare", host.clientShare());
            finite(h, "engineShare", host.engineShare());
            h.put("othersShare", host.othersShare());
            finite(h, "mostStolenCpuStealShare", host.mostStolenCpuShare());
            finite(h, "engineThreadCpuStealShare", host.engineThreadCpuStealShare());
            finite(h, "engineThreadCpuShare", host.engineThreadCpuShare());
            finite(h, "engineThreadRunQueueShare", host.engineThreadRunQueueShare());
        }
        if (Double.isFinite(m.peakOutputTokensPerSecond())) {
            json.put("peakOutputTokensPerSecond", m.peakOutputTokensPerSecond());
        } else {
            json.put("peakOutputTokensPerSecond",
                    "not measured: the wave is shorter than the 1 s window, or no request has a token count");
        }
        facts.forEach((k, v) -> {
            if (v instanceof Number n) {
                json.put(k, n.doubleValue());
            } else {
                json.put(k, String.valueOf(v));
            }
        });
        if (m.goodput() != null) {
            Goodput g = m.goodput();
            ObjectNode node = json.putObject("goodput");
            node.put("slo", g.slo().describe());
            node.put("requests", g.requests());
            node.put("good", g.good());
            node.put("share", g.share());
            node.put("goodOutputTokens", g.goodOutputTokens());
            node.put("requestsPerSecond", g.requestsPerSecond());
        }
        json.put("seconds", m.seconds());
        json.put("requests", m.requests());
        json.put("failed", m.failed());
        json.put("retries", m.retries());
        json.put("outputTokens", m.outputTokens());
        json.put("requestedOutputTokens", m.requestedOutputTokens());
        json.put("promptTokens", m.promptTokens());
        json.put("tokenCountSource", m.tokenSource());
        json.put("outputTokensPerSecond", m.outputTokensPerSecond());
        if (m.cachedPromptTokens() >= 0) {
            json.put("cachedPromptTokens", m.cachedPromptTokens());
        }
        json.put("requestsWithOtherOutputLength", m.otherLength());
        warnings.forEach(json::put);
        ReplicaFigures.write(json, replicas);
        dir.appendJsonLine(EnergyRow.FILE, json);
    }

    private static void distribution(ObjectNode json, String name, Distribution d) {
        ObjectNode node = json.putObject(name + "Ms");
        node.put("count", d.count());
        if (d.count() == 0) {
            return;
        }
        node.put("mean", d.mean());
        node.put("p50", d.p50());
        node.put("p90", d.p90());
        node.put("p99", d.p99());
        node.put("max", d.max());
    }

    private static void finite(ObjectNode json, String key, double value) {
        if (Double.isFinite(value)) {
            json.put(key, value);
        }
    }
}
