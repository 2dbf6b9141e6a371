package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.client.Tokenizer;

class PromptSetTest {

    /**
     * A deterministic stand-in for a model tokenizer: whitespace-separated words, where a word longer
     * than five characters counts two tokens; the server adds {@code special} tokens.
     */
    static final class WordTokenizer implements Tokenizer {
        private final int special;

        WordTokenizer(int special) {
            this.special = special;
        }

        @Override
        public int[] encode(String text) {
            int n = 0;
            for (String w : text.trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    n += w.length() > 5 ? 2 : 1;
                }
            }
            return new int[n];
        }

        @Override
        public int specialTokensAdded() {
            return special;
        }

        @Override
        public String description() {
            return "test words";
        }
    }

    /** Every word of more than three characters is three tokens: odd lengths need the short words. */
    static final class CoarseTokenizer implements Tokenizer {
        @Override
        public int[] encode(String text) {
            int n = 0;
            for (String w : text.trim().split("\\s+")) {
                if (!w.isEmpty()) {
                    n += w.length() > 3 ? 3 : 1;
                }
            }
            return new int[n];
        }

        @Override
        public int specialTokensAdded() {
            return 1;
        }

        @Override
        public String description() {
            return "coarse";
        }
    }

    private static void assertExact(Tokenizer tok, PromptSet set, int count, int tokens) {
        assertEquals(count, set.size());
        assertEquals(tokens, set.tokensEach());
        for (int i = 0; i < set.size(); i++) {
            assertEquals(tokens, tok.promptTokens(set.get(i)), "prompt " + i + " for N=" + tokens + ": " + set.get(i));
        }
        assertEquals(count, new HashSet<>(set.prompts()).size(), "prompts must be distinct for N=" + tokens);
    }

    @Test
    void everyPromptHasExactlyTheRequestedTokens() {
        WordTokenizer tok = new WordTokenizer(1);
        for (int n = 2; n <= 300; n++) {
            PromptSet set = PromptSet.synthetic(tok, 5, n, 42L + n);
            assertExact(tok, set, 5, n);
        }
        assertEquals("test words", PromptSet.synthetic(tok, 1, 10, 1).tokenizedBy());
    }

    @Test
    void targetsShorterThanTheUsualPrefixStayDistinct() {
        // "Request 0 :" is 5 tokens here; shortening it to reach 3 must not drop the index
        // (every prompt would then be "Request" and a prefix cache would serve all but the first).
        WordTokenizer tok = new WordTokenizer(1);
        for (int n = 2; n <= 5; n++) {
            assertExact(tok, PromptSet.synthetic(tok, 12, n, 1), 12, n);
        }
    }

    /**
     * Each tokenizer call is a /tokenize request against a remote server: one word per call cost
     * about one request per token (some 500 for a 512-token prompt). Batched filling needs a handful.
     */
    @Test
    void aLongPromptTakesAHandfulOfTokenizerCallsNotOnePerToken() {
        int[] calls = new int[1];
        Tokenizer inner = new WordTokenizer(1);
        Tokenizer counting = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                calls[0]++;
                return inner.encode(text);
            }

            @Override
            public int specialTokensAdded() {
                return 1;
            }

            @Override
            public String description() {
                return "counting";
            }
        };
        PromptSet set = PromptSet.synthetic(counting, 16, 512, 7L);
        assertExact(inner, set, 16, 512);
        double perPrompt = calls[0] / 16.0;
        assertTrue(perPrompt <= 16, perPrompt + " tokenizer calls per 512-token prompt");
    }

    @Test
    void largePrompts() {
        WordTokenizer tok = new WordTokenizer(1);
        for (int n : new int[] {511, 1024, 2047}) {
            assertExact(tok, PromptSet.synthetic(tok, 3, n, 7), 3, n);
        }
    }

    @Test
    void oddLengthsReachableOnlyBySingleTokenWords() {
        CoarseTokenizer tok = new CoarseTokenizer();
        for (int n = 3; n <= 200; n++) {
            assertExact(tok, PromptSet.synthetic(tok, 4, n, 99), 4, n);
        }
    }

    @Test
    void noSpecialTokens() {
        WordTokenizer tok = new WordTokenizer(0);
        for (int n = 1; n <= 60; n++) {
            assertExact(tok, PromptSet.synthetic(tok, 3, n, 5), 3, n);
        }
    }

    @Test
    void manyDistinctPrompts() {
        WordTokenizer tok = new WordTokenizer(1);
        PromptSet set = PromptSet.synthetic(tok, 200, 64, 3);
        assertExact(tok, set, 200, 64);
    }

    @Test
    void promptsAreNotOnlyThePrefix() {
        WordTokenizer tok = new WordTokenizer(1);
        PromptSet set = PromptSet.synthetic(tok, 2, 100, 11);
        assertTrue(set.get(0).split(" ").length > 40, set.get(0));
    }

    @Test
    void sameSeedSamePromptsOtherSeedOtherPrompts() {
        WordTokenizer tok = new WordTokenizer(1);
        PromptSet a = PromptSet.synthetic(tok, 10, 128, 1234);
        PromptSet b = PromptSet.synthetic(tok, 10, 128, 1234);
        PromptSet c = PromptSet.synthetic(tok, 10, 128, 4321);
        assertEquals(a.prompts(), b.prompts());
        assertEquals(a, b);
        assertNotEquals(a.prompts(), c.prompts());
    }

    @Test
    void tooFewTokensForSpecialTokensIsRejected() {
        WordTokenizer tok = new WordTokenizer(1);
        for (int n : new int[] {-3, 0, 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> PromptSet.synthetic(tok, 3, n, 1));
            assertTrue(e.getMessage().contains("inputTokens=" + n), e.getMessage());
            assertTrue(e.getMessage().contains("special"), e.getMessage());
            assertTrue(e.getMessage().contains(">= 2"), e.getMessage());
        }
        WordTokenizer two = new WordTokenizer(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptSet.synthetic(two, 1, 2, 1));
        assertTrue(e.getMessage().contains("2 special token"), e.getMessage());
        assertTrue(e.getMessage().contains(">= 3"), e.getMessage());
    }

    @Test
    void targetBelowTheShortestDistinctPromptIsRejectedNotDuplicated() {
        // Every word is 4 tokens: even the bare index "0" is 4 + 1 tokens, so 3 cannot be reached
        // without dropping what makes the prompts differ.
        Tokenizer fat = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return new int[4 * text.trim().split("\\s+").length];
            }

            @Override
            public int specialTokensAdded() {
                return 1;
            }

            @Override
            public String description() {
                return "fat";
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptSet.synthetic(fat, 3, 3, 1));
        assertTrue(e.getMessage().contains("fat"), e.getMessage());
        assertTrue(e.getMessage().contains(">= 5"), e.getMessage());
    }

    @Test
    void unreachableLengthIsRejectedWithTheTokenizerName() {
        // Every word is 2 tokens and the server adds 1: only odd lengths exist.
        Tokenizer pairs = new Tokenizer() {
            @Override
            public int[] encode(String text) {
                return new int[2 * text.trim().split("\\s+").length];
            }

            @Override
            public int specialTokensAdded() {
                return 1;
            }

            @Override
            public String description() {
                return "pairs";
            }
        };
        assertExact(pairs, PromptSet.synthetic(pairs, 2, 9, 1), 2, 9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptSet.synthetic(pairs, 2, 10, 1));
        assertTrue(e.getMessage().contains("exactly 10 tokens"), e.getMessage());
        assertTrue(e.getMessage().contains("pairs"), e.getMessage());
    }

    @Test
    void countMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> PromptSet.synthetic(new WordTokenizer(1), 0, 10, 1));
    }

    @Test
    void promptListIsImmutable() {
        PromptSet set = PromptSet.synthetic(new WordTokenizer(1), 2, 10, 1);
        assertThrows(UnsupportedOperationException.class, () -> set.prompts().add("x"));
    }

    @Test
    void uncontrolledPromptsHaveTheWordCountAndNoTokenCount() {
        PromptSet set = PromptSet.uncontrolled(4, 12, 9);
        assertEquals(4, set.size());
        assertEquals(-1, set.tokensEach());
        assertEquals(4, new HashSet<>(set.prompts()).size());
        for (String p : set.prompts()) {
            assertEquals(2 + 12, p.split(" ").length, p);
        }
        assertEquals(List.copyOf(set.prompts()), PromptSet.uncontrolled(4, 12, 9).prompts());
    }
}
