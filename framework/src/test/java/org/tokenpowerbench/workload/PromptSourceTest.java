package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals("exact: test word tokenizer", loaded.tokenization());
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
}
