package org.tokenpowerbench.energy;

import java.util.Locale;

/**
 * The energy attributed to one request's phases in one wave, under the policy of its
 * {@link WaveEnergy}.
 *
 * @param index               the request's position in its wave ({@code RequestTimeline#index})
 * @param outcome             how the request ended, which decides its phases
 * @param promptTokens        prompt tokens, -1 when unknown
 * @param outputTokens        output tokens, -1 when unknown
 * @param prefillNanos        length of the prefill phase inside the attributed window
 * @param decodeNanos         length of the decode phase inside the attributed window
 * @param prefillJ            joules attributed to the prefill phase
 * @param decodeJ             joules attributed to the decode phase
 * @param prefillShareSeconds seconds attributed to the prefill phase by the same split (the
 *                            attribution of a constant 1 W); {@code watts × this} is what a
 *                            constant power such as the idle baseline contributes
 * @param decodeShareSeconds  the same for the decode phase
 * @param reasoningJ          the decode joules before the first answer token (reasoning decode:
 *                            {@code [first token, first answer token)}); 0 for a stream without reasoning
 * @param answerJ             the decode joules from the first answer token on; {@code reasoningJ + answerJ}
 *                            is {@code decodeJ}
 * @param reasoningTokens     the decode's token steps before the first answer token (see
 *                            docs/attribution.md, "Energy per kind of token"); -1 when not known
 * @param answerTokens        its token steps from the first answer token on; -1 when not known
 * @param cachedPromptTokens  prompt tokens the server's prefix cache served; -1 when it did not say
 * @param draftTokens         draft tokens speculative decoding proposed, as the server reported them; -1
 *                            when it did not
 * @param acceptedDraftTokens of those, the ones accepted; -1 when not reported
 */
public record RequestEnergy(
        int index,
        Outcome outcome,
        int promptTokens,
        int outputTokens,
        long prefillNanos,
        long decodeNanos,
        double prefillJ,
        double decodeJ,
        double prefillShareSeconds,
        double decodeShareSeconds,
        double reasoningJ,
        double answerJ,
        int reasoningTokens,
        int answerTokens,
        int cachedPromptTokens,
        int draftTokens,
        int acceptedDraftTokens) {

    /** How a request ended, and so which phases it has. */
    public enum Outcome {
        /** Succeeded with at least one content token: prefill [sent, first token), decode [first, last token]. */
        OK,
        /** Succeeded without any content token: prefill [sent, done], no decode. */
        NO_OUTPUT,
        /** Failed before its first token: prefill [sent, done] (the server may have worked on it), no decode. */
        FAILED_BEFORE_FIRST_TOKEN,
        /** Failed after its first token: prefill and decode as for {@link #OK}; nothing after the last token. */
        FAILED_AFTER_FIRST_TOKEN,
        /** Never sent (no send time): no phase. */
        NOT_SENT;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** True for the outcomes whose tokens count in the per-token figures. */
        public boolean succeeded() {
            return this == OK || this == NO_OUTPUT;
        }
    }

    /** Tokens generated in the decode phase: {@code outputTokens - 1}, 0 when unknown or none. */
    public int decodeTokens() {
        return decodeTokens(outputTokens);
    }

    static int decodeTokens(int outputTokens) {
        return outputTokens > 1 ? outputTokens - 1 : 0;
    }

    /**
     * Prompt tokens the server computed, {@code prompt - cached}: a cached token costs no prefill
     * compute, so all the prefill's joules belong to these. The prompt count when the server said
     * nothing of its cache; -1 when the prompt count is unknown.
     */
    public int computedPromptTokens() {
        return promptTokens < 0 ? -1 : promptTokens - Math.max(0, cachedPromptTokens);
    }

    /** Prefill plus decode joules. */
    public double totalJ() {
        return prefillJ + decodeJ;
    }
}
