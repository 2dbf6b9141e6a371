package org.tokenpowerbench.engine.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encoding of float values into the ggml element types that {@link GgufWriter} writes, bit for bit
 * as llama.cpp's reference quantizers do, and decoding back (for tests and checks).
 *
 * <p>All methods write to and read from little-endian buffers at their current position.
 */
public final class GgmlCodec {

    /** Elements per Q8_0 and Q4_0 block. */
    public static final int QK = 32;

    private GgmlCodec() {
    }

    /**
     * Converts to IEEE 754 binary16 with round-to-nearest-even; overflow gives infinity, NaN stays NaN.
     *
     * @param value a float
     * @return the half-precision bits
     */
    public static short floatToHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7f_ffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign; // below half of the smallest subnormal: signed zero
            }
            // Subnormal half: value = m * 2^-24 with m = mant24 * 2^(exp - 126).
            int m24 = mant | 0x80_0000;
            int shift = 14 - e;
            return (short) (sign | roundShift(m24, shift));
        }
        // Normal half; a mantissa carry rolls into the exponent (and up to infinity), as it should.
        return (short) (sign | ((e << 10) + roundShift(mant, 13)));
    }

    /** {@code value >> shift}, rounded to nearest, ties to even. */
    private static int roundShift(int value, int shift) {
        int q = value >>> shift;
        int rem = value & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rem > half || (rem == half && (q & 1) == 1)) {
            q++;
        }
        return q;
    }

    /**
     * Converts IEEE 754 binary16 bits to a float (exactly).
     *
     * @param half the half-precision bits
     * @return the float value
     */
    public static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /**
     * Writes {@code count} values as F32.
     *
     * @param src   values
     * @param count how many, from index 0
     * @param out   little-endian destination with at least {@code 4 * count} bytes left
     */
    public static void encodeF32(float[] src, int count, ByteBuffer out) {
        checkOrder(out);
        for (int i = 0; i < count; i++) {
            out.putFloat(src[i]);
        }
    }

    /**
     * Writes {@code count} values as F16.
     *
     * @param src   values
     * @param count how many, from index 0
     * @param out   little-endian destination with at least {@code 2 * count} bytes left
     */
    public static void encodeF16(float[] src, int count, ByteBuffer out) {
        checkOrder(out);
        for (int i = 0; i < count; i++) {
            out.putShort(floatToHalf(src[i]));
        }
    }

    /**
     * Writes {@code count} values (a multiple of 32) as Q8_0 blocks: per block an f16 scale
     * {@code d = max|x| / 127} and 32 signed bytes {@code round(x / d)} (half away from zero).
     *
     * @param src   values
     * @param count how many, from index 0; a multiple of {@link #QK}
     * @param out   little-endian destination with at least {@code 34 * count / 32} bytes left
     */
    public static void encodeQ8_0(float[] src, int count, ByteBuffer out) {
        checkOrder(out);
        checkBlocks(count);
        for (int b = 0; b < count; b += QK) {
            float amax = 0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(src[b + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            out.putShort(floatToHalf(d));
            for (int j = 0; j < QK; j++) {
                out.put((byte) roundHalfAwayFromZero(src[b + j] * id));
            }
        }
    }

    /** C's {@code roundf}: nearest integer, halfway cases away from zero. */
    private static int roundHalfAwayFromZero(float v) {
        // In double the sum is exact for any float of quantized magnitude, and the cast truncates toward zero.
        return (int) (v >= 0f ? v + 0.5 : v - 0.5);
    }

    /**
     * Writes {@code count} values (a multiple of 32) as Q4_0 blocks: per block an f16 scale
     * {@code d = m / -8}, where {@code m} is the value of largest magnitude (first one on ties), and
     * 16 bytes whose low nibbles hold elements 0..15 and high nibbles elements 16..31, each
     * {@code q = min(15, trunc(x / d + 8.5))}; the decoded value is {@code (q - 8) * d}.
     *
     * @param src   values
     * @param count how many, from index 0; a multiple of {@link #QK}
     * @param out   little-endian destination with at least {@code 18 * count / 32} bytes left
     */
    public static void encodeQ4_0(float[] src, int count, ByteBuffer out) {
        checkOrder(out);
        checkBlocks(count);
        for (int b = 0; b < count; b += QK) {
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < QK; j++) {
                float v = src[b + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            out.putShort(floatToHalf(d));
            for (int j = 0; j < QK / 2; j++) {
                float x0 = src[b + j] * id;
                float x1 = src[b + QK / 2 + j] * id;
                int q0 = Math.min(15, (int) (x0 + 8.5f));
                int q1 = Math.min(15, (int) (x1 + 8.5f));
                out.put((byte) (q0 | (q1 << 4)));
            }
        }
    }

    /**
     * Encodes values as {@code type}.
     *
     * @param type  a {@link GgmlType#isWritable() writable} type
     * @param src   values
     * @param count how many, from index 0; a multiple of the type's block size
     * @param out   little-endian destination with room for {@code type.byteSize(count)} bytes
     * @throws IllegalArgumentException for a type that cannot be written
     */
    public static void encode(GgmlType type, float[] src, int count, ByteBuffer out) {
        switch (type) {
            case F32 -> encodeF32(src, count, out);
            case F16 -> encodeF16(src, count, out);
            case Q8_0 -> encodeQ8_0(src, count, out);
            case Q4_0 -> encodeQ4_0(src, count, out);
            default -> throw new IllegalArgumentException("cannot encode " + type);
        }
    }

    /**
     * Decodes {@code count} elements of {@code type} (inverse of {@link #encode}, up to quantization error).
     *
     * @param type  a writable type
     * @param in    little-endian source positioned at the first block
     * @param count number of elements, a multiple of the block size
     * @return the decoded values
     * @throws IllegalArgumentException for a type that cannot be written
     */
    public static float[] decode(GgmlType type, ByteBuffer in, int count) {
        checkOrder(in);
        float[] out = new float[count];
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = in.getFloat();
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(in.getShort());
                }
            }
            case Q8_0 -> {
                checkBlocks(count);
                for (int b = 0; b < count; b += QK) {
                    float d = halfToFloat(in.getShort());
                    for (int j = 0; j < QK; j++) {
                        out[b + j] = in.get() * d;
                    }
                }
            }
            case Q4_0 -> {
                checkBlocks(count);
                for (int b = 0; b < count; b += QK) {
                    float d = halfToFloat(in.getShort());
                    for (int j = 0; j < QK / 2; j++) {
                        int q = in.get() & 0xff;
                        out[b + j] = ((q & 0x0f) - 8) * d;
                        out[b + QK / 2 + j] = ((q >>> 4) - 8) * d;
                    }
                }
            }
            default -> throw new IllegalArgumentException("cannot decode " + type);
        }
        return out;
    }

    private static void checkOrder(ByteBuffer buffer) {
        if (buffer.order() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException("GGUF data is little-endian; set the buffer's order");
        }
    }

    private static void checkBlocks(int count) {
        if (count % QK != 0) {
            throw new IllegalArgumentException(count + " values are not a whole number of blocks of " + QK);
        }
    }
}
