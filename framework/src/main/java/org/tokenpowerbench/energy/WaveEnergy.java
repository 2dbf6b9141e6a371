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
 * @param reasoningTokenSource where the reasoning token counts of the successful requests with
 *                    reasoning came from ({@code TokenCountSource#label()}, {@code mixed}, or
 *                    {@code none} when no request had reasoning)
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
        AttributionFlags flags,
        String reasoningTokenSource) {

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

    /** Decode joules before the first answer token, over every request: {@code reasoningJ + answerJ == decodeJ}. */
    public double reasoningJ() {
        return requests.stream().mapToDouble(RequestEnergy::reasoningJ).sum();
    }

    /** Decode joules from the first answer token on, over every request. */
    public double answerJ() {
        return requests.stream().mapToDouble(RequestEnergy::answerJ).sum();
    }

    /** Reasoning decode steps of the successful requests whose steps are known. */
    public long reasoningTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.reasoningTokens() >= 0)
                .mapToLong(RequestEnergy::reasoningTokens).sum();
    }

    /** Answer decode steps of the successful requests whose steps are known. */
    public long answerTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.answerTokens() >= 0)
                .mapToLong(RequestEnergy::answerTokens).sum();
    }

    /**
     * Reasoning decode joules per reasoning token, over the successful requests whose steps are
     * known; NaN when the wave has no reasoning tokens (a plain stream: the figure does not exist).
     */
    public double joulesPerReasoningToken() {
        long tokens = reasoningTokens();
        return tokens > 0 ? requests.stream().filter(r -> r.outcome().succeeded() && r.reasoningTokens() >= 0)
                .mapToDouble(RequestEnergy::reasoningJ).sum() / tokens : Double.NaN;
    }

    /**
     * Answer decode joules per answer token (after the first), over the successful requests whose
     * steps are known; NaN unless the wave has reasoning tokens too (otherwise it is
     * {@link #joulesPerDecodeToken()} by another name) and answer tokens.
     */
    public double joulesPerAnswerToken() {
        long tokens = answerTokens();
        if (tokens <= 0 || reasoningTokens() <= 0) {
            return Double.NaN;
        }
        return requests.stream().filter(r -> r.outcome().succeeded() && r.answerTokens() >= 0)
                .mapToDouble(RequestEnergy::answerJ).sum() / tokens;
    }

    /** Prompt tokens the servers' prefix caches served, over the successful requests with a known prompt count. */
    public long cachedPromptTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.promptTokens() >= 0)
                .mapToLong(r -> Math.max(0, r.cachedPromptTokens())).sum();
    }

    /** Prompt tokens computed (prompt − cached), over the successful requests with a known prompt count. */
    public long computedPromptTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.promptTokens() >= 0)
                .mapToLong(RequestEnergy::computedPromptTokens).sum();
    }

    /**
     * Prefill joules per computed prompt token: a cached token costs no prefill compute, so the
     * whole prefill belongs to the computed ones. NaN when no prompt token was cached (it would be
     * {@link #joulesPerPromptToken()}) or none was computed.
     */
    public double joulesPerComputedPromptToken() {
        long computed = computedPromptTokens();
        return cachedPromptTokens() > 0 && computed > 0 ? succeededPrefillJ() / computed : Double.NaN;
    }

    /** Draft tokens that speculative decoding proposed, over the successful requests whose server reported them. */
    public long draftTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.draftTokens() >= 0)
                .mapToLong(RequestEnergy::draftTokens).sum();
    }

    /** Of {@link #draftTokens()}, the ones the target model accepted. */
    public long acceptedDraftTokens() {
        return requests.stream().filter(r -> r.outcome().succeeded() && r.draftTokens() >= 0)
                .mapToLong(RequestEnergy::acceptedDraftTokens).sum();
    }

    /**
     * The share of proposed draft tokens accepted, as the server counted them; NaN when no request
     * reported speculative decoding. A rate beside the decode's energy, not a split of it: drafts
     * and their check run in the same steps, so the client's times cannot cut the joules between
     * accepted and rejected tokens.
     */
    public double draftAcceptance() {
        long proposed = draftTokens();
        return proposed > 0 ? (double) acceptedDraftTokens() / proposed : Double.NaN;
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
