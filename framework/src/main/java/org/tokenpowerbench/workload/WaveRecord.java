package org.tokenpowerbench.workload;

import java.util.List;
import org.tokenpowerbench.client.RequestTimeline;

/**
 * One measured wave: every request the iteration sent, and the wave's own window on the monotonic
 * clock. Energy per token is computed over {@code [startNanos, endNanos]}.
 */
public record WaveRecord(long startNanos, long endNanos, int concurrency, List<RequestTimeline> requests) {

    public WaveRecord {
        requests = List.copyOf(requests);
    }

    public double seconds() {
        return (endNanos - startNanos) / 1e9;
    }

    public long promptTokens() {
        return requests.stream().filter(RequestTimeline::succeeded)
                .mapToLong(r -> Math.max(0, r.promptTokens())).sum();
    }

    public long outputTokens() {
        return requests.stream().filter(RequestTimeline::succeeded)
                .mapToLong(r -> Math.max(0, r.outputTokens())).sum();
    }

    public long failedRequests() {
        return requests.stream().filter(r -> !r.succeeded()).count();
    }
}
