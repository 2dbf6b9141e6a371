package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.Tokenizer;

/**
 * Prompts built by one trial are taken by the next from the run folder, after one check call; any
 * change of what the prompts depend on builds them afresh, and a damaged entry is said and ignored.
 * Each {@link PromptCache} below stands for one forked JVM: a new instance over the same folder.
 */
class PromptCacheTest {

    @TempDir
    Path run;

    private final ByteArrayOutputStream lines = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(lines, true, StandardCharsets.UTF_8);

    /** Words are tokens, as in {@link DatasetFileTest#WORDS}, with calls counted and a name of its own. */
    private static class CountingTokenizer implements Tokenizer {
        final String name;
        final int special;
        int calls;

        CountingTokenizer(String name, int special) {
            this.name = name;
            this.special = special;
        }

        @Override
        public int[] encode(String text) {
            calls++;
            String t = text.strip();
            return t.isEmpty() ? new int[0] : new int[t.split("\\s+").length];
        }

        @Override
        public int specialTokensAdded() {
            return special;
        }

        @Override
        public String description() {
            return name;
        }
    }

    private PromptSource.Loaded trial(CountingTokenizer tokenizer, String model, int tokens) {
        return new PromptSource("", 6, 2, tokens, "inputTokens", 2048, 7)
                .load(tokenizer, 16, PromptCache.in(run, model, log));
    }

    @Test
    void theSecondTrialTakesThePromptsWithOneCheckCall() {
        CountingTokenizer first = new CountingTokenizer("server /tokenize at http://h:1/tokenize", 1);
        PromptSource.Loaded built = trial(first, "m1", 40);
        assertTrue(first.calls > 8, "building 8 prompts takes several calls, took " + first.calls);
        assertTrue(built.tokenization().contains("8 prompts built with " + first.calls + " tokenizer calls"),
                built.tokenization());

        CountingTokenizer second = new CountingTokenizer("server /tokenize at http://h:1/tokenize", 1);
        PromptSource.Loaded cached = trial(second, "m1", 40);
        assertEquals(1, second.calls);
        assertEquals(built.measured().prompts(), cached.measured().prompts());
        assertEquals(built.warmup().prompts(), cached.warmup().prompts());
        assertEquals(40, cached.measured().tokensEach());
        assertTrue(cached.tokenization().matches(
                "exact: server /tokenize at http://h:1/tokenize; from cache \\(8 prompts, 1 check call in \\d+\\.\\d\\d s\\)"),
                cached.tokenization());
        assertEquals("", lines.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anotherLengthModelTokenizerOrSeedBuildsAfresh() {
        trial(new CountingTokenizer("tok A", 1), "m1", 40);
        for (Runnable other : List.<Runnable>of(
                () -> assertBuilt(trial(new CountingTokenizer("tok A", 1), "m1", 41)),
                () -> assertBuilt(trial(new CountingTokenizer("tok A", 1), "m2", 40)),
                () -> assertBuilt(trial(new CountingTokenizer("tok B", 1), "m1", 40)),
                () -> assertBuilt(trial(new CountingTokenizer("tok A", 0), "m1", 40)),
                () -> assertBuilt(new PromptSource("", 6, 2, 40, "inputTokens", 2048, 8)
                        .load(new CountingTokenizer("tok A", 1), 16, PromptCache.in(run, "m1", log))),
                () -> assertBuilt(new PromptSource("", 7, 2, 40, "inputTokens", 2048, 7)
                        .load(new CountingTokenizer("tok A", 1), 16, PromptCache.in(run, "m1", log))))) {
            other.run();
        }
        // the first entry is still there and still used
        CountingTokenizer again = new CountingTokenizer("tok A", 1);
        trial(again, "m1", 40);
        assertEquals(1, again.calls);
    }

    private static void assertBuilt(PromptSource.Loaded loaded) {
        assertTrue(loaded.tokenization().contains("tokenizer calls"), loaded.tokenization());
    }

    @Test
    void aDamagedEntryIsIgnoredWithALineAndWrittenAgain() throws Exception {
        PromptSource.Loaded built = trial(new CountingTokenizer("tok", 1), "m", 30);
        Path entry = onlyEntry();
        String whole = Files.readString(entry);
        Files.writeString(entry, whole.substring(0, whole.length() / 2));

        CountingTokenizer second = new CountingTokenizer("tok", 1);
        PromptSource.Loaded rebuilt = trial(second, "m", 30);
        assertTrue(second.calls > 1, "built again");
        assertEquals(built.measured().prompts(), rebuilt.measured().prompts());
        String said = lines.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("tokenpowerbench: prompt cache " + entry + " cannot be read"), said);
        assertEquals(whole, Files.readString(entry), "written whole again");

        // a prompt's text lengthened by hand (now the longest, the one checked): the key still matches, the count does not
        Files.writeString(entry, whole.replace("\"prompts\":[\"Request 0 :", "\"prompts\":[\"Request 0 : "
                + "extra ".repeat(40).strip()));
        CountingTokenizer third = new CountingTokenizer("tok", 1);
        trial(third, "m", 30);
        assertTrue(third.calls > 1, "built again after a failed check");
    }

    @Test
    void anEntryWhoseCheckFailsIsDiscarded() throws Exception {
        trial(new CountingTokenizer("tok", 1), "m", 30);
        // the same name, but now the tokenizer counts one token more in every text: the server's tokenizer changed
        CountingTokenizer changed = new CountingTokenizer("tok", 1) {
            @Override
            public int[] encode(String text) {
                return new int[super.encode(text).length + 1];
            }
        };
        PromptSource.Loaded loaded = new PromptSource("", 6, 2, 30, "inputTokens", 2048, 7)
                .load(changed, 16, PromptCache.in(run, "m", log));
        String said = lines.toString(StandardCharsets.UTF_8);
        assertTrue(said.matches("(?s)tokenpowerbench: prompt cache .*: prompt \\d+ counts \\d+ tokens with tok now,"
                + " 30 when it was cached \\(the tokenizer changed\\); building the prompts afresh\\R"), said);
        for (String p : loaded.measured().prompts()) {
            assertEquals(30, changed.promptTokens(p), p);
        }
    }

    @Test
    void offBuildsEveryTimeAndWritesNothing() throws Exception {
        assertFalse(PromptCache.enabled("off"));
        assertFalse(PromptCache.enabled(" FALSE "));
        assertTrue(PromptCache.enabled(null));
        assertTrue(PromptCache.enabled("on"));
        UserError e = assertThrows(UserError.class, () -> PromptCache.enabled("sometimes"));
        assertTrue(e.getMessage().startsWith("tpb.promptCache=sometimes is neither on nor off"), e.getMessage());
        for (int i = 0; i < 2; i++) {
            CountingTokenizer t = new CountingTokenizer("tok", 1);
            new PromptSource("", 6, 2, 30, "inputTokens", 2048, 7).load(t, 16, PromptCache.off());
            assertTrue(t.calls > 1);
        }
        assertFalse(Files.exists(run.resolve(PromptCache.FOLDER)));
    }

    private Path onlyEntry() throws Exception {
        try (Stream<Path> s = Files.list(run.resolve(PromptCache.FOLDER))) {
            List<Path> files = s.toList();
            assertEquals(1, files.size(), files.toString());
            assertTrue(files.get(0).getFileName().toString().matches("[0-9a-f]{16}\\.json"), files.toString());
            return files.get(0);
        }
    }
}
