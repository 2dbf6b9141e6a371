package org.tokenpowerbench.energy;

import java.util.List;

/**
 * The attribution of one wave's measured energy to the prefill and decode phases of its requests
 * and to idle time, under one {@link AttributionPolicy}.
 *
 * <p>Conservation: {@code prefillJ + decodeJ + idleJ == totalJ} up to rounding
 * ({@link #conservationError()}), where {@code totalJ} is the signal's integral over the window.
 * The per-token figures count only requests that succeeded ({@link RequestEnergy.Outcome#succeeded()})
 * with known token counts; what failed requests were given is {@link #failedJ()}.
 *
 * @param policy      the split used
 * @param fromNanos   start of the attributed window
 * @param toNanos     end of the attributed window
 * @param totalJ      measured energy over the window (the signal's integral)
 * @param prefillJ    sum of every request's prefill joules
 * @param decodeJ     sum of every request's decode joules
 * @param idleJ       joules of the instants with no request in prefill or decode
 * @param idleSeconds length of those instants
 * @param requests    one entry per request, in the order given
 * @param flags       what could not be resolved cleanly
 */
public record WaveEnergy(
        AttributionPolicy policy,
        long fromNanos,
        long toNanos,
        double totalJ,
        double prefillJ,
        double decodeJ,
        double idleJ,
        double idleSeconds,
        List<RequestEnergy> requests,
        AttributionFlags flags) {

    public WaveEnergy {
        requests = List.copyOf(requests);
    }

    /** Length of the window in seconds. */
    public double seconds() {
        return (toNanos - fromNanos) / 1e9;
    }

    /** Prefill plus decode plus idle. */
    public double attributedJ() {
        return prefillJ + decodeJ + idleJ;
    }

    /** {@code |attributedJ - totalJ| / |totalJ|} (absolute when the total is 0). */
    public double conservationError() {
        double diff = Math.abs(attributedJ() - totalJ);
        return totalJ == 0 ? diff : diff / Math.abs(totalJ);
    }

    /** Joules given to requests that failed. */
    public double failedJ() {
        return requests.stream().filter(r -> !r.outcome().succeeded()).mapToDouble(RequestEnergy::totalJ).sum();
    }

    /** Prompt tokens of the successful requests whose count is known. */
    public long promptTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.promptTokens() >= 0)
                .mapToLong(RequestEnergy::promptTokens).sum();
    }

    /** Tokens generated in decode phases ({@code outputTokens - 1} each) by successful requests. */
    public long decodeTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded()).mapToLong(RequestEnergy::decodeTokens).sum();
    }

    /** Output tokens of the successful requests whose count is known. */
    public long outputTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.outputTokens() >= 0)
                .mapToLong(RequestEnergy::outputTokens).sum();
    }

    /** Prefill joules of the successful requests with a known prompt token count. */
    public double succeededPrefillJ() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.promptTokens() >= 0)
                .mapToDouble(RequestEnergy::prefillJ).sum();
    }

    /** Decode joules of the successful requests. */
    public double succeededDecodeJ() {
        return requests.stream().filter(r -> r.outcome().succeeded()).mapToDouble(RequestEnergy::decodeJ).sum();
    }

    /** Seconds attributed to the prefill phases counted by {@link #succeededPrefillJ()}. */
    public double succeededPrefillShareSeconds() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.promptTokens() >= 0)
                .mapToDouble(RequestEnergy::prefillShareSeconds).sum();
    }

    /** Seconds attributed to the decode phases counted by {@link #succeededDecodeJ()}. */
    public double succeededDecodeShareSeconds() {
        return requests.stream().filter(r -> r.outcome().succeeded())
                .mapToDouble(RequestEnergy::decodeShareSeconds).sum();
    }

    /** Prefill joules per prompt token; NaN without prompt tokens. */
    public double joulesPerPromptToken() {
        long tokens = promptTokens();
        return tokens > 0 ? succeededPrefillJ() / tokens : Double.NaN;
    }

    /** Decode joules per decode token; NaN without decode tokens. */
    public double joulesPerDecodeToken() {
        long tokens = decodeTokens();
        return tokens > 0 ? succeededDecodeJ() / tokens : Double.NaN;
    }

    /**
     * Prefill joules per prompt token above a constant power: the phase's energy minus
     * {@code watts} times the seconds the same split gave it. NaN without prompt tokens.
     */
    public double joulesPerPromptTokenAbove(double watts) {
        long tokens = promptTokens();
        return tokens > 0 ? (succeededPrefillJ() - watts * succeededPrefillShareSeconds()) / tokens : Double.NaN;
    }

    /** Decode joules per decode token above a constant power; see {@link #joulesPerPromptTokenAbove}. */
    public double joulesPerDecodeTokenAbove(double watts) {
        long tokens = decodeTokens();
        return tokens > 0 ? (succeededDecodeJ() - watts * succeededDecodeShareSeconds()) / tokens : Double.NaN;
    }
}
