package org.tokenpowerbench.workload;

import java.util.List;
import org.tokenpowerbench.client.RequestTimeline;

/**
 * One measured wave: every request of the iteration, sent or not, and the wave's own window on the
 * monotonic clock. Energy per token is computed over {@code [startNanos, endNanos]}.
 *
 * @param stop null when the wave ran to its end; else why it stopped early (its unsent requests
 *             are in {@code requests} as {@link RequestTimeline#notSent not sent})
 * @param clientLag how far the client fell behind while it sent the wave ({@link ClientLag}); null
 *             when it was not measured
 */
public record WaveRecord(long startNanos, long endNanos, int concurrency, List<RequestTimeline> requests, Stop stop,
                         ClientLag.Reading clientLag) {

    /**
     * Why a wave stopped before its end.
     *
     * @param reason      one line: what happened and what to do
     * @param interrupted whether an interrupt stopped it (JMH's iteration timeout): the driver left
     *                    the thread's interrupt status clear so that the record could be written,
     *                    and whoever writes it must interrupt the thread again afterwards
     */
    public record Stop(String reason, boolean interrupted) {
    }

    public WaveRecord {
        requests = List.copyOf(requests);
    }

    /** A wave whose client's lag was not measured. */
    public WaveRecord(long startNanos, long endNanos, int concurrency, List<RequestTimeline> requests, Stop stop) {
        this(startNanos, endNanos, concurrency, requests, stop, null);
    }

    /** This wave, with what the client's lag probe saw while it ran. */
    public WaveRecord withClientLag(ClientLag.Reading reading) {
        return new WaveRecord(startNanos, endNanos, concurrency, requests, stop, reading);
    }

    /** A wave that ran to its end. */
    public WaveRecord(long startNanos, long endNanos, int concurrency, List<RequestTimeline> requests) {
        this(startNanos, endNanos, concurrency, requests, null);
    }

    /** Requests never sent because the wave stopped first. */
    public long notSentRequests() {
        return requests.stream().filter(r -> !r.wasSent()).count();
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
