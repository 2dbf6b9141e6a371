package org.tokenpowerbench.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes files with {@link GgufWriter} and reads them back with {@link GgufReader}. */
class GgufRoundTripTest {

    @TempDir
    Path dir;

    /** Element i of a test tensor: distinct, exactly representable in F16, small enough for Q4_0 steps. */
    private static GgufWriter.TensorValues ramp(float scale) {
        return (start, dst, count) -> {
            for (int i = 0; i < count; i++) {
                dst[i] = ((start + i) % 17 - 8) * scale;
            }
        };
    }

    private static GgufWriter sample() {
        return new GgufWriter()
                .putString("general.architecture", "test")
                .putUInt32("u32.max", 0xffff_ffffL)
                .putInt32("i32.neg", -7)
                .putFloat32("f32", 1.5f)
                .putBool("bool.true", true)
                .putBool("bool.false", false)
                .putString("string.utf8", "\u2581caf\u00e9 \uD83D\uDE00")
                .putStringArray("array.string", List.of("a", "", "\u2581the"))
                .putFloat32Array("array.f32", new float[] {0f, -1f, 2.5f})
                .putInt32Array("array.i32", new int[] {1, -2, 3})
                .addTensor("t.f32", GgmlType.F32, new long[] {7}, ramp(0.25f))          // 28 bytes: padded to 32
                .addTensor("t.f16", GgmlType.F16, new long[] {64, 3}, ramp(0.5f))
                .addTensor("t.q8_0", GgmlType.Q8_0, new long[] {64, 3, 2}, ramp(1f))      // 12 blocks * 34 = 408 bytes
                .addTensor("t.q4_0", GgmlType.Q4_0, new long[] {32, 5}, ramp(1f))        // 5 * 18 = 90 bytes
                .addTensor("t.big", GgmlType.F32, new long[] {1000, 300}, ramp(1f));      // 1.2 MB: several chunks
    }

    @Test
    void metadataRoundTrips() throws IOException {
        Path file = dir.resolve("sample.gguf");
        sample().write(file);
        GgufFile f = GgufReader.read(file);

        assertEquals(3, f.version());
        assertEquals(32, f.alignment());
        Map<String, GgufValue> m = f.metadata();
        assertEquals(List.of("general.alignment", "general.architecture", "u32.max", "i32.neg", "f32", "bool.true",
                "bool.false", "string.utf8", "array.string", "array.f32", "array.i32"), List.copyOf(m.keySet()));
        assertEquals(GgufValueType.UINT32, m.get("general.alignment").type());
        assertEquals(32L, m.get("general.alignment").value());
        assertEquals(GgufValueType.UINT32, m.get("u32.max").type());
        assertEquals(0xffff_ffffL, f.getLong("u32.max").getAsLong());
        assertEquals(GgufValueType.INT32, m.get("i32.neg").type());
        assertEquals(-7L, f.getLong("i32.neg").getAsLong());
        assertEquals(GgufValueType.FLOAT32, m.get("f32").type());
        assertEquals(1.5f, m.get("f32").value());
        assertEquals(true, f.getBool("bool.true").orElseThrow());
        assertEquals(false, f.getBool("bool.false").orElseThrow());
        assertEquals("\u2581caf\u00e9 \uD83D\uDE00", f.getString("string.utf8").orElseThrow());
        assertEquals("test", f.architecture().orElseThrow());

        GgufValue strings = m.get("array.string");
        assertEquals(GgufValueType.ARRAY, strings.type());
        assertEquals(GgufValueType.STRING, strings.elementType());
        assertEquals(3, strings.arrayLength());
        assertEquals(List.of("a", "", "\u2581the"), strings.asList());
        assertEquals(GgufValueType.FLOAT32, m.get("array.f32").elementType());
        assertEquals(List.of(0f, -1f, 2.5f), m.get("array.f32").asList());
        assertEquals(GgufValueType.INT32, m.get("array.i32").elementType());
        assertEquals(List.of(1L, -2L, 3L), m.get("array.i32").asList());

        assertTrue(f.fileType().isEmpty());
        assertTrue(f.addBosToken().isEmpty());
    }

    @Test
    void tensorInfosAreAlignedAndFileSizeAddsUp() throws IOException {
        Path file = dir.resolve("sample.gguf");
        long written = sample().write(file);
        GgufFile f = GgufReader.read(file);
        assertEquals(Files.size(file), written);

        List<GgufTensorInfo> t = f.tensors();
        assertEquals(List.of("t.f32", "t.f16", "t.q8_0", "t.q4_0", "t.big"), t.stream().map(GgufTensorInfo::name).toList());
        assertArrayEquals(new long[] {7}, t.get(0).dims());
        assertArrayEquals(new long[] {64, 3}, t.get(1).dims());
        assertArrayEquals(new long[] {64, 3, 2}, t.get(2).dims());
        assertArrayEquals(new long[] {32, 5}, t.get(3).dims());
        assertEquals(GgmlType.F32, t.get(0).type().orElseThrow());
        assertEquals(GgmlType.F16, t.get(1).type().orElseThrow());
        assertEquals(GgmlType.Q8_0, t.get(2).type().orElseThrow());
        assertEquals(GgmlType.Q4_0, t.get(3).type().orElseThrow());
        assertEquals(List.of(28L, 384L, 408L, 90L, 1_200_000L), t.stream().map(GgufTensorInfo::byteSize).toList());

        assertEquals(0, f.dataOffset() % 32);
        long expectedOffset = 0;
        for (GgufTensorInfo info : t) {
            assertEquals(expectedOffset, info.offset(), info.name());
            assertEquals(0, info.offset() % 32, info.name() + " offset aligned");
            expectedOffset = GgufReader.alignUp(info.offset() + info.byteSize(), 32);
        }
        // The data section is the aligned tensors back to back, the last one padded too.
        assertEquals(f.dataOffset() + expectedOffset, Files.size(file));
        long sumOfPaddedSizes = t.stream().mapToLong(i -> GgufReader.alignUp(i.byteSize(), 32)).sum();
        assertEquals(f.dataOffset() + sumOfPaddedSizes, Files.size(file));
    }

    @Test
    void aTransformedTensorKeepsItsPlaceAndGetsTheNewValues() throws IOException {
        Path plain = dir.resolve("plain.gguf");
        Path changed = dir.resolve("changed.gguf");
        sample().write(plain);
        sample().transformTensor("t.f16", values -> (start, dst, count) -> {
            values.fill(start, dst, count);
            for (int i = 0; i < count; i++) {
                dst[i] = start + i < 64 ? 0f : -dst[i]; // first row zero, the rest negated
            }
        }).write(changed);
        GgufFile a = GgufReader.read(plain);
        GgufFile b = GgufReader.read(changed);
        assertEquals(a.tensors().stream().map(GgufTensorInfo::name).toList(),
                b.tensors().stream().map(GgufTensorInfo::name).toList());
        assertEquals(Files.size(plain), Files.size(changed));
        float[] before = GgufTestSupport.tensorValues(plain, a, "t.f16");
        float[] after = GgufTestSupport.tensorValues(changed, b, "t.f16");
        for (int i = 0; i < before.length; i++) {
            assertEquals(i < 64 ? 0f : -before[i], after[i], 0f, "element " + i);
        }
        assertArrayEquals(GgufTestSupport.tensorValues(plain, a, "t.big"), GgufTestSupport.tensorValues(changed, b, "t.big"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sample().transformTensor("t.none", v -> v));
        assertTrue(e.getMessage().contains("t.none"), e.getMessage());
    }

    @Test
    void tensorDataDecodesToTheWrittenValues() throws IOException {
        Path file = dir.resolve("sample.gguf");
        sample().write(file);
        GgufFile f = GgufReader.read(file);
        float[] scales = {0.25f, 0.5f, 1f, 1f, 1f};
        for (int k = 0; k < f.tensors().size(); k++) {
            GgufTensorInfo info = f.tensors().get(k);
            float[] expected = new float[(int) info.elementCount()];
            ramp(scales[k]).fill(0, expected, expected.length);
            float[] actual = GgufTestSupport.tensorValues(file, f, info.name());
            // Ramp values are -8..8 times the scale. F32 and F16 hold them exactly. Q8_0 blocks span -8..8,
            // so d = 8/127 and the error is at most d/2 (plus the f16 rounding of d). Q4_0 has d = ±1,
            // exact except that the value opposite the first extreme is clamped by one step.
            float tol = switch (info.type().orElseThrow()) {
                case Q8_0 -> 0.05f;
                case Q4_0 -> 1f;
                default -> 0f;
            };
            assertArrayEquals(expected, actual, tol, info.name());
        }
    }

    @Test
    void bytesDoNotDependOnThreadCount() throws IOException {
        Path one = dir.resolve("one.gguf");
        Path many = dir.resolve("many.gguf");
        sample().threads(1).write(one);
        sample().threads(3).write(many);
        assertEquals(-1L, Files.mismatch(one, many));
    }

    @Test
    void arraysCanBeSkipped() throws IOException {
        Path file = dir.resolve("sample.gguf");
        sample().write(file);
        GgufFile full = GgufReader.read(file);
        GgufFile light = GgufReader.read(file, false);
        assertEquals(full.tensors(), light.tensors());
        assertEquals(full.dataOffset(), light.dataOffset());
        GgufValue a = light.metadata().get("array.string");
        assertEquals(3, a.arrayLength());
        assertEquals(null, a.value());
        assertThrows(IllegalStateException.class, a::asList);
    }

    @Test
    void otherAlignments() throws IOException {
        Path file = dir.resolve("a64.gguf");
        new GgufWriter(64).addTensor("x", GgmlType.F32, new long[] {3}, GgufWriter.constant(2f))
                .addTensor("y", GgmlType.F32, new long[] {3}, GgufWriter.constant(3f)).write(file);
        GgufFile f = GgufReader.read(file);
        assertEquals(64, f.alignment());
        assertEquals(0, f.dataOffset() % 64);
        assertEquals(64, f.tensor("y").orElseThrow().offset());
        assertEquals(f.dataOffset() + 128, Files.size(file));
        assertArrayEquals(new float[] {3f, 3f, 3f}, GgufTestSupport.tensorValues(file, f, "y"));
    }

    @Test
    void writerRejectsInvalidDeclarations() {
        GgufWriter w = new GgufWriter().putString("k", "v");
        assertThrows(IllegalArgumentException.class, () -> w.putInt32("k", 1), "duplicate key");
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("general.alignment", 64));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("neg", -1));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("big", 1L << 32));
        GgufWriter.TensorValues zero = GgufWriter.constant(0f);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q8_0, new long[] {48, 2}, zero),
                "innermost dimension not a multiple of 32");
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("k", GgmlType.Q4_K, new long[] {256}, zero),
                "type not writable");
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("d", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, zero));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", GgmlType.F32, new long[] {0}, zero));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), GgmlType.F32, new long[] {1}, zero));
        w.addTensor("t", GgmlType.F32, new long[] {1}, zero);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1}, zero));
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter(12));
    }

    @Test
    void readerRejectsNonGguf() throws IOException {
        Path file = dir.resolve("not.gguf");
        Files.writeString(file, "GGML this is not it");
        IOException e = assertThrows(IOException.class, () -> GgufReader.read(file));
        assertTrue(e.getMessage().contains("not a GGUF file"), e.getMessage());

        Path truncated = dir.resolve("truncated.gguf");
        sample().write(truncated);
        byte[] all = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(all, 200));
        assertThrows(IOException.class, () -> GgufReader.read(truncated));
    }

    @Test
    void failuresOfTensorValuesPropagate() {
        Path file = dir.resolve("bad.gguf");
        GgufWriter w = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {4}, (s, d, c) -> {
            throw new IllegalStateException("boom");
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(file));
        assertEquals("boom", e.getMessage());
    }
}
