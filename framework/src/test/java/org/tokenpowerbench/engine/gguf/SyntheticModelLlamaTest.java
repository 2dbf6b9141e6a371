package org.tokenpowerbench.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The real proof: llama.cpp (through de.kherud:llama) loads the synthetic models and generates.
 *
 * <p>Findings pinned here: with {@code setNPredict(N)} and {@code setIgnoreEos(true)},
 * {@code generate()} yields N outputs with text plus one final output with empty text (the stop
 * message), i.e. N + 1, as long as every generated token is a complete UTF-8 piece. A byte-fallback
 * token that is not complete UTF-8 on its own is held back and sent together with the next token,
 * so there can be fewer outputs than tokens. {@code encode()} does not add BOS, while completions
 * do put BOS in front of the prompt when the model asks for it.
 */
class SyntheticModelLlamaTest {

    private static final int N_PREDICT = 16;

    @TempDir
    Path dir;

    private static LlamaModel load(Path file) {
        return new LlamaModel(new ModelParameters().setModel(file.toString()).setCtxSize(512).setThreads(2)
                .setGpuLayers(0));
    }

    /** Token ids 0..258: unk, BOS, EOS and the byte-fallback tokens. */
    private static List<Integer> specialAndByteTokens() {
        return IntStream.range(0, SyntheticVocabulary.MIN_SIZE).boxed().toList();
    }

    private static List<String> generate(LlamaModel model, int nPredict, boolean wholePiecesOnly) {
        InferenceParameters p = new InferenceParameters("hello world").setNPredict(nPredict).setIgnoreEos(true)
                .setTemperature(0f);
        if (wholePiecesOnly) {
            p.disableTokenIds(specialAndByteTokens());
        }
        List<String> texts = new ArrayList<>();
        for (LlamaOutput out : model.generate(p)) {
            texts.add(out.text);
        }
        return texts;
    }

    private static void assertGeneratesExactly(LlamaModel model, String what) {
        List<String> texts = generate(model, N_PREDICT, true);
        assertEquals(N_PREDICT + 1, texts.size(), what + ": outputs " + texts);
        assertEquals("", texts.get(N_PREDICT), what + ": the last output is the empty stop message");
        for (int i = 0; i < N_PREDICT; i++) {
            assertTrue(!texts.get(i).isEmpty(), what + ": output " + i + " has text");
        }
        // Unrestricted sampling: at most N + 1 outputs, fewer only when byte tokens were merged.
        List<String> free = generate(model, N_PREDICT, false);
        System.out.println(what + ": generate(nPredict=" + N_PREDICT + ", ignoreEos) yielded " + texts.size()
                + " outputs without byte tokens, " + free.size() + " with them");
        assertTrue(free.size() <= N_PREDICT + 1 && free.size() >= N_PREDICT / 2, what + ": " + free);
    }

    @ParameterizedTest
    @EnumSource(GgufQuantization.class)
    void llamaCppLoadsAndGeneratesTinyModel(GgufQuantization q) throws IOException {
        Path file = SyntheticModelCache.resolve("synthetic:llama-tiny", q.label(), 42, dir);
        SyntheticVocabulary vocab = SyntheticVocabulary.generate(SyntheticModel.LLAMA_TINY.nVocab());
        try (LlamaModel model = load(file)) {
            assertGeneratesExactly(model, "llama-tiny " + q.label());

            // llama.cpp's SentencePiece tokenizer reaches the generated word pieces; encode adds no BOS.
            int[] ids = model.encode("the cat");
            assertArrayEquals(new int[] {vocab.tokens().indexOf("\u2581the"), vocab.tokens().indexOf("\u2581cat")}, ids);
            assertEquals(" the cat", " " + model.decode(ids).strip());
            for (int id : model.encode("Energy per token: 42 J, 7.5 W (\u00fcber \u2603)!")) {
                assertTrue(id >= 0 && id < SyntheticModel.LLAMA_TINY.nVocab(), "id " + id);
            }
        }
    }

    @Test
    void groupedQueryAttentionShapeLoads() throws IOException {
        ModelShape gqa = new ModelShape("llama-tiny-gqa", 64, 2, 4, 2, 256, 4096, 2048);
        Path file = SyntheticModelCache.resolve(gqa, GgufQuantization.Q8_0, 1, dir);
        try (LlamaModel model = load(file)) {
            assertGeneratesExactly(model, "llama-tiny-gqa q8_0");
        }
    }

    @Test
    void thirdPartyFixtureBehavesTheSame() {
        var fixture = GgufTestSupport.fixture();
        Assumptions.assumeTrue(fixture.isPresent(), "shared fixture not found");
        try (LlamaModel model = load(fixture.get())) {
            assertGeneratesExactly(model, "llama-2-tiny-random");
            int[] ids = model.encode("the cat");
            assertEquals(2, ids.length, "no BOS from encode");
            assertTrue(ids[0] != 1);
        }
    }

    /** Opt-in (about 5 s and 200 MB of disk): {@code -Dtpb.test.large=true}. */
    @Test
    void hundredMillionParameterModelLoads() throws IOException {
        Assumptions.assumeTrue(Boolean.getBoolean("tpb.test.large"), "set -Dtpb.test.large=true to run");
        long t0 = System.nanoTime();
        Path file = SyntheticModelCache.resolve("llama-100m", "f16", 42, dir);
        System.out.printf("llama-100m f16 written in %.2f s%n", (System.nanoTime() - t0) / 1e9);
        try (LlamaModel model = load(file)) {
            assertGeneratesExactly(model, "llama-100m f16");
        }
    }
}
