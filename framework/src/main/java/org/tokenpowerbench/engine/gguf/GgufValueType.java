package org.tokenpowerbench.engine.gguf;

/**
 * Types of GGUF metadata values, with the numeric ids stored in the file.
 *
 * <p>{@link GgufReader} maps them to Java as follows: all integer types to {@link Long} (a
 * {@code uint64} above {@link Long#MAX_VALUE} keeps its bit pattern), {@code FLOAT32} to
 * {@link Float}, {@code FLOAT64} to {@link Double}, {@code BOOL} to {@link Boolean},
 * {@code STRING} to {@link String} and {@code ARRAY} to an unmodifiable {@link java.util.List}
 * of the element values.
 */
public enum GgufValueType {
    /** Unsigned 8-bit integer. */
    UINT8(0, 1),
    /** Signed 8-bit integer. */
    INT8(1, 1),
    /** Unsigned 16-bit integer. */
    UINT16(2, 2),
    /** Signed 16-bit integer. */
    INT16(3, 2),
    /** Unsigned 32-bit integer. */
    UINT32(4, 4),
    /** Signed 32-bit integer. */
    INT32(5, 4),
    /** IEEE 754 binary32. */
    FLOAT32(6, 4),
    /** One byte, 0 or 1. */
    BOOL(7, 1),
    /** uint64 byte length followed by UTF-8 bytes, no terminator. */
    STRING(8, -1),
    /** uint32 element type, uint64 count, then the elements. */
    ARRAY(9, -1),
    /** Unsigned 64-bit integer. */
    UINT64(10, 8),
    /** Signed 64-bit integer. */
    INT64(11, 8),
    /** IEEE 754 binary64. */
    FLOAT64(12, 8);

    private final int id;
    private final int fixedSize;

    GgufValueType(int id, int fixedSize) {
        this.id = id;
        this.fixedSize = fixedSize;
    }

    /** @return the numeric id stored in the file */
    public int id() {
        return id;
    }

    /** @return the encoded size in bytes, or -1 for the variable-length {@code STRING} and {@code ARRAY} */
    public int fixedSize() {
        return fixedSize;
    }

    /** @return whether the value is an integer of any width or signedness */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /**
     * Looks a type up by its id.
     *
     * @param id the id read from a file
     * @return the type
     * @throws IllegalArgumentException for an unknown id
     */
    public static GgufValueType byId(int id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown GGUF metadata value type " + id);
    }
}
