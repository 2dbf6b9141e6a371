package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.client.Tokenizer;
import org.tokenpowerbench.engine.gguf.GgufFile;
import org.tokenpowerbench.engine.gguf.GgufReader;
import org.tokenpowerbench.engine.gguf.LlamaTokenizerJson;

/**
 * A tokenizer.json written by our own code from a GGUF vocabulary, run by the Hugging Face
 * tokenizers library through DJL, against llama.cpp's own tokenizer of the same GGUF (the
 * embedded engine's {@code /tokenize}): the same token ids, text by text.
 */
class HuggingFaceTokenizerFileTest {

    /** Written by hand: ASCII, whitespace runs, digits, code, and many scripts and emoji. */
    static final List<String> TEXTS = List.of(
            "Hello world",
            "The quick brown fox jumps over the lazy dog.",
            " leading space",
            "trailing space ",
            "two  spaces   three    four",
            "line one\nline two\n\nline four",
            "tab\tseparated\tvalues",
            "Numbers: 0 1 12 123 1234 3.14159 -42 1e10 2026-11-27",
            "Punctuation!? (brackets) [square] {curly} <angle> \"quoted\" 'single' a/b\\c #hash @at $5 %",
            "def energy(joules, tokens):\n    return joules / max(tokens, 1)  # J/token",
            "Café, naïve, façade, résumé, jalapeño, Ångström, Øresund, Straße",
            "Größenordnung der Energie pro Token: überraschend klein.",
            "Ceci n'est pas une pipe — c'est un modèle de langage.",
            "Съешь же ещё этих мягких французских булок, да выпей чаю.",
            "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία.",
            "敏捷的棕色狐狸跳过了懒狗。能耗是每个词元多少焦耳？",
            "いろはにほへと ちりぬるを カタカナ 漢字",
            "다람쥐 헌 쳇바퀴에 타고파",
            "مرحبا بالعالم",
            "שלום עולם",
            "नमस्ते दुनिया",
            "สวัสดีชาวโลก",
            "Emoji: 😀 🚀 🔋⚡ 👩‍💻 🇩🇪 ✔️",
            "e\u0301 combining acute, a\u030A ring, n\u0303 tilde",
            "Math: ∑ x² ≤ ∞, ∀ε>0 ∃δ, √2 ≈ 1.414, π ≠ 3",
            "mixed: abc漢字def😀ghi",
            "\u00a0non-breaking\u00a0space and zero\u200bwidth",
            "CAPITALS and lowercase and MiXeD CaSe",
            "a",
            " ",
            "\n",
            "supercalifragilisticexpialidocious antidisestablishmentarianism",
            "https://example.com/path?query=value&other=1#fragment",
            "{\"json\": [1, 2, 3], \"nested\": {\"key\": null}}");

    /** Random texts drawn with a fixed seed: vocabulary pieces, spaces, and code points of many scripts. */
    static List<String> randomTexts(List<String> vocabulary, List<?> types, int count, long seed) {
        List<String> normal = new ArrayList<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            if (((Number) types.get(i)).intValue() == 1) {
                normal.add(vocabulary.get(i).replace('\u2581', ' '));
            }
        }
        int[][] ranges = {{0x20, 0x7E}, {0xA0, 0x24F}, {0x370, 0x3FF}, {0x400, 0x4FF}, {0x590, 0x6FF},
            {0x900, 0x97F}, {0x3040, 0x30FF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}, {0x1F300, 0x1F64F}};
        Random random = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            StringBuilder sb = new StringBuilder();
            int parts = 1 + random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                switch (random.nextInt(4)) {
                    case 0, 1 -> sb.append(normal.get(random.nextInt(normal.size())));
                    case 2 -> {
                        int[] r = ranges[random.nextInt(ranges.length)];
                        sb.appendCodePoint(r[0] + random.nextInt(r[1] - r[0] + 1));
                    }
                    default -> sb.append(random.nextBoolean() ? " " : random.nextBoolean() ? "\n" : "  ");
                }
            }
            out.add(sb.toString());
        }
        return out;
    }

    @Test
    void sharedThirdPartyVocabularyTokenizesExactlyAsLlamaCpp(@TempDir Path dir) throws IOException {
        Path gguf = EmbeddedEngineTest.sharedFixture();
        assertSameTokensAsLlamaCpp(gguf.toString(), gguf, dir, 400);
    }

    @Test
    void syntheticVocabularyTokenizesExactlyAsLlamaCpp(@TempDir Path dir) throws IOException {
        assertSameTokensAsLlamaCpp("synthetic:llama-tiny", ModelFile.resolve("synthetic:llama-tiny", "f16"), dir, 400);
    }

    private static void assertSameTokensAsLlamaCpp(String model, Path gguf, Path dir, int randomCount) throws IOException {
        Path json = LlamaTokenizerJson.write(gguf, dir.resolve("tokenizer.json"));
        GgufFile header = GgufReader.read(gguf);
        List<String> vocabulary = new ArrayList<>();
        header.get("tokenizer.ggml.tokens").orElseThrow().asList().forEach(o -> vocabulary.add((String) o));
        List<String> texts = new ArrayList<>(TEXTS);
        texts.addAll(randomTexts(vocabulary, header.get("tokenizer.ggml.token_type").orElseThrow().asList(), randomCount, 11));

        try (HuggingFaceTokenizerFile hf = HuggingFaceTokenizerFile.load(json);
             RunningEngine server = Engines.open(new EngineRequest("embedded", model, "f16", 1, 256, null));
             RunningEngine remote = Engines.open(new EngineRequest(server.endpoint().baseUrl(), model, "auto", 1, 0, null))) {
            Tokenizer llamaCpp = remote.endpoint().tokenizer();
            assertTrue(llamaCpp.description().contains("/tokenize"), llamaCpp.description());
            assertEquals(llamaCpp.specialTokensAdded(), hf.specialTokensAdded(), "BOS tokens added");
            assertEquals(header.addsBosToken() ? 1 : 0, hf.specialTokensAdded());
            List<String> differ = new ArrayList<>();
            long tokens = 0;
            long byteFallback = 0;
            for (String text : texts) {
                int[] expected = llamaCpp.encode(text);
                int[] actual = hf.encode(text);
                tokens += expected.length;
                byteFallback += Arrays.stream(expected).filter(id -> id >= 3 && id < 259).count();
                if (!Arrays.equals(expected, actual)) {
                    differ.add(escape(text) + ": llama.cpp " + Arrays.toString(expected) + " tokenizer.json "
                            + Arrays.toString(actual));
                }
                assertEquals(expected.length + llamaCpp.specialTokensAdded(), hf.promptTokens(text));
            }
            System.out.println(model + ": " + texts.size() + " texts compared (" + tokens + " llama.cpp tokens, "
                    + byteFallback + " of them byte fallback), " + (texts.size() - differ.size()) + " token-for-token equal");
            assertTrue(byteFallback > 0 && tokens > 3L * texts.size(), "the texts exercise merges and byte fallback");
            assertTrue(differ.isEmpty(), differ.size() + " of " + texts.size() + " texts differ:\n"
                    + String.join("\n", differ.subList(0, Math.min(10, differ.size()))));
        }
    }

    private static String escape(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }

    @Test
    void describesItselfByTheFileAndCountsNothingForNothing(@TempDir Path dir) throws IOException {
        Path json = LlamaTokenizerJson.write(ModelFile.resolve("synthetic:llama-tiny", "f16"), dir.resolve("tokenizer.json"));
        try (HuggingFaceTokenizerFile hf = HuggingFaceTokenizerFile.load(dir)) {
            assertEquals(json.toAbsolutePath(), hf.file(), "a folder means its tokenizer.json");
            assertEquals("tokenizer.json " + json.toAbsolutePath(), hf.description());
            assertEquals(0, hf.encode("").length);
            // a count covers the whole text, whatever truncation a file might ask for
            String longText = "the energy of the model ".repeat(400);
            assertTrue(hf.encode(longText).length > 1000, "not truncated: " + hf.encode(longText).length);
        }
    }

    @Test
    void countsFromManyThreadsAtOnceAsFromOne(@TempDir Path dir) throws Exception {
        // the client counts each stream on its own thread when the server sends no usage
        Path json = LlamaTokenizerJson.write(ModelFile.resolve("synthetic:llama-tiny", "f16"), dir.resolve("tokenizer.json"));
        try (HuggingFaceTokenizerFile hf = HuggingFaceTokenizerFile.load(json)) {
            int[][] expected = TEXTS.stream().map(hf::encode).toArray(int[][]::new);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            try {
                List<java.util.concurrent.Future<Boolean>> all = new ArrayList<>();
                for (int round = 0; round < 40; round++) {
                    for (int i = 0; i < TEXTS.size(); i++) {
                        int k = i;
                        all.add(pool.submit(() -> Arrays.equals(expected[k], hf.encode(TEXTS.get(k)))));
                    }
                }
                for (java.util.concurrent.Future<Boolean> f : all) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void missingFileIsOneLineNamingItAndTheSyntax() {
        EngineException e = assertThrows(EngineException.class,
                () -> HuggingFaceTokenizerFile.load(Path.of("/no/such/tokenizer.json")));
        assertTrue(e.getMessage().contains("/no/such/tokenizer.json") && e.getMessage().contains("does not exist")
                && e.getMessage().contains(";tokenizer="), e.getMessage());
        assertEquals(0, e.getStackTrace().length);
    }

    @Test
    void fileThatIsNotATokenizerIsOneLine(@TempDir Path dir) throws IOException {
        for (String content : List.of("not json at all", "{\"version\": \"1.0\", \"model\": {\"type\": \"Nope\"}}", "{}")) {
            Path bad = Files.writeString(dir.resolve("tokenizer.json"), content);
            EngineException e = assertThrows(EngineException.class, () -> HuggingFaceTokenizerFile.load(bad), content);
            assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("is not a Hugging Face tokenizer.json"),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        EngineException folder = assertThrows(EngineException.class, () -> HuggingFaceTokenizerFile.load(dir.resolve("empty")));
        assertTrue(folder.getMessage().contains("does not exist"), folder.getMessage());
    }
}
