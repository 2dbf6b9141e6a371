package org.tokenpowerbench.power.nvml;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * {@code nvmlValueType_t}: which member of the 8-byte {@code nvmlValue_t} union a field value
 * fills. Each constant knows how to read its member from native memory.
 */
public enum NvmlValueType {
    /** {@code double dVal}. */
    DOUBLE(0),
    /** {@code unsigned int uiVal} (32 bits). */
    UNSIGNED_INT(1),
    /** {@code unsigned long ulVal}: 64 bits on Linux, 32 on Windows ({@link Native#LONG_SIZE}). */
    UNSIGNED_LONG(2),
    /** {@code unsigned long long ullVal} (64 bits). */
    UNSIGNED_LONG_LONG(3),
    /** {@code long long sllVal} (64 bits, signed). */
    SIGNED_LONG_LONG(4),
    /** {@code int siVal} (32 bits, signed). */
    SIGNED_INT(5),
    /** {@code unsigned short usVal} (16 bits). */
    UNSIGNED_SHORT(6);

    private final int code;

    NvmlValueType(int code) {
        this.code = code;
    }

    /** The numeric value of the constant in {@code nvml.h}. */
    public int code() {
        return code;
    }

    /** The type with this code, or null for a code this build does not know. */
    public static NvmlValueType ofCode(int code) {
        for (NvmlValueType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /**
     * Reads this member of the union at {@code offset}; unsigned members are widened without sign.
     * A 64-bit unsigned value above {@link Long#MAX_VALUE} is returned as its true magnitude.
     */
    double read(Pointer memory, long offset) {
        return switch (this) {
            case DOUBLE -> memory.getDouble(offset);
            case UNSIGNED_INT -> memory.getInt(offset) & 0xFFFF_FFFFL;
            case UNSIGNED_LONG -> Native.LONG_SIZE == 8
                    ? unsigned64(memory.getLong(offset))
                    : memory.getInt(offset) & 0xFFFF_FFFFL;
            case UNSIGNED_LONG_LONG -> unsigned64(memory.getLong(offset));
            case SIGNED_LONG_LONG -> memory.getLong(offset);
            case SIGNED_INT -> memory.getInt(offset);
            case UNSIGNED_SHORT -> memory.getShort(offset) & 0xFFFF;
        };
    }

    static double unsigned64(long bits) {
        return bits >= 0 ? bits : (bits >>> 1) * 2.0 + (bits & 1);
    }
}
