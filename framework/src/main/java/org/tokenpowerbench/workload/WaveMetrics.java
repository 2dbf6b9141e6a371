package org.tokenpowerbench.workload;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.stats.Distribution;
import org.tokenpowerbench.stats.LatencyHistogram;

/**
 * The latency and token figures of one wave, computed without JMH: TTFT, TPOT, E2E, queue and
 * ITL distributions over the requests that succeeded (queue over all of them), token counts with
 * their source, throughput, the prefix cache's share, and what a person must be warned about.
 * Definitions are those of {@link RequestTimeline}; the JMH bridge maps these to results and the
 * run folder writes them.
 *
 * @param ttft          time to first token, ms, successful requests
 * @param tpot          time per output token after the first, ms
 * @param e2e           send to last token, ms
 * @param queue         waiting for a client slot (or, open loop, behind schedule), ms, every request
 * @param latency       open loop only: due time to last token (queue + E2E), ms; null in closed loop
 * @param ttfat         time to the first answer token where it differs from TTFT (reasoning models); null otherwise
 * @param itl           gaps between tokens, ms, every chunk divided across the tokens it carried
 * @param requests      requests in the wave
 * @param succeeded     requests that succeeded: what the latency and per-token figures cover
 * @param seconds       the wave's window
 * @param promptTokens  prompt tokens of successful requests
 * @param outputTokens  output tokens of successful requests
 * @param requestedOutputTokens output tokens the successful requests asked for
 * @param otherLength   successful requests whose output length differs from the one asked for
 * @param tokenSource   where the counts come from ({@link TokenCountSource#label()}, or {@code mixed})
 * @param peakOutputTokensPerSecond the busiest second, in tokens; NaN when the wave is too short to say
 * @param cachedPromptTokens prompt tokens the server's prefix cache served; -1 when the server did not say
 * @param goodput       under the benchmark's SLO; null without one
 * @param retries       times the wave's requests (every one, failed too) were sent again on a fresh
 *                      connection after the one they went out on died before any answer
 * @param clientLag     how far the client fell behind during the wave; null when not measured
 * @param uncounted     successful requests with no output token count (no usage from the server and
 *                      no tokenizer to count their text): the token totals leave them out
 * @param oneRead       successful requests of more than one output token whose every token arrived in
 *                      one read (TTFT = E2E): their TPOT of 0 is what the client saw, not the decode
 * @param textless      successful requests the server counted output tokens for but that streamed no text
 * @param countedChunks chunks of text the counted successful requests streamed (a chunk carries one
 *                      token or more): what a count above {@code max_tokens} is set against
 */
public record WaveMetrics(Distribution ttft, Distribution tpot, Distribution e2e, Distribution queue,
                          Distribution latency, Distribution ttfat, Distribution itl, int requests, int succeeded,
                          double seconds, long promptTokens, long outputTokens, long requestedOutputTokens,
                          long otherLength, String tokenSource, double peakOutputTokensPerSecond,
                          long cachedPromptTokens, Goodput goodput, long retries,
                          ClientLag.Reading clientLag, long uncounted, long oneRead, long textless,
                          long countedChunks) {

    /** A gap between tokens this many times the wave's median, and at least {@link #STALL_SECONDS}, is a stall. */
    public static final double STALL_FACTOR = 20;
    /** The shortest gap that counts as a stall, whatever the median. */
    public static final double STALL_SECONDS = 1;

    /**
     * @param openLoop whether requests arrived on a schedule (then {@code latency} is reported)
     * @param slo      the benchmark's objectives; {@link Slo#NONE} for none
     */
    public static WaveMetrics of(WaveRecord wave, boolean openLoop, Slo slo) {
        List<RequestTimeline> ok = wave.requests().stream().filter(RequestTimeline::succeeded).toList();
        LatencyHistogram itl = new LatencyHistogram();
        ok.forEach(r -> itl.addAll(r.itl()));
        boolean reasoning = ok.stream().anyMatch(r -> r.firstAnswerNanos() != r.firstTokenNanos());
        PeakThroughput peak = PeakThroughput.of(wave);
        boolean cacheKnown = ok.stream().anyMatch(r -> r.cachedPromptTokens() >= 0);
        return new WaveMetrics(
                of(ok, RequestTimeline::ttftMillis), of(ok, RequestTimeline::tpotMillis), of(ok, RequestTimeline::e2eMillis),
                of(wave.requests(), RequestTimeline::queueMillis),
                openLoop ? of(ok, r -> r.queueMillis() + r.e2eMillis()) : null,
                reasoning ? of(ok, RequestTimeline::ttfatMillis) : null,
                Distribution.of(itl), wave.requests().size(), ok.size(), wave.seconds(), wave.promptTokens(),
                wave.outputTokens(),
                ok.stream().filter(r -> r.outputTokens() >= 0).mapToLong(RequestTimeline::requestedOutputTokens).sum(),
                ok.stream().filter(r -> r.outputTokens() >= 0 && r.outputTokens() != r.requestedOutputTokens()).count(),
                tokenSource(ok), peak != null ? peak.tokensPerSecond() : Double.NaN,
                cacheKnown ? ok.stream().mapToLong(r -> Math.max(0, r.cachedPromptTokens())).sum() : -1,
                slo.isSet() ? Goodput.of(wave, slo) : null,
                wave.requests().stream().mapToLong(RequestTimeline::retries).sum(), wave.clientLag(),
                ok.stream().filter(r -> r.outputTokens() < 0).count(),
                ok.stream().filter(r -> r.outputTokens() > 1 && r.hasFirstToken()
                        && r.lastTokenNanos() == r.firstTokenNanos()).count(),
                ok.stream().filter(r -> r.outputTokens() > 0 && r.contentChunks() == 0).count(),
                ok.stream().filter(r -> r.outputTokens() >= 0).mapToLong(RequestTimeline::contentChunks).sum());
    }

    private static Distribution of(List<RequestTimeline> requests, ToDoubleFunction<RequestTimeline> metric) {
        return Distribution.of(requests.stream().mapToDouble(metric).toArray());
    }

    private static String tokenSource(List<RequestTimeline> ok) {
        if (ok.isEmpty()) {
            return TokenCountSource.NONE.label();
        }
        TokenCountSource first = ok.get(0).tokenSource();
        return ok.stream().allMatch(r -> r.tokenSource() == first) ? first.label() : "mixed";
    }

    public int failed() {
        return requests - succeeded;
    }

    public double outputTokensPerSecond() {
        return outputTokens / seconds;
    }

    public double requestsPerSecond() {
        return succeeded / seconds;
    }

    /** Output tokens produced over those asked for; NaN when none were asked for. */
    public double shareOfRequested() {
        return requestedOutputTokens > 0 ? (double) outputTokens / requestedOutputTokens : Double.NaN;
    }

    /** A warning when the prefix cache served part of the prompts (that part had no prefill); null otherwise. */
    public String prefixCacheWarning() {
        if (cachedPromptTokens <= 0) {
            return null;
        }
        return cachedPromptTokens + " of " + promptTokens + " prompt tokens were served from the server's prefix cache,"
                + " so prefill time and energy cover only the rest; for a prefill every wave, add ;prefixCache=off"
                + " to the engine URL (vLLM) or start the server without prefix caching";
    }

    /**
     * A warning when the wave produced more or fewer output tokens than asked for, beyond
     * {@code tolerance} (a share); null otherwise.
     *
     * @param property the system property that sets the tolerance, named in the warning
     */
    public String lengthWarning(double tolerance, String property) {
        if (requestedOutputTokens <= 0 || Math.abs(outputTokens - requestedOutputTokens) <= tolerance * requestedOutputTokens) {
            return null;
        }
        String more = outputTokens > requestedOutputTokens
                ? "; the streams carried " + countedChunks + " chunks of text for them: a server that ignores max_tokens,"
                        + " or one that counts more than it sends" + (countedChunks <= requestedOutputTokens
                                ? " (these fit within what was asked for, one token a chunk)" : "")
                : "";
        return "produced " + outputTokens + " output tokens where " + requestedOutputTokens + " were requested ("
                + otherLength + " of " + (succeeded - uncounted) + " counted requests differ; tolerance " + tolerance
                + ", -jvmArgsAppend -D" + property + "=...)" + more;
    }

    /**
     * A warning when some successful requests have no output token count; null when all have one.
     * A zero would be a lie: the totals, rates and per-token figures leave such requests out, and
     * with no count at all they are not reported.
     */
    public String tokenCountWarning() {
        if (uncounted == 0) {
            return null;
        }
        return uncounted + " of " + succeeded + " successful requests have no output token count: the server sent no"
                + " usage and no tokenizer was there to count their text, so token counts, tokens/s and per-token"
                + " figures leave them out" + (uncounted == succeeded ? " (none is reported)" : " (they are too low)")
                + "; give the model's tokenizer with -p 'engine=URL;tokenizer=/path/tokenizer.json', or a server that"
                + " reports usage";
    }

    /**
     * A warning when requests delivered every token in one read, or none of the tokens the server
     * counted: their per-token times are not the engine's. Null when no request did.
     */
    public String deliveryWarning() {
        if (oneRead == 0 && textless == 0) {
            return null;
        }
        StringBuilder w = new StringBuilder();
        if (oneRead > 0) {
            w.append(oneRead).append(" of ").append(succeeded).append(" successful requests delivered every token in one"
                    + " read (TTFT = E2E): their TPOT of 0 ms is what the client saw, not the engine's decode speed"
                    + " (the tokens came faster than one read apart, or the server or a proxy in front of it buffers"
                    + " the stream)");
        }
        if (textless > 0) {
            w.append(w.length() > 0 ? "; " : "").append(textless).append(" of ").append(succeeded)
                    .append(" successful requests streamed no text for the output tokens the server counted, so they have"
                            + " no TTFT or TPOT (tokens that decode to nothing, such as special tokens, or a server that"
                            + " counts what it did not send)");
        }
        return w.toString();
    }

    /**
     * A warning when the client's own lag would distort the wave's latencies
     * ({@link ClientLag.Reading#warning}); null when it would not, or was not measured.
     */
    public String clientLagWarning() {
        return clientLag == null ? null : clientLag.warning(itl.count() > 0 ? itl.p50() : Double.NaN);
    }

    /**
     * A warning when the longest gap between two tokens is a stall: at least {@link #STALL_SECONDS}
     * and {@link #STALL_FACTOR} times the wave's median gap. Percentiles hide a single stall that
     * the server recovered from; this says it happened. Null when there was none.
     */
    public String stallWarning() {
        if (itl.count() == 0 || itl.max() < STALL_SECONDS * 1000 || itl.max() < STALL_FACTOR * itl.p50()) {
            return null;
        }
        return String.format(Locale.ROOT, "the longest gap between two tokens was %.0f ms against a median of %.1f ms:"
                + " the server stalled during this wave (latency percentiles may hide it; see itl.max)",
                itl.max(), itl.p50());
    }
}
