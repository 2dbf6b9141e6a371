package org.tokenpowerbench.engine.gguf;

import java.util.Optional;

/**
 * Tensor element encodings of ggml, with their numeric ids as stored in a GGUF tensor info.
 *
 * <p>Every type stores elements in blocks: {@link #blockSize()} elements take {@link #typeSize()}
 * bytes. The innermost dimension of a tensor must be a multiple of the block size. Only
 * {@link #isWritable() some} types can be written by {@link GgufWriter}; the others are listed so
 * that {@link GgufReader} can compute tensor sizes for real files.
 */
public enum GgmlType {
    /** IEEE 754 binary32. */
    F32(0, 1, 4, true),
    /** IEEE 754 binary16. */
    F16(1, 1, 2, true),
    /** Blocks of 32: an f16 scale {@code d} and 16 bytes of 4-bit values; value = (q - 8) * d. */
    Q4_0(2, 32, 18, true),
    /** Blocks of 32: f16 scale and minimum, 16 bytes of 4-bit values. */
    Q4_1(3, 32, 20, false),
    /** Blocks of 32: f16 scale, 4 bytes of high bits, 16 bytes of low nibbles. */
    Q5_0(6, 32, 22, false),
    /** Blocks of 32: f16 scale and minimum, 4 bytes of high bits, 16 bytes of low nibbles. */
    Q5_1(7, 32, 24, false),
    /** Blocks of 32: an f16 scale {@code d} and 32 signed bytes; value = q * d. */
    Q8_0(8, 32, 34, true),
    /** Blocks of 32: f16 scale and sum, 32 signed bytes. */
    Q8_1(9, 32, 36, false),
    /** K-quant super-blocks of 256 elements. */
    Q2_K(10, 256, 84, false),
    /** K-quant super-blocks of 256 elements. */
    Q3_K(11, 256, 110, false),
    /** K-quant super-blocks of 256 elements. */
    Q4_K(12, 256, 144, false),
    /** K-quant super-blocks of 256 elements. */
    Q5_K(13, 256, 176, false),
    /** K-quant super-blocks of 256 elements. */
    Q6_K(14, 256, 210, false),
    /** K-quant super-blocks of 256 elements (used for intermediate results). */
    Q8_K(15, 256, 292, false),
    /** Signed 8-bit integers. */
    I8(24, 1, 1, false),
    /** Signed 16-bit integers. */
    I16(25, 1, 2, false),
    /** Signed 32-bit integers. */
    I32(26, 1, 4, false),
    /** Signed 64-bit integers. */
    I64(27, 1, 8, false),
    /** IEEE 754 binary64. */
    F64(28, 1, 8, false),
    /** bfloat16. */
    BF16(30, 1, 2, false);

    private final int id;
    private final int blockSize;
    private final int typeSize;
    private final boolean writable;

    GgmlType(int id, int blockSize, int typeSize, boolean writable) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.writable = writable;
    }

    /** @return the numeric id stored in GGUF tensor infos */
    public int id() {
        return id;
    }

    /** @return the number of elements in one block */
    public int blockSize() {
        return blockSize;
    }

    /** @return the number of bytes one block takes */
    public int typeSize() {
        return typeSize;
    }

    /** @return whether {@link GgufWriter} can encode tensors of this type */
    public boolean isWritable() {
        return writable;
    }

    /**
     * Bytes taken by {@code elements} elements of this type.
     *
     * @param elements number of elements, a multiple of {@link #blockSize()}
     * @return the size in bytes
     * @throws IllegalArgumentException if {@code elements} is not a whole number of blocks
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    elements + " elements are not a whole number of " + this + " blocks of " + blockSize);
        }
        return elements / blockSize * typeSize;
    }

    /**
     * Looks a type up by its GGUF id.
     *
     * @param id the id from a tensor info
     * @return the type, or empty for an id this enum does not list
     */
    public static Optional<GgmlType> byId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
