package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.stats.Distribution;

/**
 * One replica's share of a wave in a deployment of several ({@code engine=http://a|http://b}): what
 * was sent to it, what failed, its median TTFT and TPOT and its output tokens per second over the
 * wave. Written into the {@code requests} line of {@code iterations.jsonl} as {@code replicas} and read
 * back for the report, so that a slow or dead replica shows on disk, not only in JMH's results.
 * Energy is not split per replica: the sensors measure a node or the cluster, not a replica.
 *
 * @param replica     the index into the engine value's list, from 0
 * @param url         that replica's base URL
 * @param requests    requests sent to it
 * @param failed      of those, the failed ones
 * @param ttftP50Ms   median TTFT of its succeeded requests, NaN when none succeeded
 * @param tpotP50Ms   median TPOT of its succeeded requests, NaN when none has one
 * @param outputTokensPerSecond its output tokens over the wave's seconds
 */
public record ReplicaFigures(int replica, String url, int requests, int failed, double ttftP50Ms, double tpotP50Ms,
                            double outputTokensPerSecond) {

    /** Per replica that served a request of the wave, in index order; empty for an engine of one server. */
    public static List<ReplicaFigures> of(List<RequestTimeline> rows, List<String> urls, double waveSeconds) {
        SortedMap<Integer, List<RequestTimeline>> by = new TreeMap<>();
        for (RequestTimeline r : rows) {
            if (r.replica() >= 0) {
                by.computeIfAbsent(r.replica(), k -> new ArrayList<>()).add(r);
            }
        }
        List<ReplicaFigures> out = new ArrayList<>();
        by.forEach((i, list) -> {
            int failed = (int) list.stream().filter(r -> !r.succeeded()).count();
            long tokens = list.stream().mapToLong(r -> Math.max(0, r.outputTokens())).sum();
            out.add(new ReplicaFigures(i, i < urls.size() ? urls.get(i) : "", list.size(), failed,
                    p50(list.stream().filter(RequestTimeline::succeeded).mapToDouble(RequestTimeline::ttftMillis).toArray()),
                    p50(list.stream().filter(RequestTimeline::succeeded).mapToDouble(RequestTimeline::tpotMillis).toArray()),
                    waveSeconds > 0 ? tokens / waveSeconds : Double.NaN));
        });
        return out;
    }

    private static double p50(double[] values) {
        double[] finite = java.util.Arrays.stream(values).filter(Double::isFinite).toArray();
        return finite.length == 0 ? Double.NaN : Distribution.of(finite).p50();
    }

    /** Adds {@code replicas} to a requests line; nothing for an empty list. */
    static void write(ObjectNode line, List<ReplicaFigures> figures) {
        if (figures.isEmpty()) {
            return;
        }
        ArrayNode array = line.putArray("replicas");
        for (ReplicaFigures f : figures) {
            ObjectNode n = array.addObject();
            n.put("replica", f.replica);
            n.put("url", f.url);
            n.put("requests", f.requests);
            n.put("failed", f.failed);
            number(n, "ttftP50Ms", f.ttftP50Ms);
            number(n, "tpotP50Ms", f.tpotP50Ms);
            number(n, "outputTokensPerSecond", f.outputTokensPerSecond);
        }
    }

    /** The {@code replicas} of a requests line, empty when it has none. */
    public static List<ReplicaFigures> read(JsonNode line) {
        List<ReplicaFigures> out = new ArrayList<>();
        for (JsonNode n : line.path("replicas")) {
            out.add(new ReplicaFigures(n.path("replica").asInt(), n.path("url").asText(""), n.path("requests").asInt(),
                    n.path("failed").asInt(), n.path("ttftP50Ms").asDouble(Double.NaN),
                    n.path("tpotP50Ms").asDouble(Double.NaN), n.path("outputTokensPerSecond").asDouble(Double.NaN)));
        }
        return out;
    }

    private static void number(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        }
    }
}
