package org.tokenpowerbench.power.nvml;

import com.sun.jna.Pointer;

/**
 * Field ids used here and the exact native layout of {@code nvmlFieldValue_t}, which
 * {@code nvmlDeviceGetFieldValues} reads requests from and writes answers into.
 *
 * <pre>
 * offset size  member
 *      0    4  unsigned int    fieldId
 *      4    4  unsigned int    scopeId
 *      8    8  long long       timestamp     (µs since 1970)
 *     16    8  long long       latencyUsec
 *     24    4  nvmlValueType_t valueType
 *     28    4  nvmlReturn_t    nvmlReturn
 *     32    8  nvmlValue_t     value         (union; 8-byte aligned)
 *     40       sizeof(nvmlFieldValue_t)
 * </pre>
 */
public final class NvmlFields {
    /** {@code NVML_FI_DEV_POWER_AVERAGE}: power averaged over one second, milliwatts. */
    public static final int POWER_AVERAGE = 185;
    /** {@code NVML_FI_DEV_POWER_INSTANT}: current power, milliwatts. */
    public static final int POWER_INSTANT = 186;
    /** {@code scopeId} for power fields: the GPU alone (1 would be the module, e.g. Grace + GPU). */
    public static final int SCOPE_GPU = 0;

    /** {@code sizeof(nvmlFieldValue_t)}. */
    public static final int SIZE = 40;
    static final int FIELD_ID = 0;
    static final int SCOPE_ID = 4;
    static final int TIMESTAMP = 8;
    static final int LATENCY = 16;
    static final int VALUE_TYPE = 24;
    static final int RETURN = 28;
    static final int VALUE = 32;

    private NvmlFields() {
    }

    /**
     * Writes request {@code index} of an array: zeroes the whole entry, then sets its field and
     * scope ids, as {@code nvml.h} asks callers to do.
     */
    public static void writeRequest(Pointer array, int index, int fieldId, int scopeId) {
        long base = (long) index * SIZE;
        array.setMemory(base, SIZE, (byte) 0);
        array.setInt(base + FIELD_ID, fieldId);
        array.setInt(base + SCOPE_ID, scopeId);
    }

    /** Decodes entry {@code index} of an array that {@code nvmlDeviceGetFieldValues} filled. */
    public static NvmlFieldValue read(Pointer array, int index) {
        long base = (long) index * SIZE;
        int typeCode = array.getInt(base + VALUE_TYPE);
        int ret = array.getInt(base + RETURN);
        NvmlValueType type = NvmlValueType.ofCode(typeCode);
        double value = ret == NvmlReturn.SUCCESS && type != null
                ? type.read(array, base + VALUE)
                : Double.NaN;
        return new NvmlFieldValue(
                array.getInt(base + FIELD_ID),
                array.getInt(base + SCOPE_ID),
                array.getLong(base + TIMESTAMP),
                array.getLong(base + LATENCY),
                typeCode,
                ret,
                value);
    }
}
