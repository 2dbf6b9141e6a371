package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkJsonTest {

    private static ChunkJson.Chunk completions(String json) {
        return read(Api.COMPLETIONS, true, json);
    }

    private static ChunkJson.Chunk chat(String json) {
        return read(Api.CHAT, true, json);
    }

    private static ChunkJson.Chunk read(Api api, boolean keepText, String json) {
        byte[] bytes = ("  " + json + "  ").getBytes(StandardCharsets.UTF_8);
        // the chunk lies inside a larger array, as it does in the SSE parser's buffer
        return new ChunkJson(api, keepText).read(bytes, 2, bytes.length - 4, null);
    }

    @Test
    void aCompletionsChunkGivesItsTextAndNoCounts() {
        ChunkJson.Chunk c = completions("{\"id\":\"x\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,"
                + "\"text\":\" Hello\",\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}");
        assertFalse(c.failed());
        assertTrue(c.hasAnswer());
        assertEquals(" Hello", c.answer());
        assertFalse(c.hasReasoning());
        assertEquals(ChunkJson.ABSENT, c.promptTokens());
        assertEquals(ChunkJson.ABSENT, c.completionTokens());
        assertEquals(ChunkJson.ABSENT, c.cachedPromptTokens());
    }

    @Test
    void escapesAndUnicodeAreDecoded() {
        ChunkJson.Chunk c = completions("{\"choices\":[{\"text\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\ud83d\\ude00 日本\"}]}");
        assertEquals("a\"b\\c/d\n\té\ud83d\ude00 日本", c.answer());
    }

    @Test
    void withoutKeptTextOnlyThePresenceOfTextIsRead() {
        ChunkJson.Chunk c = read(Api.CHAT, false, "{\"choices\":[{\"delta\":{\"content\":\"x\",\"reasoning\":\"r\"}}]}");
        assertTrue(c.hasAnswer());
        assertTrue(c.hasReasoning());
        assertNull(c.answer());
        assertNull(c.reasoning());
    }

    @Test
    void emptyOrNullTextIsNoToken() {
        assertFalse(completions("{\"choices\":[{\"text\":\"\"}]}").hasAnswer());
        assertFalse(completions("{\"choices\":[{\"text\":null}]}").hasAnswer());
        assertFalse(chat("{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}").hasAnswer());
        assertFalse(completions("{\"choices\":[]}").hasAnswer());
    }

    @Test
    void eachRouteReadsOnlyItsOwnTextField() {
        String both = "{\"choices\":[{\"text\":\"t\",\"delta\":{\"content\":\"d\"}}]}";
        assertEquals("t", completions(both).answer());
        assertEquals("d", chat(both).answer());
    }

    @Test
    void chatReasoningContentComesBeforeReasoningEvenWhenEmpty() {
        ChunkJson.Chunk both = chat("{\"choices\":[{\"delta\":{\"reasoning\":\"r\",\"reasoning_content\":\"rc\"}}]}");
        assertEquals("rc", both.reasoning());
        ChunkJson.Chunk nullRc = chat("{\"choices\":[{\"delta\":{\"reasoning_content\":null,\"reasoning\":\"r\"}}]}");
        assertEquals("r", nullRc.reasoning());
        // an empty reasoning_content is there, so reasoning is not looked at (as the tree model decided)
        ChunkJson.Chunk emptyRc = chat("{\"choices\":[{\"delta\":{\"reasoning_content\":\"\",\"reasoning\":\"r\"}}]}");
        assertFalse(emptyRc.hasReasoning());
    }

    @Test
    void aChatDeltaEvenNullComesBeforeTheMessage() {
        assertEquals("m", chat("{\"choices\":[{\"message\":{\"content\":\"m\"}}]}").answer());
        assertEquals("d", chat("{\"choices\":[{\"message\":{\"content\":\"m\"},\"delta\":{\"content\":\"d\"}}]}").answer());
        assertFalse(chat("{\"choices\":[{\"message\":{\"content\":\"m\"},\"delta\":null}]}").hasAnswer());
    }

    @Test
    void onlyTheFirstChoiceIsRead() {
        ChunkJson.Chunk c = completions("{\"choices\":[{\"index\":0,\"text\":\"a\"},{\"index\":1,\"text\":\"b\"}]}");
        assertEquals("a", c.answer());
        assertFalse(completions("{\"choices\":[7,{\"text\":\"b\"}]}").hasAnswer());
    }

    @Test
    void nestedUnknownMembersAreSkippedNotRead() {
        ChunkJson.Chunk c = completions("{\"meta\":{\"choices\":[{\"text\":\"no\"}],\"usage\":{\"prompt_tokens\":99},"
                + "\"deep\":[[[{\"error\":\"no\"}]],{\"a\":[1,2.5e3,-0.1,true,false,null,\"s\\\"}\"]}]},"
                + "\"choices\":[{\"logprobs\":{\"content\":[{\"token\":\"x\",\"top\":[{\"text\":\"no\"}]}]},\"text\":\"yes\"}],"
                + "\"usage\":{\"extra\":{\"prompt_tokens\":98},\"prompt_tokens\":5}}");
        assertFalse(c.failed(), c::error);
        assertEquals("yes", c.answer());
        assertEquals(5, c.promptTokens());
    }

    @Test
    void reasoningTokensAndSpeculativeCountsAreRead() {
        ChunkJson.Chunk c = chat("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":40,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":31,\"accepted_prediction_tokens\":0}},"
                + "\"timings\":{\"prompt_n\":12,\"predicted_n\":40,\"draft_n\":24,\"draft_n_accepted\":17}}");
        assertEquals(31, c.reasoningTokens());
        assertEquals(24, c.draftTokens());
        assertEquals(17, c.acceptedDraftTokens());
        assertEquals(40, c.completionTokens());
        // llama-server without a draft model: timings without draft_n; a count that is not an integer is not one
        ChunkJson.Chunk plain = chat("{\"choices\":[],\"usage\":{\"completion_tokens\":3,"
                + "\"completion_tokens_details\":{\"reasoning_tokens\":\"2\"}},\"timings\":{\"predicted_n\":3}}");
        assertEquals(ChunkJson.ABSENT, plain.reasoningTokens());
        assertEquals(ChunkJson.ABSENT, plain.draftTokens());
        assertEquals(ChunkJson.ABSENT, plain.acceptedDraftTokens());
        // the same names anywhere else mean nothing
        ChunkJson.Chunk elsewhere = chat("{\"choices\":[{\"delta\":{\"content\":\"x\"}}],"
                + "\"reasoning_tokens\":5,\"usage\":{\"reasoning_tokens\":6,\"draft_n\":7}}");
        assertEquals(ChunkJson.ABSENT, elsewhere.reasoningTokens());
        assertEquals(ChunkJson.ABSENT, elsewhere.draftTokens());
    }

    @Test
    void usageCountsAndCachedPromptTokensAreRead() {
        ChunkJson.Chunk c = completions("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":256,"
                + "\"total_tokens\":268,\"prompt_tokens_details\":{\"cached_tokens\":8}}}");
        assertEquals(12, c.promptTokens());
        assertEquals(256, c.completionTokens());
        assertEquals(8, c.cachedPromptTokens());
        ChunkJson.Chunk nulls = completions("{\"usage\":{\"prompt_tokens\":null,\"completion_tokens\":3,"
                + "\"prompt_tokens_details\":null}}");
        assertEquals(ChunkJson.ABSENT, nulls.promptTokens());
        assertEquals(3, nulls.completionTokens());
        assertEquals(ChunkJson.ABSENT, nulls.cachedPromptTokens());
    }

    @Test
    void countsAreLongsAndNeverWrap() {
        // 5e9 once became 705,032,704 (an int's low 32 bits): a count is read whole, for the recorder to judge
        ChunkJson.Chunk c = completions("{\"usage\":{\"prompt_tokens\":3000000000,\"completion_tokens\":5000000000}}");
        assertEquals(3_000_000_000L, c.promptTokens());
        assertEquals(5_000_000_000L, c.completionTokens());
        assertEquals(Long.MAX_VALUE, completions("{\"usage\":{\"completion_tokens\":123456789012345678901234567890}}")
                .completionTokens(), "beyond a long: the largest, which no check believes");
        assertEquals(-1, completions("{\"usage\":{\"completion_tokens\":-123456789012345678901234567890}}")
                .completionTokens(), "beyond a long and negative: negative");
        assertEquals(-1, completions("{\"usage\":{\"completion_tokens\":-9223372036854775808}}").completionTokens(),
                "the smallest long is a negative count, not the absent marker");
        assertEquals(-2147483648L, completions("{\"usage\":{\"completion_tokens\":-2147483648}}").completionTokens());
        assertEquals(3_000_000_000L, completions("{\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":3000000000}}}")
                .cachedPromptTokens());
    }

    @Test
    void countsOfOtherTypesReadAsTheTreeModelReadsThem() {
        // a fraction is truncated, a numeric string is parsed: Jackson's asLong()
        ChunkJson.Chunk c = completions("{\"usage\":{\"prompt_tokens\":\"17\",\"completion_tokens\":2.7}}");
        assertEquals(17, c.promptTokens());
        assertEquals(2, c.completionTokens());
        // cached tokens only as an integer
        assertEquals(ChunkJson.ABSENT, completions("{\"usage\":{\"prompt_tokens_details\":{\"cached_tokens\":\"4\"}}}")
                .cachedPromptTokens());
    }

    @Test
    void aFailureQuotesServerTextWithoutTheKey() {
        String key = "sk-live-0123456789abcdef";
        byte[] json = ("{\"error\":{\"message\":\"" + "x".repeat(175) + " bad header: Bearer " + key + "\"}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ChunkJson.Chunk c = new ChunkJson(Api.COMPLETIONS, false, new Redaction(key)).read(json, 0, json.length, null);
        assertEquals("server-error", c.errorClass());
        assertFalse(c.error().contains(key.substring(0, 4)), "not even the key's start, where the quote is cut: " + c.error());
        byte[] malformed = ("{\"a\": \"" + key + "\" oops").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ChunkJson.Chunk m = new ChunkJson(Api.COMPLETIONS, false, new Redaction(key)).read(malformed, 0, malformed.length, null);
        assertEquals("malformed-event", m.errorClass());
        assertFalse(m.error().contains(key), m.error());
        assertTrue(m.error().contains(Redaction.MARK), m.error());
    }

    @Test
    void textOfAnotherTypeIsItsTreeText() {
        assertEquals("12", completions("{\"choices\":[{\"text\":12}]}").answer());
        assertEquals("true", completions("{\"choices\":[{\"text\":true}]}").answer());
        assertFalse(completions("{\"choices\":[{\"text\":{\"a\":1}}]}").hasAnswer());
    }

    @Test
    void theLastOfDuplicateMembersWins() {
        ChunkJson.Chunk c = chat("{\"usage\":{\"prompt_tokens\":1},\"usage\":{\"completion_tokens\":9},"
                + "\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"choices\":[{\"delta\":{\"content\":\"b\",\"content\":\"c\"}}]}");
        assertEquals(ChunkJson.ABSENT, c.promptTokens(), "the second usage replaced the first whole");
        assertEquals(9, c.completionTokens());
        assertEquals("c", c.answer());
        assertFalse(completions("{\"error\":\"x\",\"error\":null,\"choices\":[{\"text\":\"a\"}]}").failed());
    }

    @Test
    void errorsMidStreamNameTheServersMessage() {
        ChunkJson.Chunk object = chat("{\"choices\":[{\"delta\":{\"content\":\"a\"}}],"
                + "\"error\":{\"message\":\"CUDA out of memory\",\"code\":500}}");
        assertEquals("server-error", object.errorClass());
        assertEquals("server reported an error mid-stream: CUDA out of memory", object.error());
        assertFalse(object.hasAnswer(), "a failed chunk carries no token");
        assertEquals("server reported an error mid-stream: overloaded", completions("{\"error\":\"overloaded\"}").error());
        assertEquals("server reported an error mid-stream: {\"code\":500}", completions("{\"error\":{\"code\":500}}").error());
        assertFalse(completions("{\"error\":null}").failed());
    }

    @Test
    void malformedJsonIsAMalformedEventThatQuotesIt() {
        ChunkJson.Chunk truncated = completions("{\"choices\":[{\"text\":\"b\"");
        assertEquals("malformed-event", truncated.errorClass());
        assertEquals("malformed JSON in a stream event: {\"choices\":[{\"text\":\"b\"", truncated.error());
        assertEquals("malformed-event", completions("{\"error\":\"x\",}").errorClass(), "a syntax error wins over an error");
        assertEquals("malformed-event", completions("{\"choices\":[{\"text\":\"\\q\"}]}").errorClass());
        assertEquals("malformed-event", completions("{\"x\":\"\\q\"}").errorClass(), "a skipped member is checked too");
        assertEquals("malformed-event", completions("{\"x\":01}").errorClass());
        assertEquals("malformed-event", completions("").errorClass());
    }

    @Test
    void aValueThatIsNotAnObjectIsAMalformedEvent() {
        assertEquals("a stream event is not a JSON object: [1,2]", completions("[1,2]").error());
        assertEquals("a stream event is not a JSON object: \"text\"", completions("\"text\"").error());
        assertTrue(completions("[1,2").error().startsWith("malformed JSON"), "a broken array is malformed, not a non-object");
    }

    @Test
    void contentAfterTheObjectIsNotRead() {
        ChunkJson.Chunk c = completions("{\"choices\":[{\"text\":\"a\"}]} {\"choices\": oops");
        assertFalse(c.failed());
        assertEquals("a", c.answer());
    }

    @Test
    void bytesThatAreNotUtf8ReadAsReplacementCharacters() {
        byte[] json = "{\"choices\":[{\"text\":\"a?b\"}]}".getBytes(StandardCharsets.US_ASCII);
        json[json.length - 6] = (byte) 0xC3; // a lead byte followed by no continuation byte
        ChunkJson.Chunk c = new ChunkJson(Api.COMPLETIONS, true).read(json, 0, json.length, null);
        assertFalse(c.failed(), c::error);
        assertEquals("a\uFFFDb", c.answer());
    }

    @Test
    void oneReaderReadsChunkAfterChunkWithoutCarryingValuesOver() {
        ChunkJson reader = new ChunkJson(Api.CHAT, true);
        byte[] first = "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"prompt_tokens\":3}}".getBytes(StandardCharsets.UTF_8);
        byte[] second = "{\"choices\":[{\"message\":{\"reasoning\":\"r\"}}]}".getBytes(StandardCharsets.UTF_8);
        reader.read(first, 0, first.length, null);
        ChunkJson.Chunk c = reader.read(second, 0, second.length, null);
        assertFalse(c.hasAnswer());
        assertEquals("r", c.reasoning());
        assertEquals(ChunkJson.ABSENT, c.promptTokens());
    }

    // one parser reads a stream's chunks in sequence: whatever a chunk was, the next reads as if alone

    private static final String GOOD = "{\"choices\":[{\"text\":\"next\"}],\"usage\":{\"completion_tokens\":7}}";

    /** Reads {@code first} then {@link #GOOD} through one reader, each inside a larger array. */
    private static ChunkJson.Chunk afterChunk(String first) {
        ChunkJson reader = new ChunkJson(Api.COMPLETIONS, true);
        byte[] a = ("x" + first + "y").getBytes(StandardCharsets.UTF_8);
        reader.read(a, 1, a.length - 2, null);
        byte[] b = ("{}" + GOOD).getBytes(StandardCharsets.UTF_8);
        return reader.read(b, 2, b.length - 2, null);
    }

    private static void assertGood(ChunkJson.Chunk c, String after) {
        assertFalse(c.failed(), () -> "after " + after + ": " + c.error());
        assertEquals("next", c.answer(), "after " + after);
        assertEquals(7, c.completionTokens(), "after " + after);
    }

    @Test
    void theChunkAfterAnyChunkReadsAsIfAlone() {
        for (String first : new String[] {
                "{\"choices\":[{\"text\":\"a\"}]}",
                "{\"choices\":[{\"text\":\"a\"}]} {\"choices\":[{\"text\":\"trailing\"}]}", // content after the object
                "{\"choices\":[{\"text\":\"a\"}]} {\"choices\": oops",
                "{\"choices\":[{\"text\":\"a\"}]}   ",
                "{\"choices\":[{\"text\":\"b\"", // truncated: the parser met the end inside the object
                "{\"x\":01}",
                "[1,2]",
                "\"text\"",
                "123",
                "",
                "{\"error\":\"overloaded\"}",
                "{\"usage\":{\"prompt_tokens\":9999999999}}", // read as a tree
                "{\"choices\":[{\"text\":true}]}"}) {
            assertGood(afterChunk(first), first);
        }
    }

    @Test
    void theChunkAfterBytesThatAreNotUtf8ReadsAsIfAlone() {
        ChunkJson reader = new ChunkJson(Api.COMPLETIONS, true);
        byte[] json = "{\"choices\":[{\"text\":\"a?b\"}]}".getBytes(StandardCharsets.US_ASCII);
        json[json.length - 6] = (byte) 0xC3;
        assertEquals("a\uFFFDb", reader.read(json, 0, json.length, null).answer());
        byte[] good = GOOD.getBytes(StandardCharsets.UTF_8);
        assertGood(reader.read(good, 0, good.length, null), "bytes that are not UTF-8");
    }

    @Test
    void aChunkLongerThanTheParsersBufferIsReadWholeAndTheNextAfterIt() {
        String longText = "\u00e9".repeat(30_000); // 60,000 bytes of UTF-8, far beyond one buffer of the parser
        String first = "{\"choices\":[{\"text\":\"" + longText + "\"}]} {\"choices\":[{\"text\":\"trailing\"}]}";
        ChunkJson reader = new ChunkJson(Api.COMPLETIONS, true);
        byte[] a = first.getBytes(StandardCharsets.UTF_8);
        assertEquals(longText, reader.read(a, 0, a.length, null).answer());
        byte[] b = GOOD.getBytes(StandardCharsets.UTF_8);
        assertGood(reader.read(b, 0, b.length, null), "a long chunk");
    }

    @Test
    void aReleasedReaderReadsOnWithANewParser() {
        ChunkJson reader = new ChunkJson(Api.COMPLETIONS, true);
        byte[] b = GOOD.getBytes(StandardCharsets.UTF_8);
        reader.read(b, 0, b.length, null);
        reader.release();
        reader.release();
        assertGood(reader.read(b, 0, b.length, null), "release");
    }

    @Test
    void aReaderWithoutTextTellsAnswerAndReasoningApartAndKeepsCounts() {
        String[] deltas = {"{}", "{\"content\":\"a\"}", "{\"reasoning\":\"r\"}", "{\"content\":\"a\",\"reasoning\":\"r\"}"};
        for (int k = 0; k < deltas.length; k++) {
            ChunkJson.Chunk c = read(Api.CHAT, false, "{\"choices\":[{\"delta\":" + deltas[k] + "}]}");
            assertEquals((k & 1) != 0, c.hasAnswer(), deltas[k]);
            assertEquals((k & 2) != 0, c.hasReasoning(), deltas[k]);
            assertEquals(ChunkJson.ABSENT, c.completionTokens(), deltas[k]);
        }
        ChunkJson.Chunk counted = read(Api.CHAT, false,
                "{\"choices\":[{\"delta\":{\"content\":\"a\"}}],\"usage\":{\"completion_tokens\":4}}");
        assertTrue(counted.hasAnswer());
        assertEquals(4, counted.completionTokens());
    }
}
