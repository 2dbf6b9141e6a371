package org.tokenpowerbench.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.engine.gguf.GgufTestSupport.bytes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Element encodings against bytes computed by hand. */
class GgufCodecTest {

    private static byte[] encode(GgmlType type, float[] values) {
        ByteBuffer out = ByteBuffer.allocate((int) type.byteSize(values.length)).order(ByteOrder.LITTLE_ENDIAN);
        GgmlCodec.encode(type, values, values.length, out);
        assertEquals(0, out.remaining(), "encoded size must match GgmlType.byteSize");
        return out.array();
    }

    @Test
    void halfPrecisionValues() {
        // value -> IEEE binary16 bits
        float[] in = {1f, -2f, 0.5f, 65504f, 65520f, 1e6f, 0.1f, 1f / 3, 0.02f, 0x1p-24f, 0x1p-25f, 3 * 0x1p-26f,
                      -0f, 0f, 1 + 0x1p-10f, 1 + 0x1p-11f, 1 + 3 * 0x1p-11f, Float.NEGATIVE_INFINITY, Float.NaN,
                      0x1p-14f, 0x1p-14f - 0x1p-24f};
        int[] expected = {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x7C00, 0x7C00, 0x2E66, 0x3555, 0x251F, 0x0001, 0x0000,
                          0x0001, 0x8000, 0x0000, 0x3C01, 0x3C00, 0x3C02, 0xFC00, 0x7E00, 0x0400, 0x03FF};
        for (int i = 0; i < in.length; i++) {
            assertEquals(expected[i], GgmlCodec.floatToHalf(in[i]) & 0xffff,
                    "half of " + in[i] + " = 0x" + Integer.toHexString(expected[i]));
        }
    }

    @Test
    void halfRoundTripsEveryHalfValue() {
        for (int h = 0; h < 0x10000; h++) {
            float f = GgmlCodec.halfToFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0);
                continue;
            }
            assertEquals(h, GgmlCodec.floatToHalf(f) & 0xffff, "half 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void f16BytesAreLittleEndian() {
        assertArrayEquals(bytes(0x00, 0x3C, 0x00, 0xC0, 0x66, 0x2E), encode(GgmlType.F16, new float[] {1f, -2f, 0.1f}));
    }

    @Test
    void f32BytesAreLittleEndian() {
        assertArrayEquals(bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0), encode(GgmlType.F32, new float[] {1f, -2f}));
    }

    @Test
    void q8_0ScaleIsMaxOver127() {
        float[] x = new float[32];
        for (int j = 0; j < 31; j++) {
            x[j] = j - 15;
        }
        x[31] = 127; // max |x| = 127, so d = 1.0 (f16 0x3C00) and q = x
        byte[] expected = new byte[34];
        expected[0] = 0x00;
        expected[1] = 0x3C;
        for (int j = 0; j < 31; j++) {
            expected[2 + j] = (byte) (j - 15);
        }
        expected[33] = 127;
        assertArrayEquals(expected, encode(GgmlType.Q8_0, x));
    }

    @Test
    void q8_0RoundsHalfAwayFromZero() {
        float[] x = new float[32];
        x[0] = 254;  // d = 2.0 (f16 0x4000), 1/d = 0.5
        x[1] = 5;    // 2.5 -> 3
        x[2] = -5;   // -2.5 -> -3
        x[3] = 3;    // 1.5 -> 2
        x[4] = -3;   // -1.5 -> -2
        x[5] = 1;    // 0.5 -> 1
        x[6] = -254; // -127
        byte[] expected = new byte[34];
        expected[1] = 0x40;
        byte[] q = bytes(127, 3, -3, 2, -2, 1, -127);
        System.arraycopy(q, 0, expected, 2, q.length);
        assertArrayEquals(expected, encode(GgmlType.Q8_0, x));
    }

    @Test
    void q8_0AllZeroBlockHasZeroScale() {
        assertArrayEquals(new byte[34], encode(GgmlType.Q8_0, new float[32]));
    }

    @Test
    void q4_0LowNibblesHoldFirstHalf() {
        float[] x = new float[32];
        for (int j = 0; j < 16; j++) {
            x[j] = j - 8;       // -8..7: the first -8 is the max-magnitude value, d = -8 / -8 = 1
            x[16 + j] = 7 - j;  // 7..-8
        }
        byte[] expected = new byte[18];
        expected[0] = 0x00;
        expected[1] = 0x3C;
        for (int j = 0; j < 16; j++) {
            expected[2 + j] = (byte) (j | (15 - j) << 4); // q = x + 8: low nibble element j, high nibble j + 16
        }
        assertArrayEquals(expected, encode(GgmlType.Q4_0, x));
        assertEquals((byte) 0xF0, expected[2]);
        assertEquals((byte) 0x0F, expected[17]);
        float[] back = GgmlCodec.decode(GgmlType.Q4_0, ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN), 32);
        assertArrayEquals(x, back, 0f);
    }

    @Test
    void q4_0PositiveMaxGivesNegativeScale() {
        float[] x = new float[32];
        x[0] = 16;   // d = 16 / -8 = -2 (f16 0xC000); x/d + 8.5 = 0.5 -> q 0
        x[16] = -16; // 8 + 8.5 = 16.5 -> 16 -> clamped to 15
        x[1] = 3;    // -1.5 + 8.5 = 7
        x[2] = -3;   // 1.5 + 8.5 = 10
        x[3] = 1;    // -0.5 + 8.5 = 8
        byte[] expected = new byte[18];
        expected[1] = (byte) 0xC0;
        Arrays.fill(expected, 2, 18, (byte) 0x88); // zeros: q = trunc(8.5) = 8 in both nibbles
        expected[2] = (byte) 0xF0;
        expected[3] = (byte) 0x87;
        expected[4] = (byte) 0x8A;
        expected[5] = (byte) 0x88;
        assertArrayEquals(expected, encode(GgmlType.Q4_0, x));
        float[] back = GgmlCodec.decode(GgmlType.Q4_0, ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN), 32);
        assertEquals(16f, back[0]);
        assertEquals(-14f, back[16]); // (15 - 8) * -2: the clamp costs one step
        assertEquals(2f, back[1]);
    }

    @Test
    void quantizedTypesNeedWholeBlocks() {
        ByteBuffer out = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        assertThrows(IllegalArgumentException.class, () -> GgmlCodec.encodeQ8_0(new float[16], 16, out));
        assertThrows(IllegalArgumentException.class, () -> GgmlCodec.encodeQ4_0(new float[48], 48, out));
        assertThrows(IllegalArgumentException.class,
                () -> GgmlCodec.encodeF16(new float[1], 1, ByteBuffer.allocate(2)), "big-endian buffer");
    }

    @Test
    void randomValuesDecodeWithinQuantizationError() {
        float[] x = new float[32 * 64];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 0.02);
        }
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0}) {
            float[] back = GgmlCodec.decode(t, ByteBuffer.wrap(encode(t, x)).order(ByteOrder.LITTLE_ENDIAN), x.length);
            for (int b = 0; b < x.length; b += 32) {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(x[b + j]));
                }
                float tol = switch (t) {
                    case F32 -> 0f;
                    case F16 -> amax * 0x1p-10f;
                    case Q8_0 -> amax / 127 * 0.51f + amax * 0x1p-10f;
                    default -> amax / 8 * 1.01f + amax * 0x1p-9f;
                };
                for (int j = 0; j < 32; j++) {
                    assertEquals(x[b + j], back[b + j], tol, t + " element " + (b + j));
                }
            }
        }
    }
}
