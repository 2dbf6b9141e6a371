package org.tokenpowerbench.power.nvml;

import java.util.ArrayList;
import java.util.List;

/**
 * The bits of NVML's clock event (formerly "throttle") reasons, by the names NVML's header gives
 * them ({@code nvmlClocksEventReason*} / {@code nvmlClocksThrottleReason*}, NVIDIA's NVML API
 * reference). Bits not listed here are reported as {@code bit<N>}.
 */
final class NvmlClockEvents {

    private static final String[] NAMES = {
            "gpuIdle",              // 0x1
            "applicationsClocks",   // 0x2
            "swPowerCap",           // 0x4
            "hwSlowdown",           // 0x8
            "syncBoost",            // 0x10
            "swThermalSlowdown",    // 0x20
            "hwThermalSlowdown",    // 0x40
            "hwPowerBrakeSlowdown", // 0x80
            "displayClocks",        // 0x100
    };

    private NvmlClockEvents() {
    }

    /** The names of the bits set in {@code mask}, lowest bit first. */
    static List<String> names(long mask) {
        List<String> out = new ArrayList<>();
        for (int bit = 0; bit < 64; bit++) {
            if ((mask & (1L << bit)) != 0) {
                out.add(bit < NAMES.length ? NAMES[bit] : "bit" + bit);
            }
        }
        return out;
    }
}
