package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.tokenpowerbench.stats.LatencyHistogram;
import org.junit.jupiter.api.Test;

class StreamRecorderTest {

    /** An arbitrary nanoTime origin, far from zero like a real one. */
    private static final long T0 = 5_000_000_000_000L;
    private static final long MS = 1_000_000L;
    private static final double EPS = 1e-6;

    /** Tokens are whitespace-separated words; the server adds one BOS token. */
    private static final Tokenizer WORDS = new Tokenizer() {
        @Override
        public int[] encode(String text) {
            String t = text.trim();
            return t.isEmpty() ? new int[0] : new int[t.split("\\s+").length];
        }

        @Override
        public int specialTokensAdded() {
            return 1;
        }

        @Override
        public String description() {
            return "words";
        }
    };

    private static String chatDelta(String field, String value) {
        return "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"" + field
                + "\":\"" + value + "\"},\"finish_reason\":null}]}";
    }

    private static String text(String value) {
        return "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + value
                + "\",\"finish_reason\":null}]}";
    }

    private static String usage(int prompt, int completion) {
        return "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completion + ",\"total_tokens\":" + (prompt + completion) + "}}";
    }

    private static RequestTimeline timeline(StreamRecorder r, Tokenizer tokenizer) {
        return r.toTimeline(3, 4, T0 - 5 * MS, T0, T0 + 1000 * MS, 16, tokenizer, "the prompt here");
    }

    private static String usage(int prompt, int completion, String details) {
        return "{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completion + "," + details + "}}";
    }

    /** Three reasoning chunks, then two answer chunks, one token each. */
    private static StreamRecorder reasoningStream(String usage) {
        StreamRecorder r = new StreamRecorder(Api.CHAT);
        r.onEvent(chatDelta("reasoning_content", "Let"), T0 + 10 * MS);
        r.onEvent(chatDelta("reasoning_content", " me"), T0 + 20 * MS);
        r.onEvent(chatDelta("reasoning_content", " think"), T0 + 30 * MS);
        r.onEvent(chatDelta("content", "Yes"), T0 + 40 * MS);
        r.onEvent(chatDelta("content", "."), T0 + 50 * MS);
        r.onEvent(usage, T0 + 51 * MS);
        r.onEvent("[DONE]", T0 + 52 * MS);
        return r;
    }

    @Test
    void reasoningTokensComeFromUsageWhenTheServerGivesThem() {
        RequestTimeline t = timeline(reasoningStream(usage(9, 5,
                "\"completion_tokens_details\":{\"reasoning_tokens\":3}")), null);
        assertTrue(t.succeeded(), t.error());
        assertEquals(new TokenKinds(3, TokenCountSource.SERVER_USAGE, -1, -1), t.kinds());
        assertEquals(T0 + 40 * MS, t.firstAnswerNanos());
    }

    @Test
    void reasoningTokensAreCountedFromChunksOnlyWhereEveryChunkCarriedOneToken() {
        RequestTimeline t = timeline(reasoningStream(usage(9, 5)), null);
        assertEquals(new TokenKinds(3, TokenCountSource.STREAM_CHUNKS, -1, -1), t.kinds());
        // seven tokens in five chunks: which chunks held two is not known, so neither is the reasoning count
        RequestTimeline packed = timeline(reasoningStream(usage(9, 7)), null);
        assertEquals(new TokenKinds(-1, TokenCountSource.NONE, -1, -1), packed.kinds());
        StreamRecorder plain = new StreamRecorder(Api.CHAT);
        plain.onEvent(chatDelta("content", "Yes"), T0 + 40 * MS);
        plain.onEvent(usage(9, 1), T0 + 41 * MS);
        assertEquals(TokenKinds.PLAIN, timeline(plain, null).kinds());
    }

    @Test
    void reasoningTokensComeFromEachChunksOwnCountWithContinuousUsage() {
        StreamRecorder r = new StreamRecorder(Api.CHAT);
        String chunk = "{\"choices\":[{\"index\":0,\"delta\":{\"%s\":\"%s\"}}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":%d}}";
        // reasoning chunks of 2 and 3 tokens, then answer chunks of 2 and 1 (speculative decoding packs them)
        r.onEvent(String.format(chunk, "reasoning_content", "ab", 2), T0 + 10 * MS);
        r.onEvent(String.format(chunk, "reasoning_content", "cde", 5), T0 + 20 * MS);
        r.onEvent(String.format(chunk, "content", "fg", 7), T0 + 30 * MS);
        r.onEvent(String.format(chunk, "content", "h", 8), T0 + 40 * MS);
        r.onEvent(usage(9, 8), T0 + 41 * MS);
        RequestTimeline t = timeline(r, null);
        assertEquals(8, t.outputTokens());
        assertEquals(new TokenKinds(5, TokenCountSource.STREAM_CHUNKS, -1, -1), t.kinds());
    }

    @Test
    void aReasoningCountAboveTheCompletionCountIsImplausible() {
        RequestTimeline t = timeline(reasoningStream(usage(9, 5,
                "\"completion_tokens_details\":{\"reasoning_tokens\":6}")), null);
        assertEquals(StreamRecorder.IMPLAUSIBLE_USAGE, t.errorClass());
        assertTrue(t.error().contains("reasoning_tokens=6 exceeds completion_tokens=5"), t.error());
    }

    @Test
    void speculativeCountsAreKeptWhenTheyCouldBeTrue() {
        String llamaServerLast = "{\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":5},"
                + "\"timings\":{\"draft_n\":16,\"draft_n_accepted\":%d}}";
        RequestTimeline t = timeline(reasoningStream(String.format(llamaServerLast, 14)), null);
        assertEquals(16, t.kinds().draftTokens());
        assertEquals(14, t.kinds().acceptedDraftTokens());
        assertTrue(t.kinds().speculative());
        RequestTimeline lie = timeline(reasoningStream(String.format(llamaServerLast, 17)), null);
        assertTrue(lie.succeeded(), "draft counts are not the request's tokens: a wrong one fails nothing");
        assertEquals(-1, lie.kinds().draftTokens());
        assertEquals(-1, lie.kinds().acceptedDraftTokens());
        assertFalse(lie.kinds().speculative());
    }

    @Test
    void roleOnlyEmptyAndUsageOnlyChunksAreNotTokens() {
        StreamRecorder r = new StreamRecorder(Api.CHAT);
        r.onEvent("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}", T0 + 10 * MS);
        r.onEvent("{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}", T0 + 15 * MS);
        r.onEvent(chatDelta("content", "Hello"), T0 + 50 * MS);
        r.onEvent(chatDelta("content", " world"), T0 + 60 * MS);
        r.onEvent(chatDelta("content", ""), T0 + 65 * MS);
        r.onEvent("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}", T0 + 70 * MS);
        r.onEvent(chatDelta("content", "!"), T0 + 80 * MS);
        r.onEvent("{\"choices\":[{\"index\":0,\"delta\":{\"content\":null},\"finish_reason\":\"length\"}]}", T0 + 85 * MS);
        r.onEvent(usage(7, 3), T0 + 90 * MS);
        r.onEvent("[DONE]", T0 + 95 * MS);
        assertTrue(r.sawDone());
        RequestTimeline t = timeline(r, null);
        assertTrue(t.succeeded(), t.error());
        assertEquals(50.0, t.ttftMillis(), EPS);
        assertEquals(80.0, t.e2eMillis(), EPS);
        assertEquals(3, t.contentChunks());
        assertEquals(3, t.outputTokens());
        assertEquals(7, t.promptTokens());
        assertEquals(TokenCountSource.SERVER_USAGE, t.tokenSource());
        assertEquals("Hello world!", r.generatedText());
        assertItl(t.itl(), 2, 10, 20);
        assertEquals(30.0, t.itl().sum(), 1e-9);
    }

    @Test
    void completionsEmptyTextChunkIsNotTheFirstToken() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text(""), T0 + 5 * MS);
        r.onEvent(text("A"), T0 + 20 * MS);
        r.onEvent(text("B"), T0 + 30 * MS);
        r.onEvent(usage(4, 2), T0 + 31 * MS);
        r.onEvent("[DONE]", T0 + 32 * MS);
        RequestTimeline t = timeline(r, null);
        assertEquals(20.0, t.ttftMillis(), EPS);
        assertEquals(30.0, t.e2eMillis(), EPS);
        assertEquals(2, t.contentChunks());
    }

    @Test
    void reasoningContentCountsAsGeneratedAndStartsTtft() {
        StreamRecorder r = new StreamRecorder(Api.CHAT);
        r.onEvent(chatDelta("reasoning_content", "Let me think."), T0 + 10 * MS);
        r.onEvent(chatDelta("reasoning", " Hmm."), T0 + 20 * MS);
        r.onEvent(chatDelta("content", "Answer"), T0 + 40 * MS);
        r.onEvent("[DONE]", T0 + 50 * MS);
        RequestTimeline t = timeline(r, WORDS);
        assertEquals(10.0, t.ttftMillis(), EPS, "the first reasoning chunk is the first generated token");
        assertEquals(40.0, t.e2eMillis(), EPS);
        assertEquals(3, t.contentChunks());
        assertEquals(40.0, t.ttfatMillis(), EPS, "the first answer token is reported separately");
        assertEquals("Let me think. Hmm.Answer", r.generatedText());
        // the tokenizer counts every generated word, reasoning included
        assertEquals(WORDS.encode("Let me think. Hmm.Answer").length, t.outputTokens());
    }

    @Test
    void aLargeUsageCountIsNotBelievedInTheItlSplit() {
        // 2,000 tokens for max_tokens=1,000 in 3 chunks: within what a request may report, but no
        // chunk carries 1,000 tokens: the ITL split does not believe more than 64 per chunk
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("a"), T0 + 10 * MS);
        r.onEvent(text("b"), T0 + 20 * MS);
        r.onEvent(text("c"), T0 + 30 * MS);
        r.onEvent(usage(5, 2000), T0 + 31 * MS);
        r.onEvent("[DONE]", T0 + 32 * MS);
        RequestTimeline t = r.toTimeline(3, 4, T0 - 5 * MS, T0, T0 + 1000 * MS, 1000, WORDS, "the prompt here");
        assertTrue(t.succeeded(), t.error());
        assertEquals(2000, t.outputTokens(), "the server's count is reported as it came");
        assertEquals(2 * StreamRecorder.MAX_TOKENS_PER_CHUNK, t.itl().weight(), 1e-9);
        assertEquals(20.0, t.itl().sum(), 1e-9, "the split still adds up to the decode time");
    }

    /** A stream of three one-letter chunks whose final usage says {@code usageJson}. */
    private static StreamRecorder threeChunksThen(String usageJson) {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("a"), T0 + 10 * MS);
        r.onEvent(text("b"), T0 + 20 * MS);
        r.onEvent(text("c"), T0 + 30 * MS);
        r.onEvent("{\"choices\":[],\"usage\":" + usageJson + "}", T0 + 31 * MS);
        r.onEvent("[DONE]", T0 + 32 * MS);
        return r;
    }

    private static void assertImplausible(RequestTimeline t, String says) {
        assertFalse(t.succeeded(), "an implausible count fails the request");
        assertEquals(StreamRecorder.IMPLAUSIBLE_USAGE, t.errorClass(), t.error());
        assertTrue(t.error().contains(says), t.error());
        assertEquals(-1, t.outputTokens(), "no count from a server that lies");
        assertEquals(-1, t.promptTokens(), "no count from a server that lies");
        assertEquals(TokenCountSource.NONE, t.tokenSource(), "and no tokenizer quietly stands in");
        assertTrue(Double.isNaN(t.tpotMillis()), "no TPOT of 1e-7 ms");
    }

    @Test
    void usageBeyondTheRequestsLimitFailsTheRequest() {
        // 2e9 tokens once published 1.9e10 tokens/s; 5e9 once wrapped to 705,032,704
        assertImplausible(timeline(threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":2000000000}"), WORDS),
                "completion_tokens=2000000000 for max_tokens=16");
        assertImplausible(timeline(threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":5000000000}"), WORDS),
                "completion_tokens=5000000000");
        // within twice the limit plus 16 a count stands (a server may count a stop token)
        RequestTimeline near = timeline(threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":48}"), null);
        assertTrue(near.succeeded(), near.error());
        assertEquals(48, near.outputTokens());
        assertImplausible(timeline(threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":49}"), null),
                "completion_tokens=49 for max_tokens=16");
    }

    /**
     * A server that counts fewer tokens than it streamed chunks of text (40 chunks, usage 4, made
     * TPOT ten times too long and J/token ten times too high), or no prompt tokens for a prompt.
     */
    @Test
    void aCompletionCountBelowTheChunksOfTextOrAZeroPromptCountIsImplausible() {
        assertImplausible(timeline(threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":2}"), WORDS),
                "completion_tokens=2 but the stream brought 3 chunks of text");
        RequestTimeline exact = timeline(threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":3}"), null);
        assertTrue(exact.succeeded(), exact.error());
        assertImplausible(timeline(threeChunksThen("{\"prompt_tokens\":0,\"completion_tokens\":3}"), WORDS),
                "prompt_tokens=0 for a prompt of 15 characters");
    }

    @Test
    void negativeCountsFailTheRequestInsteadOfFallingBackToTheTokenizer() {
        assertImplausible(timeline(threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":-3}"), WORDS),
                "completion_tokens=-3 is negative");
        assertImplausible(timeline(threeChunksThen("{\"prompt_tokens\":-5,\"completion_tokens\":3}"), WORDS),
                "prompt_tokens=-5 is negative");
        assertImplausible(timeline(threeChunksThen(
                "{\"prompt_tokens\":5,\"completion_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":-1}}"), WORDS),
                "cached_tokens=-1 is negative");
    }

    @Test
    void countsAreCheckedAgainstTheBytesThatCarriedThem() {
        String usage = "{\"prompt_tokens\":5,\"completion_tokens\":12}";
        RequestTimeline fits = threeChunksThen(usage)
                .toTimeline(3, 4, T0 - 5 * MS, T0, T0 + 1000 * MS, 16, null, "p", 300, 12);
        assertTrue(fits.succeeded(), fits.error());
        assertImplausible(threeChunksThen(usage).toTimeline(3, 4, T0 - 5 * MS, T0, T0 + 1000 * MS, 16, null, "p", 300, 11),
                "completion_tokens=12 but the stream brought only 11 bytes");
        String prompt = "{\"prompt_tokens\":" + (300 + StreamRecorder.PROMPT_TOKENS_BEYOND_BYTES + 1) + ",\"completion_tokens\":3}";
        assertImplausible(threeChunksThen(prompt).toTimeline(3, 4, T0 - 5 * MS, T0, T0 + 1000 * MS, 16, null, "p", 300, 500),
                "for a request of 300 bytes");
        assertImplausible(timeline(threeChunksThen(
                "{\"prompt_tokens\":5,\"completion_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":6}}"), null),
                "cached_tokens=6 exceeds prompt_tokens=5");
    }

    @Test
    void aFailureThatCameFirstStandsAndTheLieIsStillNotCounted() {
        StreamRecorder r = threeChunksThen("{\"prompt_tokens\":5,\"completion_tokens\":5000000000}");
        r.fail("truncated-stream", "cut");
        RequestTimeline t = timeline(r, null);
        assertEquals("truncated-stream", t.errorClass());
        assertEquals(-1, t.outputTokens(), "never a wrapped 705,032,704");
    }

    @Test
    void everyFailureMessageIsRedacted() {
        String key = "sk-abc\"def/ghi";
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS, false, null, 0, new Redaction(key));
        r.fail("http-401", "bad key " + key + ", escaped sk-abc\\\"def/ghi, encoded sk-abc%22def%2Fghi");
        RequestTimeline t = timeline(r, null);
        assertEquals("bad key <redacted>, escaped <redacted>, encoded <redacted>", t.error());
    }

    @Test
    void usageTokensAreTaken() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("a"), T0 + 10 * MS);
        r.onEvent(text("b"), T0 + 20 * MS);
        r.onEvent(usage(123, 2), T0 + 21 * MS);
        r.onEvent("[DONE]", T0 + 22 * MS);
        RequestTimeline t = timeline(r, WORDS);
        assertEquals(123, t.promptTokens());
        assertEquals(2, t.outputTokens());
        assertEquals(TokenCountSource.SERVER_USAGE, t.tokenSource(), "usage wins over the tokenizer");
        assertEquals(16, t.requestedOutputTokens());
        assertEquals(3, t.index());
        assertEquals(4, t.promptIndex());
        assertEquals(5.0, t.queueMillis(), EPS);
    }

    @Test
    void usageOnTheLastContentChunkIsTaken() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("a"), T0 + 10 * MS);
        r.onEvent("{\"choices\":[{\"index\":0,\"text\":\"b\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2}}", T0 + 20 * MS);
        r.onEvent("[DONE]", T0 + 22 * MS);
        RequestTimeline t = timeline(r, null);
        assertEquals(9, t.promptTokens());
        assertEquals(2, t.outputTokens());
        assertEquals(2, t.contentChunks());
    }

    @Test
    void noUsageWithTokenizerCountsWithTheTokenizer() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("one"), T0 + 10 * MS);
        r.onEvent(text(" two"), T0 + 20 * MS);
        r.onEvent(text(" three"), T0 + 30 * MS);
        r.onEvent("[DONE]", T0 + 40 * MS);
        RequestTimeline t = timeline(r, WORDS);
        assertEquals(TokenCountSource.TOKENIZER, t.tokenSource());
        assertEquals(3, t.outputTokens());
        assertEquals(WORDS.promptTokens("the prompt here"), t.promptTokens());
        assertEquals(4, t.promptTokens());
    }

    @Test
    void noUsageNoTokenizerIsNoneAndNeverEstimated() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("one"), T0 + 10 * MS);
        r.onEvent(text(" two"), T0 + 20 * MS);
        r.onEvent("[DONE]", T0 + 40 * MS);
        RequestTimeline t = timeline(r, null);
        assertTrue(t.succeeded());
        assertEquals(TokenCountSource.NONE, t.tokenSource());
        assertEquals(-1, t.outputTokens());
        assertEquals(-1, t.promptTokens());
        assertTrue(Double.isNaN(t.tpotMillis()), "no token count, no TPOT");
        assertEquals(2, t.contentChunks());
        assertItl(t.itl(), 1, 10, 10); // chunk gaps are still measured
    }

    @Test
    void oneTokenPerChunkGivesTheGaps() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        long[] at = {100, 112, 130, 131, 170};
        for (int i = 0; i < at.length; i++) {
            r.onEvent(text("t" + i), T0 + at[i] * MS);
        }
        r.onEvent(usage(5, 5), T0 + 171 * MS);
        r.onEvent("[DONE]", T0 + 172 * MS);
        RequestTimeline t = timeline(r, null);
        assertItl(t.itl(), 4, 1, 39);
        assertEquals(12 + 18 + 1 + 39, t.itl().sum(), 1e-9);
        assertEquals(100.0, t.ttftMillis(), EPS);
        assertEquals(170.0, t.e2eMillis(), EPS);
        // TPOT = (E2E - TTFT) / (outputTokens - 1) = 70 / 4
        assertEquals(17.5, t.tpotMillis(), EPS);
        assertEquals(t.tpotMillis(), t.itl().mean(), 1e-9);
    }

    @Test
    void chunksCarryingSeveralTokensDivideTheirGaps() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("ab"), T0 + 100 * MS);
        r.onEvent(text("cd"), T0 + 130 * MS);
        r.onEvent(text("ef"), T0 + 190 * MS);
        r.onEvent(usage(5, 7), T0 + 191 * MS); // 7 tokens over 3 chunks
        r.onEvent("[DONE]", T0 + 192 * MS);
        RequestTimeline t = timeline(r, null);
        // 6 tokens after the first, 3 per gap: 30 ms / 3 and 60 ms / 3
        assertItl(t.itl(), 6, 10, 20);
        assertEquals(t.outputTokens() - 1, t.itl().weight(), 1e-9, "one ITL per token after the first");
        assertEquals(10.0, t.itl().quantile(0.5), 10 * 0.006, "half the tokens came 10 ms apart");
        assertEquals(20.0, t.itl().quantile(0.9), 20 * 0.006);
        assertEquals(90.0 / 6, t.tpotMillis(), EPS);
        assertEquals(t.e2eMillis() - t.ttftMillis(), t.itl().sum(), 1e-9, "ITLs add up to the decode time");
    }

    @Test
    void unevenTokensPerChunkStillAddUpToTheDecodeTime() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        long[] at = {10, 25, 27, 60};
        for (long a : at) {
            r.onEvent(text("x"), T0 + a * MS);
        }
        r.onEvent(usage(5, 9), T0 + 61 * MS); // 8 tokens after the first over 3 gaps
        RequestTimeline t = timeline(r, null);
        assertEquals(8, t.itl().weight(), 1e-9);
        assertEquals(50.0, t.itl().sum(), 1e-9);
        // 8/3 tokens per gap on average: 15, 2 and 33 ms gaps, each divided by 8/3
        assertItl(t.itl(), 8, 2 * 3.0 / 8, 33 * 3.0 / 8);
    }

    @Test
    void tpotIsNanForOneOrZeroTokens() {
        StreamRecorder one = new StreamRecorder(Api.COMPLETIONS);
        one.onEvent(text("x"), T0 + 10 * MS);
        one.onEvent(usage(5, 1), T0 + 11 * MS);
        one.onEvent("[DONE]", T0 + 12 * MS);
        RequestTimeline t1 = timeline(one, null);
        assertEquals(1, t1.outputTokens());
        assertEquals(10.0, t1.ttftMillis(), EPS);
        assertTrue(Double.isNaN(t1.tpotMillis()));
        assertEquals(0, t1.itl().weight());

        StreamRecorder none = new StreamRecorder(Api.COMPLETIONS);
        none.onEvent(usage(5, 0), T0 + 11 * MS);
        none.onEvent("[DONE]", T0 + 12 * MS);
        RequestTimeline t0 = timeline(none, null);
        assertFalse(t0.hasFirstToken());
        assertEquals(-1, t0.firstTokenNanos());
        assertTrue(Double.isNaN(t0.ttftMillis()));
        assertTrue(Double.isNaN(t0.e2eMillis()));
        assertTrue(Double.isNaN(t0.tpotMillis()));
    }

    @Test
    void malformedJsonIsAMalformedEvent() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("a"), T0 + 10 * MS);
        r.onEvent("{\"choices\":[{\"text\":\"b\"", T0 + 20 * MS);
        r.onEvent(text("c"), T0 + 30 * MS);
        RequestTimeline t = timeline(r, WORDS);
        assertFalse(t.succeeded());
        assertEquals("malformed-event", t.errorClass());
        assertTrue(t.error().contains("malformed"), t.error());
        assertEquals(1, t.contentChunks(), "nothing is recorded after the failure");
        assertEquals(TokenCountSource.NONE, t.tokenSource(), "a failed stream is not counted with the tokenizer");
    }

    @Test
    void nonObjectJsonIsAMalformedEvent() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent("[1,2]", T0 + 10 * MS);
        assertEquals("malformed-event", timeline(r, null).errorClass());
    }

    @Test
    void errorObjectMidStreamIsAServerError() {
        StreamRecorder r = new StreamRecorder(Api.CHAT);
        r.onEvent(chatDelta("content", "a"), T0 + 10 * MS);
        r.onEvent("{\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"InternalServerError\",\"code\":500}}", T0 + 20 * MS);
        r.onEvent("[DONE]", T0 + 30 * MS);
        RequestTimeline t = timeline(r, null);
        assertFalse(t.succeeded());
        assertEquals("server-error", t.errorClass());
        assertTrue(t.error().contains("CUDA out of memory"), t.error());
    }

    @Test
    void errorStringMidStreamIsAServerError() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent("{\"error\":\"overloaded\"}", T0 + 20 * MS);
        RequestTimeline t = timeline(r, null);
        assertEquals("server-error", t.errorClass());
        assertTrue(t.error().contains("overloaded"), t.error());
    }

    @Test
    void nullErrorFieldIsNotAnError() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent("{\"error\":null,\"choices\":[{\"index\":0,\"text\":\"a\"}]}", T0 + 20 * MS);
        r.onEvent("[DONE]", T0 + 30 * MS);
        RequestTimeline t = timeline(r, null);
        assertTrue(t.succeeded());
        assertEquals(1, t.contentChunks());
    }

    @Test
    void firstFailureWins() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.fail("truncated-stream", "first");
        r.fail("io", "second");
        RequestTimeline t = timeline(r, null);
        assertEquals("truncated-stream", t.errorClass());
        assertEquals("first", t.error());
    }

    @Test
    void eventsAfterDoneAreIgnored() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("a"), T0 + 10 * MS);
        r.onEvent("[DONE]", T0 + 20 * MS);
        r.onEvent(text("b"), T0 + 30 * MS);
        RequestTimeline t = timeline(r, null);
        assertEquals(1, t.contentChunks());
        assertEquals(10.0, t.e2eMillis(), EPS);
        assertNull(t.error());
    }

    @Test
    void manyChunksKeepASummaryThatDoesNotGrow() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        for (int i = 0; i < 500; i++) {
            r.onEvent(text("x"), T0 + (10 + i) * MS);
        }
        r.onEvent(usage(5, 500), T0 + 600 * MS);
        RequestTimeline t = timeline(r, null);
        assertEquals(500, t.contentChunks());
        assertItl(t.itl(), 499, 1, 1);
        assertEquals(1, t.itl().buckets(), "499 equal gaps are one histogram entry, not 499");
    }

    @Test
    void aLongStreamKeepsNoPerTokenState() {
        // 200,000 one-token chunks, 10 to 30 ms apart: the timeline keeps a histogram of a few
        // hundred entries, and without a tokenizer to feed the recorder keeps no text
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS, false, null, 0);
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        long at = T0;
        for (int i = 0; i < 200_000; i++) {
            at += (long) ((10 + 20 * random.nextDouble()) * MS);
            r.onEvent(text("x"), at);
        }
        r.onEvent(usage(5, 200_000), at + MS);
        RequestTimeline t = timeline(r, null);
        assertEquals(199_999, t.itl().weight(), 1e-9);
        int bound = (int) Math.ceil(Math.log(3) / Math.log(1.005)) + 1;
        assertTrue(t.itl().buckets() <= bound, t.itl().buckets() + " entries for 200,000 tokens");
        assertNull(r.generatedText(), "no tokenizer, no text kept");
        assertEquals((t.lastTokenNanos() - t.firstTokenNanos()) / 1e6, t.itl().sum(), 1e-3);
    }

    @Test
    void chunkArrivalsAreCountedPer100MsStep() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        long base = 7_000 * ChunkArrivals.STEP_NANOS;
        long[] at = {10, 20, 90, 150, 420, 430}; // ms after a step boundary
        for (long a : at) {
            r.onEvent(text("x"), base + a * MS);
        }
        r.onEvent(usage(5, 6), base + 431 * MS);
        ChunkArrivals a = timeline(r, null).arrivals();
        assertEquals(7_000, a.firstStep());
        assertEquals(java.util.List.of(3, 1, 0, 0, 2), java.util.Arrays.stream(a.counts()).boxed().toList());
        assertEquals(6, a.chunks());
        assertEquals(ChunkArrivals.NONE, timeline(new StreamRecorder(Api.COMPLETIONS), null).arrivals(),
                "no content, no steps");
    }

    /** A content chunk that carries the usage so far, as vLLM sends with continuous_usage_stats. */
    private static String textWithUsage(String value, int completionSoFar) {
        return textWithUsage(value, completionSoFar, "5");
    }

    /** @param prompt how the prompt count is written: {@code 5.0} is not a plain int, which sends the event to Jackson */
    private static String textWithUsage(String value, int completionSoFar, String prompt) {
        return "{\"id\":\"c\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"" + value
                + "\",\"finish_reason\":null}],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":"
                + completionSoFar + ",\"total_tokens\":" + (5 + completionSoFar) + "}}";
    }

    @Test
    void continuousUsageDividesEachGapByItsOwnChunksTokens() {
        // chunks of 2, 3 and 1 tokens (speculative decoding), 30 ms and 40 ms apart; averaged, each
        // gap would be split over 2 tokens (15 and 20 ms); with the counts: 10 ms x 3, 40 ms x 1
        for (boolean intPrompt : new boolean[] {true, false}) {
            StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
            String prompt = intPrompt ? "5" : "5.0"; // a prompt count as an int and as a fraction (read as the tree read it)
            r.onEvent(textWithUsage("ab", 2, prompt), T0 + 100 * MS);
            r.onEvent(textWithUsage("cde", 5, prompt), T0 + 130 * MS);
            r.onEvent(textWithUsage("f", 6, prompt), T0 + 170 * MS);
            r.onEvent(usage(5, 6), T0 + 171 * MS);
            RequestTimeline t = timeline(r, null);
            assertEquals(6, t.outputTokens());
            LatencyHistogram itl = t.itl();
            assertEquals(5, itl.weight(), 1e-9, "one ITL per token after the first");
            assertEquals(0.0, itl.min(), "the first chunk's second token came with the first");
            assertEquals(40.0, itl.max(), 1e-9);
            assertEquals(10.0, itl.quantile(0.5), 10 * 0.003, "three tokens 10 ms apart");
            assertEquals(70.0, itl.sum(), 1e-9, "the decode time, as always");
        }
    }

    @Test
    void withoutUsageInEveryChunkTheGapsAreAveraged() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(textWithUsage("ab", 2), T0 + 100 * MS);
        r.onEvent(text("cde"), T0 + 130 * MS); // this chunk has no count of its own
        r.onEvent(textWithUsage("f", 6), T0 + 170 * MS);
        r.onEvent(usage(5, 6), T0 + 171 * MS);
        LatencyHistogram itl = timeline(r, null).itl();
        assertEquals(5, itl.weight(), 1e-9);
        assertEquals(12.0, itl.min(), 1e-9, "30 ms over 2.5 tokens: the average split");
        assertEquals(16.0, itl.max(), 1e-9);
    }

    @Test
    void cachedPromptTokensAreTakenFromTheUsageDetails() {
        StreamRecorder r = new StreamRecorder(Api.COMPLETIONS);
        r.onEvent(text("a"), T0 + 10 * MS);
        r.onEvent(text("b"), T0 + 20 * MS);
        r.onEvent("{\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":128,\"completion_tokens\":2,"
                + "\"total_tokens\":130,\"prompt_tokens_details\":{\"cached_tokens\":96}}}", T0 + 21 * MS);
        RequestTimeline t = timeline(r, null);
        assertEquals(96, t.cachedPromptTokens());
        assertEquals(128, t.promptTokens());
        assertEquals(2, t.outputTokens());

        StreamRecorder plain = new StreamRecorder(Api.COMPLETIONS);
        plain.onEvent(text("a"), T0 + 10 * MS);
        plain.onEvent("{\"choices\":[],\"usage\":{\"prompt_tokens\":128,\"completion_tokens\":1,"
                + "\"prompt_tokens_details\":null}}", T0 + 11 * MS);
        assertEquals(-1, timeline(plain, null).cachedPromptTokens(), "the server did not say");
    }

    @Test
    void abbreviateKeepsOneShortLine() {
        assertEquals("a b", StreamRecorder.abbreviate("a\nb"));
        String longText = "x".repeat(500);
        assertEquals(203, StreamRecorder.abbreviate(longText).length());
    }

    /** Weight (tokens after the first) exact, min and max exact. */
    private static void assertItl(LatencyHistogram itl, double tokens, double minMs, double maxMs) {
        assertEquals(tokens, itl.weight(), 1e-9, "one ITL observation per token after the first");
        assertEquals(minMs, itl.min(), 1e-6);
        assertEquals(maxMs, itl.max(), 1e-6);
    }
}
