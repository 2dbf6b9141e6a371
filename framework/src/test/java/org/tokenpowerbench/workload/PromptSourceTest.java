package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;

class PromptSourceTest {

    @TempDir
    Path dir;

    @Test
    void syntheticPromptsOfTheContextLengthAndDistinctWarmups() {
        PromptSource source = new PromptSource("", 4, 2, 12, "contextLength", 2048, 5);
        assertEquals(12 + 16 + 8, source.contextPerSlot(16));
        PromptSource.Loaded loaded = source.load(DatasetFileTest.WORDS, 16);
        assertEquals(4, loaded.measured().size());
        assertEquals(2, loaded.warmup().size());
        for (String p : loaded.measured().prompts()) {
            assertEquals(12, DatasetFileTest.WORDS.promptTokens(p), p);
            assertTrue(!loaded.warmup().prompts().contains(p), "warm-up prompts differ from measured ones");
        }
        assertTrue(loaded.tokenization().matches("exact: test word tokenizer; 6 prompts built with \\d+ tokenizer calls in \\d+\\.\\d\\d s"),
                loaded.tokenization());
        // the measured prompts do not depend on how many warm-up prompts there are
        assertEquals(loaded.measured().prompts(),
                new PromptSource("", 4, 0, 12, "contextLength", 2048, 5).load(DatasetFileTest.WORDS, 16).measured().prompts());
    }

    @Test
    void lengthErrorsNameTheParameterThatSetIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PromptSource("", 2, 0, 1, "contextLength", 2048, 5).load(DatasetFileTest.WORDS, 4));
        assertTrue(e.getMessage().startsWith("contextLength=1 leaves no room for text"), e.getMessage());
        assertTrue(e.getMessage().contains("use contextLength >= 2"), e.getMessage());
    }

    @Test
    void lengthsBeyondOneSequenceAreOneLineNotANegativeContext() {
        // 2147483647 + 2 + 8 wrapped round to -2147483639, which the engine request refused in words about slots
        PromptSource source = new PromptSource("", 1, 0, Integer.MAX_VALUE, "inputTokens", 2048, 5);
        UserError e = assertThrows(UserError.class, () -> source.contextPerSlot(2));
        assertEquals("inputTokens=2147483647 with outputTokens=2 asks for sequences of up to 2147483649 tokens, which"
                + " is more than one sequence can hold (2147483639 tokens): give shorter lengths", e.getMessage());
        LengthDistribution wide = LengthDistribution.parse("outputLengths", "normal:0.5:1:2147483647");
        UserError drawn = assertThrows(UserError.class,
                () -> new PromptSource("", 1, 0, 16, "contextLength", 2048, 5, LengthDistribution.FIXED, wide)
                        .contextPerSlot(64));
        assertTrue(drawn.getMessage().startsWith("contextLength=16 with outputTokens=64 asks for sequences of up to "
                + "2147483663 tokens"), drawn.getMessage());
        assertEquals(2147483639, new PromptSource("", 1, 0, 2147483631, "inputTokens", 2048, 5).contextPerSlot(0));
    }

    @Test
    void datasetSizesTheContextByMaxTokens() throws Exception {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "{\"prompt\": \"a b c\", \"output_tokens\": 2}\n{\"prompt\": \"d e\"}\n");
        PromptSource source = new PromptSource(file.toString(), 1, 1, 0, "inputTokens", 300, 1);
        assertEquals(308, source.contextPerSlot(64));
        PromptSource.Loaded loaded = source.load(DatasetFileTest.WORDS, 7);
        assertEquals(1, loaded.measured().size());
        assertEquals(1, loaded.warmup().size());
        assertTrue(loaded.tokenization().startsWith("dataset " + file + " (jsonl): 2 prompts sampled"),
                loaded.tokenization());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PromptSource(file.toString(), 1, 0, 0, "inputTokens", 1, 1));
        assertTrue(e.getMessage().contains("@Dataset(maxTokens = 1)"), e.getMessage());
    }

    @Test
    void drawnLengthsAreEachExactAndSizeTheContext() {
        LengthDistribution in = LengthDistribution.parse("inputLengths", "uniform:0.5");
        LengthDistribution out = LengthDistribution.parse("outputLengths", "normal:0.5:2:30");
        PromptSource source = new PromptSource("", 40, 0, 20, "inputTokens", 2048, 9, in, out);
        assertEquals(30 + 30 + 8, source.contextPerSlot(16), "the longest prompt plus the longest output");
        PromptSource.Loaded loaded = source.load(DatasetFileTest.WORDS, 16);
        PromptSet set = loaded.measured();
        int[] drawn = in.draw(20, 40, 9 ^ 0x1A2B3C4D5E6F7788L);
        java.util.Set<Integer> inputs = new java.util.HashSet<>();
        java.util.Set<Integer> outputs = new java.util.HashSet<>();
        for (int i = 0; i < set.size(); i++) {
            int tokens = DatasetFileTest.WORDS.promptTokens(set.get(i));
            assertEquals(drawn[i], tokens, "prompt " + i + " is exactly its drawn length");
            assertTrue(tokens >= 10 && tokens <= 30, "within uniform:0.5 of 20: " + tokens);
            int o = set.outputTokens(i, 16);
            assertTrue(o >= 2 && o <= 30, "within the output bounds: " + o);
            inputs.add(tokens);
            outputs.add(o);
        }
        assertTrue(inputs.size() > 5 && outputs.size() > 5, "lengths really vary: " + inputs + " " + outputs);
        assertEquals(-1, set.tokensEach(), "no common length");
        assertTrue(loaded.tokenization().contains("prompt lengths uniform:0.5 around 20"), loaded.tokenization());
        assertTrue(loaded.tokenization().contains("output lengths normal:0.5:2:30 around 16"), loaded.tokenization());
        // the same seed gives the same set
        assertEquals(set.prompts(), new PromptSource("", 40, 0, 20, "inputTokens", 2048, 9, in, out)
                .load(DatasetFileTest.WORDS, 16).measured().prompts());
    }

    @Test
    void fixedLengthsKeepTheSetItAlwaysWas() {
        PromptSet before = new PromptSource("", 4, 0, 12, "inputTokens", 2048, 5).load(DatasetFileTest.WORDS, 8).measured();
        PromptSet fixed = new PromptSource("", 4, 0, 12, "inputTokens", 2048, 5, LengthDistribution.FIXED,
                LengthDistribution.FIXED).load(DatasetFileTest.WORDS, 8).measured();
        assertEquals(before, fixed);
        assertEquals(12, fixed.tokensEach());
        assertTrue(fixed.outputTokens().isEmpty(), "every prompt takes the wave's output length");
    }

    @Test
    void aDrawnLengthTooShortNamesTheDistribution() {
        PromptSource source = new PromptSource("", 50, 0, 3, "inputTokens", 2048, 1,
                LengthDistribution.parse("inputLengths", "uniform:0.9"), LengthDistribution.FIXED);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source.load(DatasetFileTest.WORDS, 4));
        assertTrue(e.getMessage().startsWith("inputTokens (drawn from inputLengths=uniform:0.9)=1 leaves no room"),
                e.getMessage());
    }

    @Test
    void lengthDistributionsDoNotApplyToADataset() throws Exception {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, "{\"prompt\": \"a b c\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PromptSource(
                file.toString(), 1, 0, 0, "inputTokens", 300, 1, LengthDistribution.FIXED,
                LengthDistribution.parse("outputLengths", "uniform:0.5")));
        assertTrue(e.getMessage().contains("do not apply to a dataset"), e.getMessage());
    }

    @Test
    void promptsThatCannotFitTheForksHeapAreOneLineNamingThemBeforeAnyIsBuilt() {
        // -p prompts=2000000000 used to end the trial in an OutOfMemoryError from the length draw
        UserError e = assertThrows(UserError.class,
                () -> new PromptSource("", 2_000_000_000, 0, 128, "inputTokens", 2048, 5).fitsTheHeap(8L << 30));
        assertEquals("prompts=2000000000 would need at least 327.8 GiB of the fork's heap for the prompts alone"
                + " (176 bytes or more each), more than its 8.0 GiB: lower prompts, or give the fork more heap"
                + " (-jvmArgsAppend -Xmx...)", e.getMessage());
        // measured and warm-up together past an int: no wrap round to a negative count
        UserError both = assertThrows(UserError.class,
                () -> new PromptSource("", Integer.MAX_VALUE, 10, 1, "inputTokens", 2048, 5).fitsTheHeap(Long.MAX_VALUE));
        assertTrue(both.getMessage().startsWith("prompts=2147483647 and warmupRequests=10 would need"), both.getMessage());
        assertEquals(1_000_010, new PromptSource("", 1_000_000, 10, 512, "inputTokens", 2048, 5).fitsTheHeap(8L << 30),
                "a million prompts of 512 tokens (about 0.5 GiB at least) fit 8 GiB");
    }
}
