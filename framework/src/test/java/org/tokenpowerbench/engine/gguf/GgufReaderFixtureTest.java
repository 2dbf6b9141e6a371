package org.tokenpowerbench.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the shared third-party fixture {@code llama-2-tiny-random.gguf} and checks the metadata its
 * README lists. Skipped when the file is absent.
 */
class GgufReaderFixtureTest {

    private static final String SHA256 = "81f226c62d28ed4a1a9b9fa080fcd9f0cc40e0f9d5680036583ff98fbcd035cb";

    private static Path file;
    private static GgufFile gguf;

    @BeforeAll
    static void read() throws IOException {
        var fixture = GgufTestSupport.fixture();
        Assumptions.assumeTrue(fixture.isPresent(), "shared fixture " + GgufTestSupport.FIXTURE_NAME + " not found");
        file = fixture.get();
        gguf = GgufReader.read(file);
    }

    @Test
    void isTheExpectedFile() throws IOException, NoSuchAlgorithmException {
        assertEquals(1_750_560, Files.size(file));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertEquals(SHA256, HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void metadataMatchesTheReadme() {
        assertEquals(3, gguf.version());
        assertEquals("llama", gguf.architecture().orElseThrow());
        assertEquals("LLaMA v2", gguf.getString("general.name").orElseThrow());
        assertEquals(1, gguf.fileType().getAsLong());
        Map<String, Long> ints = Map.of(
                "llama.context_length", 4096L,
                "llama.embedding_length", 8L,
                "llama.block_count", 1L,
                "llama.feed_forward_length", 32L,
                "llama.rope.dimension_count", 4L,
                "llama.attention.head_count", 2L,
                "llama.attention.head_count_kv", 2L,
                "tokenizer.ggml.bos_token_id", 1L,
                "tokenizer.ggml.eos_token_id", 2L,
                "tokenizer.ggml.unknown_token_id", 0L);
        ints.forEach((k, v) -> {
            assertEquals(GgufValueType.UINT32, gguf.metadata().get(k).type(), k);
            assertEquals(v, gguf.getLong(k).getAsLong(), k);
        });
        assertEquals(1e-5f, gguf.metadata().get("llama.attention.layer_norm_rms_epsilon").value());
        assertEquals("llama", gguf.getString("tokenizer.ggml.model").orElseThrow());

        GgufValue tokens = gguf.metadata().get("tokenizer.ggml.tokens");
        assertEquals(GgufValueType.STRING, tokens.elementType());
        assertEquals(32000, tokens.arrayLength());
        assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>"), tokens.asList().subList(0, 4));
        assertEquals("<0xFF>", tokens.asList().get(258));
        assertEquals(GgufValueType.FLOAT32, gguf.metadata().get("tokenizer.ggml.scores").elementType());
        assertEquals(32000, gguf.metadata().get("tokenizer.ggml.scores").arrayLength());
        GgufValue types = gguf.metadata().get("tokenizer.ggml.token_type");
        assertEquals(GgufValueType.INT32, types.elementType());
        assertEquals(List.of(2L, 3L, 3L, 6L), types.asList().subList(0, 4));

        // The file does not say; llama.cpp's default for a SentencePiece vocabulary applies.
        assertTrue(gguf.addBosToken().isEmpty());
        assertTrue(gguf.addsBosToken());
        assertEquals(32, gguf.alignment());
        assertFalse(gguf.metadata().containsKey("general.alignment"));
    }

    @Test
    void tensorsMatchTheReadme() throws IOException {
        Object[][] expected = {
            {"token_embd.weight", new long[] {8, 32000}, GgmlType.F16},
            {"blk.0.attn_q.weight", new long[] {8, 8}, GgmlType.F16},
            {"blk.0.attn_k.weight", new long[] {8, 8}, GgmlType.F16},
            {"blk.0.attn_v.weight", new long[] {8, 8}, GgmlType.F16},
            {"blk.0.attn_output.weight", new long[] {8, 8}, GgmlType.F16},
            {"blk.0.ffn_gate.weight", new long[] {8, 32}, GgmlType.F16},
            {"blk.0.ffn_up.weight", new long[] {8, 32}, GgmlType.F16},
            {"blk.0.ffn_down.weight", new long[] {32, 8}, GgmlType.F16},
            {"blk.0.attn_norm.weight", new long[] {8}, GgmlType.F32},
            {"blk.0.ffn_norm.weight", new long[] {8}, GgmlType.F32},
            {"output_norm.weight", new long[] {8}, GgmlType.F32},
            {"output.weight", new long[] {8, 32000}, GgmlType.F16},
        };
        assertEquals(expected.length, gguf.tensors().size());
        long end = 0;
        for (int i = 0; i < expected.length; i++) {
            GgufTensorInfo t = gguf.tensors().get(i);
            assertEquals(expected[i][0], t.name());
            assertArrayEquals((long[]) expected[i][1], t.dims(), t.name());
            assertEquals(expected[i][2], t.type().orElseThrow(), t.name());
            assertEquals(0, t.offset() % 32, t.name());
            end = Math.max(end, t.offset() + t.byteSize());
        }
        assertEquals(Files.size(file), gguf.dataOffset() + end);
        // Norm weights of a freshly initialised model are ones.
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1},
                GgufTestSupport.tensorValues(file, gguf, "output_norm.weight"), 0f);
    }
}
