package org.tokenpowerbench.energy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.tokenpowerbench.client.RequestTimeline;

/**
 * The part of a wave where the pipeline is full: it opens when {@code batch} requests have had
 * their first token, and closes when the first of the last {@code batch} requests sent finishes
 * (its last token, or the end of its stream if it had none). Ramp-up (fewer than {@code batch}
 * requests decoding) and drain (the last requests finishing one by one) are outside it, because
 * they distort the cost per token of small runs.
 *
 * <p>Empty when the wave is too short: fewer requests produced a token than {@code batch}, or the
 * window would close before it opens (a wave of one round of {@code batch} requests whose first
 * request finishes before the last one starts decoding). {@link #whyNone} says which.
 *
 * @param fromNanos when the {@code batch}-th first token arrived
 * @param toNanos   when the first of the last {@code batch} requests finished
 */
public record SteadyStateWindow(long fromNanos, long toNanos) {

    public SteadyStateWindow {
        if (toNanos <= fromNanos) {
            throw new IllegalArgumentException("steady-state window [" + fromNanos + ", " + toNanos + "] ns is empty");
        }
    }

    /** Length in seconds. */
    public double seconds() {
        return (toNanos - fromNanos) / 1e9;
    }

    /** The window of this wave, or empty when it is too short; see {@link #whyNone}. */
    public static Optional<SteadyStateWindow> find(List<RequestTimeline> requests, int batch) {
        long[] bounds = bounds(requests, batch);
        return bounds == null || bounds[1] <= bounds[0] ? Optional.empty()
                : Optional.of(new SteadyStateWindow(bounds[0], bounds[1]));
    }

    /** Why {@link #find} is empty, in one sentence; null when it is not. */
    public static String whyNone(List<RequestTimeline> requests, int batch) {
        if (batch < 1) {
            return "batch " + batch + " is not positive";
        }
        long withToken = requests.stream().filter(RequestTimeline::hasFirstToken).count();
        if (withToken < batch) {
            return "only " + withToken + " request(s) produced a token, fewer than the batch of " + batch
                    + ": the pipeline never filled";
        }
        long[] b = bounds(requests, batch);
        if (b[1] <= b[0]) {
            return String.format(Locale.ROOT, "the wave is too short for batch %d: the %d-th first token came %.1f ms"
                    + " after the first of the last %d requests finished; send more prompts than the batch", batch,
                    batch, (b[0] - b[1]) / 1e6, batch);
        }
        return null;
    }

    private static long[] bounds(List<RequestTimeline> requests, int batch) {
        if (batch < 1) {
            return null;
        }
        long[] firsts = requests.stream().filter(RequestTimeline::hasFirstToken)
                .mapToLong(RequestTimeline::firstTokenNanos).sorted().toArray();
        if (firsts.length < batch) {
            return null;
        }
        List<RequestTimeline> sent = new ArrayList<>(requests.stream().filter(r -> r.sentNanos() >= 0).toList());
        sent.sort(Comparator.comparingLong(RequestTimeline::sentNanos));
        long close = Long.MAX_VALUE;
        for (int i = Math.max(0, sent.size() - batch); i < sent.size(); i++) {
            RequestTimeline r = sent.get(i);
            long finish = r.lastTokenNanos() >= 0 ? r.lastTokenNanos() : r.doneNanos();
            close = Math.min(close, finish);
        }
        return new long[] {firsts[batch - 1], close};
    }

    /**
     * Energy and tokens inside this window. Tokens of successful requests are counted where they
     * were processed, spread evenly over their phase (the client sees no finer timing): a prompt's
     * tokens over its prefill phase, the first output token at its arrival, the other output
     * tokens over the decode phase. Over a whole wave this counts every prompt and output token
     * once, so {@link SteadyStateEnergy#joulesPerToken()} compares with the wave's J/token.
     *
     * @throws IllegalArgumentException if the window is not inside the signal
     */
    public SteadyStateEnergy measure(PowerSignal signal, List<RequestTimeline> requests) {
        double joules = signal.energyJoules(fromNanos, toNanos);
        double prompt = 0;
        double output = 0;
        for (RequestTimeline r : requests) {
            if (!r.succeeded() || r.sentNanos() < 0) {
                continue;
            }
            long first = r.firstTokenNanos();
            long prefillEnd = Math.max(r.sentNanos(), first >= 0 ? first : r.doneNanos());
            prompt += Math.max(0, r.promptTokens()) * share(r.sentNanos(), prefillEnd);
            if (first >= 0) {
                if (first >= fromNanos && first < toNanos && r.outputTokens() > 0) {
                    output += 1;
                }
                long last = Math.max(first, r.lastTokenNanos());
                output += RequestEnergy.decodeTokens(r.outputTokens()) * share(first, last);
            }
        }
        return new SteadyStateEnergy(this, joules, prompt, output);
    }

    /** Share of {@code [s, e]} inside the window; a point counts wholly when inside ({@code [from, to)}). */
    private double share(long s, long e) {
        if (e <= s) {
            return s >= fromNanos && s < toNanos ? 1 : 0;
        }
        long overlap = Math.min(e, toNanos) - Math.max(s, fromNanos);
        return overlap <= 0 ? 0 : (double) overlap / (e - s);
    }
}
