package org.tokenpowerbench.power.nvml;

/**
 * One decoded {@code nvmlFieldValue_t}, as {@code nvmlDeviceGetFieldValues} filled it.
 *
 * <p>NVML reports success per field: the call as a whole can succeed while a field says
 * {@code NOT_SUPPORTED}. Look at {@link #ok()} before {@link #value()}.
 *
 * @param fieldId         the {@code NVML_FI_*} id that was asked for, e.g. {@link NvmlFields#POWER_INSTANT}
 * @param scopeId         the scope asked for (for power fields 0 = GPU only, 1 = module)
 * @param timestampMicros CPU time of the value, microseconds since 1970, as NVML gives it
 * @param latencyMicros   how long NVML took to update the value
 * @param valueTypeCode   the raw {@code nvmlValueType_t}
 * @param returnCode      the field's own {@code nvmlReturn_t}
 * @param value           the union decoded by its type; {@link Double#NaN} unless {@link #ok()}
 */
public record NvmlFieldValue(
        int fieldId,
        int scopeId,
        long timestampMicros,
        long latencyMicros,
        int valueTypeCode,
        int returnCode,
        double value) {

    /** The value's type, or null when NVML wrote a type code this build does not know. */
    public NvmlValueType valueType() {
        return NvmlValueType.ofCode(valueTypeCode);
    }

    /** True when the field succeeded and its value could be decoded. */
    public boolean ok() {
        return returnCode == NvmlReturn.SUCCESS && valueType() != null;
    }
}
