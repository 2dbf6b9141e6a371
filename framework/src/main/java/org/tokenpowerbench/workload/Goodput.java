package org.tokenpowerbench.workload;

import org.tokenpowerbench.client.RequestTimeline;

/**
 * How much of a wave met its {@link Slo}: the requests that succeeded within every objective, and
 * the output tokens they produced, over the wave's window. Energy per good output token is the
 * wave's energy divided by {@link #goodOutputTokens()}: the tokens of requests that missed the
 * objectives cost energy too, and that is what goodput makes visible.
 *
 * @param slo              the objectives
 * @param requests         requests of the wave (failed ones included)
 * @param good             requests that met every objective
 * @param goodOutputTokens output tokens of those requests
 * @param seconds          length of the wave's window
 */
public record Goodput(Slo slo, int requests, int good, long goodOutputTokens, double seconds) {

    /** Counts the good requests of {@code wave}. */
    public static Goodput of(WaveRecord wave, Slo slo) {
        int good = 0;
        long tokens = 0;
        for (RequestTimeline r : wave.requests()) {
            if (slo.met(r)) {
                good++;
                tokens += Math.max(0, r.outputTokens());
            }
        }
        return new Goodput(slo, wave.requests().size(), good, tokens, wave.seconds());
    }

    /** Share of the wave's requests that met every objective, 0 to 1; NaN for an empty wave. */
    public double share() {
        return requests == 0 ? Double.NaN : (double) good / requests;
    }

    /** Good requests per second of the wave's window. */
    public double requestsPerSecond() {
        return good / seconds;
    }

    /** Output tokens of good requests per second of the wave's window. */
    public double outputTokensPerSecond() {
        return goodOutputTokens / seconds;
    }
}
