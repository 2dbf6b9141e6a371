package org.tokenpowerbench.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Shapes, vocabulary and the written llama tensor set. */
class SyntheticModelTest {

    @TempDir
    Path dir;

    @Test
    void namedShapesAndParameterCounts() {
        assertEquals(List.of("llama-tiny", "llama-100m", "llama-3.2-1b", "llama-3.2-3b", "llama-3.1-8b", "llama-3.1-70b",
                "qwen2.5-7b", "mistral-7b-v0.3"), List.copyOf(SyntheticModel.shapes().keySet()));
        assertEquals(655_680L, SyntheticModel.LLAMA_TINY.parameterCount());
        assertEquals(101_924_480L, SyntheticModel.LLAMA_100M.parameterCount());
        assertEquals(64, SyntheticModel.LLAMA_100M.headDim());
        assertEquals(SyntheticModel.LLAMA_100M, SyntheticModel.shape("llama-100m"));
        assertEquals(SyntheticModel.LLAMA_TINY, SyntheticModel.parseSpec("synthetic:llama-tiny"));
        assertTrue(SyntheticModel.isSpec("synthetic:llama-tiny"));
        assertTrue(!SyntheticModel.isSpec("/models/x.gguf"));
    }

    /**
     * The published shapes' dimensions against the parameter counts their publishers state for the
     * untied models (Llama 3.1 8B: 8,030,261,248; 70B: 70,553,706,496; Mistral 7B v0.3:
     * 7,248,023,552): a wrong dimension would change the count. Nothing is written.
     */
    @Test
    void publishedShapesHaveTheirPublishedParameterCounts() {
        assertEquals(8_030_261_248L, SyntheticModel.LLAMA_3_1_8B.parameterCount());
        assertEquals(70_553_706_496L, SyntheticModel.LLAMA_3_1_70B.parameterCount());
        assertEquals(7_248_023_552L, SyntheticModel.MISTRAL_7B_V0_3.parameterCount());
        // Llama 3.2 ties its output matrix to the embedding: 1,235,814,400 published, plus our separate output.weight
        assertEquals(1_235_814_400L + 2048L * 128_256, SyntheticModel.LLAMA_3_2_1B.parameterCount());
        assertEquals(128, SyntheticModel.LLAMA_3_2_3B.headDim());
        assertEquals("Qwen2ForCausalLM", SyntheticModel.hfArchitecture(SyntheticModel.QWEN_2_5_7B).architecture());
        assertEquals(HfArchitecture.OWN_LLAMA, SyntheticModel.hfArchitecture(SyntheticModel.LLAMA_TINY));
    }

    @Test
    void serverVariantZeroesTheOutputRowsOfSpecialAndByteTokensOnly() throws IOException {
        Path plain = dir.resolve("plain.gguf");
        Path server = dir.resolve("server.gguf");
        SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.F32, 5, plain);
        SyntheticModel.serverWriter(SyntheticModel.LLAMA_TINY, GgufQuantization.F32, 5).write(server);
        float[] a = outputWeights(plain);
        float[] b = outputWeights(server);
        int zeroEnd = SyntheticModel.LLAMA_TINY.nEmbd() * SyntheticVocabulary.MIN_SIZE;
        for (int i = 0; i < a.length; i++) {
            assertEquals(i < zeroEnd ? 0f : a[i], b[i], "output.weight element " + i);
        }
        assertTrue(a[0] != 0f && a[zeroEnd - 1] != 0f, "the plain model's rows are random");
        assertEquals(SyntheticModel.SERVER_VARIANT,
                GgufReader.read(server, false).getString(SyntheticModel.VARIANT_KEY).orElseThrow());
    }

    private static float[] outputWeights(Path file) throws IOException {
        return GgufTestSupport.tensorValues(file, GgufReader.read(file, false), "output.weight");
    }

    @Test
    void unknownShapeNamesValueAndKnownShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.parseSpec("synthetic:llama-7b"));
        assertTrue(e.getMessage().contains("'llama-7b'"), e.getMessage());
        assertTrue(e.getMessage().contains("llama-tiny, llama-100m"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SyntheticModel.parseSpec("llama-tiny"));
    }

    @Test
    void unknownQuantizationNamesValueAndSupportedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GgufQuantization.parse("q5_k"));
        assertTrue(e.getMessage().contains("'q5_k'"), e.getMessage());
        assertTrue(e.getMessage().contains("f32, f16, q8_0, q4_0"), e.getMessage());
        assertEquals(GgufQuantization.Q8_0, GgufQuantization.parse("Q8_0"));
    }

    @Test
    void shapeValidation() {
        assertThrows(IllegalArgumentException.class, () -> new ModelShape("x", 65, 1, 4, 4, 32, 300, 64));
        assertThrows(IllegalArgumentException.class, () -> new ModelShape("x", 64, 1, 4, 3, 32, 300, 64));
        assertThrows(IllegalArgumentException.class, () -> new ModelShape("x", 64, 1, 4, 4, 32, 258, 64));
        assertThrows(IllegalArgumentException.class, () -> new ModelShape("x", 64, 0, 4, 4, 32, 300, 64));
    }

    @Test
    void vocabularyLayout() {
        SyntheticVocabulary v = SyntheticVocabulary.generate(32000);
        List<String> t = v.tokens();
        assertEquals(32000, t.size());
        assertEquals(32000, new HashSet<>(t).size(), "tokens are distinct");
        assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>", "<0x01>"), t.subList(0, 5));
        assertEquals("<0x0A>", t.get(3 + 10));
        assertEquals("<0xFF>", t.get(258));
        int[] types = v.tokenTypes();
        float[] scores = v.scores();
        assertEquals(2, types[0]);
        assertEquals(3, types[1]);
        assertEquals(3, types[2]);
        for (int i = 3; i < 259; i++) {
            assertEquals(6, types[i]);
            assertEquals(0f, scores[i]);
        }
        for (int i = 259; i < t.size(); i++) {
            assertEquals(1, types[i]);
            assertTrue(!t.get(i).isEmpty() && !t.get(i).contains(" "), "piece " + i);
            if (i > 259) {
                assertTrue(scores[i] < scores[i - 1], "scores descend at " + i);
            }
        }
        for (String piece : List.of("\u2581", "\u2581t", "\u2581th", "\u2581the", "\u2581cat", "\u2581hello", "ing")) {
            assertTrue(t.contains(piece), piece);
        }
        // A smaller vocabulary is a prefix of a larger one.
        assertEquals(SyntheticVocabulary.generate(4096).tokens(), t.subList(0, 4096));
        assertThrows(IllegalArgumentException.class, () -> SyntheticVocabulary.generate(100));
    }

    @ParameterizedTest
    @EnumSource(GgufQuantization.class)
    void tinyModelHasTheLlamaTensorSet(GgufQuantization q) throws IOException {
        ModelShape s = SyntheticModel.LLAMA_TINY;
        Path file = dir.resolve("tiny-" + q.label() + ".gguf");
        long size = SyntheticModel.write(s, q, 42, file);
        GgufFile f = GgufReader.read(file);
        assertEquals(Files.size(file), size);

        assertEquals("llama", f.architecture().orElseThrow());
        assertEquals(q.fileType(), f.fileType().getAsLong());
        assertEquals(s.contextLength(), f.getLong("llama.context_length").getAsLong());
        assertEquals(s.nEmbd(), f.getLong("llama.embedding_length").getAsLong());
        assertEquals(s.nLayer(), f.getLong("llama.block_count").getAsLong());
        assertEquals(s.nFf(), f.getLong("llama.feed_forward_length").getAsLong());
        assertEquals(s.headDim(), f.getLong("llama.rope.dimension_count").getAsLong());
        assertEquals(s.nHead(), f.getLong("llama.attention.head_count").getAsLong());
        assertEquals(s.nHeadKv(), f.getLong("llama.attention.head_count_kv").getAsLong());
        assertEquals(1e-5f, f.get("llama.attention.layer_norm_rms_epsilon").orElseThrow().value());
        assertEquals("llama", f.getString("tokenizer.ggml.model").orElseThrow());
        assertEquals(s.nVocab(), f.get("tokenizer.ggml.tokens").orElseThrow().arrayLength());
        assertEquals(s.nVocab(), f.get("tokenizer.ggml.scores").orElseThrow().arrayLength());
        assertEquals(s.nVocab(), f.get("tokenizer.ggml.token_type").orElseThrow().arrayLength());
        assertEquals(1, f.getLong("tokenizer.ggml.bos_token_id").getAsLong());
        assertEquals(2, f.getLong("tokenizer.ggml.eos_token_id").getAsLong());
        assertEquals(0, f.getLong("tokenizer.ggml.unknown_token_id").getAsLong());
        assertEquals(true, f.addBosToken().orElseThrow());

        List<String> names = new ArrayList<>();
        long elements = 0;
        GgmlType mt = q.matrixType();
        long e = s.nEmbd();
        for (GgufTensorInfo t : f.tensors()) {
            names.add(t.name());
            elements += t.elementCount();
            long[] expectedDims;
            String n = t.name().replaceFirst("^blk\\.\\d+\\.", "blk.N.");
            expectedDims = switch (n) {
                case "token_embd.weight", "output.weight" -> new long[] {e, s.nVocab()};
                case "blk.N.attn_q.weight", "blk.N.attn_output.weight" -> new long[] {e, e};
                case "blk.N.attn_k.weight", "blk.N.attn_v.weight" -> new long[] {e, s.nEmbdKv()};
                case "blk.N.ffn_gate.weight", "blk.N.ffn_up.weight" -> new long[] {e, s.nFf()};
                case "blk.N.ffn_down.weight" -> new long[] {s.nFf(), e};
                case "blk.N.attn_norm.weight", "blk.N.ffn_norm.weight", "output_norm.weight" -> new long[] {e};
                default -> throw new AssertionError("unexpected tensor " + t.name());
            };
            assertArrayEquals(expectedDims, t.dims(), t.name());
            assertEquals(expectedDims.length == 1 ? GgmlType.F32 : mt, t.type().orElseThrow(), t.name());
        }
        List<String> expectedNames = new ArrayList<>(List.of("token_embd.weight"));
        for (int i = 0; i < s.nLayer(); i++) {
            for (String part : List.of("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down",
                    "attn_norm", "ffn_norm")) {
                expectedNames.add("blk." + i + "." + part + ".weight");
            }
        }
        expectedNames.add("output_norm.weight");
        expectedNames.add("output.weight");
        assertEquals(expectedNames, names);
        assertEquals(s.parameterCount(), elements);
        long padded = f.tensors().stream().mapToLong(t -> GgufReader.alignUp(t.byteSize(), 32)).sum();
        assertEquals(f.dataOffset() + padded, Files.size(file));
    }

    @Test
    void sameLayoutAsTheThirdPartyFixture() throws IOException {
        var fixture = GgufTestSupport.fixture();
        Assumptions.assumeTrue(fixture.isPresent(), "shared fixture not found");
        GgufFile ref = GgufReader.read(fixture.get());
        // The fixture's shape: embedding 8, 1 block, 2 heads, feed-forward 32, vocabulary 32000, F16.
        ModelShape same = new ModelShape("fixture-shape", 8, 1, 2, 2, 32, 32000, 4096);
        Path file = dir.resolve("fixture-shape.gguf");
        SyntheticModel.write(same, GgufQuantization.F16, 1, file);
        GgufFile ours = GgufReader.read(file);

        // Identical tensor infos: names, order, dimensions, types and offsets; hence the same data size.
        assertEquals(ref.tensors(), ours.tensors());
        assertEquals(Files.size(fixture.get()) - ref.dataOffset(), Files.size(file) - ours.dataOffset());
        // Every key of the reference is present with the same type; architecture values are equal.
        for (var entry : ref.metadata().entrySet()) {
            GgufValue mine = ours.metadata().get(entry.getKey());
            assertTrue(mine != null, "missing key " + entry.getKey());
            assertEquals(entry.getValue().type(), mine.type(), entry.getKey());
            assertEquals(entry.getValue().elementType(), mine.elementType(), entry.getKey());
            assertEquals(entry.getValue().arrayLength(), mine.arrayLength(), entry.getKey());
            if (entry.getKey().startsWith("llama.") || entry.getKey().startsWith("tokenizer.ggml.")
                    && !entry.getKey().matches("tokenizer\\.ggml\\.(tokens|scores|token_type)")) {
                assertEquals(entry.getValue().value(), mine.value(), entry.getKey());
            }
        }
        // The special and byte tokens agree too.
        assertEquals(ref.get("tokenizer.ggml.tokens").orElseThrow().asList().subList(0, 259),
                ours.get("tokenizer.ggml.tokens").orElseThrow().asList().subList(0, 259));
        assertEquals(ref.get("tokenizer.ggml.token_type").orElseThrow().asList().subList(0, 259),
                ours.get("tokenizer.ggml.token_type").orElseThrow().asList().subList(0, 259));
    }

    @Test
    void weightsAreSeededNormalAndNormsAreOne() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.F32, 7, a);
        SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.F32, 7, b);
        SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.F32, 8, c);
        assertEquals(-1L, Files.mismatch(a, b), "same seed, same bytes");
        assertEquals(Files.size(a), Files.size(c));
        assertNotEquals(-1L, Files.mismatch(a, c), "another seed, other weights");

        GgufFile f = GgufReader.read(a);
        float[] embd = GgufTestSupport.tensorValues(a, f, "token_embd.weight");
        double sum = 0;
        double sq = 0;
        for (float x : embd) {
            sum += x;
            sq += x * x;
        }
        double mean = sum / embd.length;
        double std = Math.sqrt(sq / embd.length - mean * mean);
        assertEquals(0.0, mean, 0.001);
        assertEquals(0.02, std, 0.0005);
        // Tensors do not share values.
        float[] q0 = GgufTestSupport.tensorValues(a, f, "blk.0.attn_q.weight");
        float[] q1 = GgufTestSupport.tensorValues(a, f, "blk.1.attn_q.weight");
        assertTrue(!java.util.Arrays.equals(q0, q1));
        for (String norm : List.of("blk.0.attn_norm.weight", "blk.1.ffn_norm.weight", "output_norm.weight")) {
            for (float x : GgufTestSupport.tensorValues(a, f, norm)) {
                assertEquals(1f, x, norm);
            }
        }
    }

    @Test
    void quantizedWeightsStayCloseToTheF32Ones() throws IOException {
        Path f32 = dir.resolve("f32.gguf");
        SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.F32, 3, f32);
        float[] exact = GgufTestSupport.tensorValues(f32, GgufReader.read(f32), "blk.1.ffn_down.weight");
        for (GgufQuantization q : List.of(GgufQuantization.F16, GgufQuantization.Q8_0, GgufQuantization.Q4_0)) {
            Path p = dir.resolve(q.label() + ".gguf");
            SyntheticModel.write(SyntheticModel.LLAMA_TINY, q, 3, p);
            float[] approx = GgufTestSupport.tensorValues(p, GgufReader.read(p), "blk.1.ffn_down.weight");
            double err = 0;
            for (int i = 0; i < exact.length; i++) {
                err += Math.abs(exact[i] - approx[i]);
            }
            double meanErr = err / exact.length;
            double bound = switch (q) {
                case F16 -> 1e-5;
                case Q8_0 -> 2e-4;
                default -> 3e-3;
            };
            assertTrue(meanErr < bound, q + " mean abs error " + meanErr);
        }
    }
}
