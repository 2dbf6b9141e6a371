package org.tokenpowerbench.client;

/**
 * What a request's generated tokens were, beyond their count: how many were reasoning (a
 * reasoning model's thinking, streamed as {@code reasoning_content} or {@code reasoning} before the
 * answer), and, where the server ran speculative decoding and says so, how many draft tokens it
 * proposed and how many of those it accepted. The energy of each kind is split from these
 * ({@code energy.PhaseAttribution}); docs/attribution.md, "Energy per kind of token".
 *
 * @param reasoningTokens     reasoning tokens among the output tokens: 0 when the stream carried no
 *                            reasoning, -1 when it did but nothing says how many tokens that was
 * @param reasoningSource     where {@code reasoningTokens} comes from: {@link TokenCountSource#SERVER_USAGE}
 *                            ({@code usage.completion_tokens_details.reasoning_tokens}),
 *                            {@link TokenCountSource#STREAM_CHUNKS} (the stream's reasoning chunks,
 *                            counted only where that is exact: by their own cumulative counts, or one
 *                            token each where every content chunk carried one) or
 *                            {@link TokenCountSource#NONE}
 * @param draftTokens         draft tokens proposed by speculative decoding, as the server reports them
 *                            (llama-server's {@code timings.draft_n}); -1 when it does not
 * @param acceptedDraftTokens of those, the ones the target model accepted ({@code timings.draft_n_accepted});
 *                            -1 when the server does not say
 */
public record TokenKinds(int reasoningTokens, TokenCountSource reasoningSource, int draftTokens,
                         int acceptedDraftTokens) {

    /** A request with no reasoning stream and no speculative counts: what a plain stream has. */
    public static final TokenKinds PLAIN = new TokenKinds(0, TokenCountSource.NONE, -1, -1);

    /** A request nothing is known of (never sent). */
    public static final TokenKinds UNKNOWN = new TokenKinds(-1, TokenCountSource.NONE, -1, -1);

    public TokenKinds {
        if (reasoningTokens < -1 || draftTokens < -1 || acceptedDraftTokens < -1) {
            throw new IllegalArgumentException("token counts are -1 (unknown) or more: " + reasoningTokens + ", "
                    + draftTokens + ", " + acceptedDraftTokens);
        }
        if ((draftTokens < 0) != (acceptedDraftTokens < 0) || acceptedDraftTokens > draftTokens) {
            throw new IllegalArgumentException("accepted draft tokens " + acceptedDraftTokens + " of " + draftTokens
                    + " proposed: both known, accepted at most proposed, or both -1");
        }
        if (reasoningSource == null) {
            throw new IllegalArgumentException("a reasoning token count needs its source (NONE when there is none)");
        }
    }

    /** Whether the server reported speculative decoding for the request. */
    public boolean speculative() {
        return draftTokens >= 0;
    }
}
