package org.tokenpowerbench.power;

/**
 * How a number was obtained. An {@link #ESTIMATED} value is never shown as a measurement: every
 * result name and every file column that carries one says {@code estimated}.
 */
public enum Method {
    /** Delta of a hardware energy counter (NVML total energy, RAPL {@code energy_uj}). */
    COUNTER,
    /** Integration of sampled instantaneous power. */
    SAMPLED,
    /** A model, not a meter (for example CPU seconds times a watts-per-core figure). */
    ESTIMATED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
