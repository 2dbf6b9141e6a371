package org.tokenpowerbench.power.nvml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the results record about the GPUs an {@link NvmlSensor} measures and how.
 *
 * @param driverVersion      {@code nvmlSystemGetDriverVersion}, e.g. {@code 580.159.04}
 * @param nvmlVersion        {@code nvmlSystemGetNVMLVersion}, e.g. {@code 13.580.159.04}
 * @param cudaVisibleDevices the value of {@code CUDA_VISIBLE_DEVICES}, or null when unset
 * @param visibilityNotes    remarks on how that value was read (entries ignored, order caveats); may be empty
 * @param gpus               the measured GPUs, in channel order
 * @param counterSchedule    the counter schedule the sensor runs, e.g. {@code boundaries (auto: 8 GPU counters)}
 * @param bufferPeriod       the time between fetches of the driver's power buffer (where a GPU's power comes from it)
 * @param bufferHeld         how much time the driver's buffer held when the sensor opened (the least over the
 *                           GPUs read from it), or null where no GPU's power comes from it or it held under two samples
 */
public record NvmlMetadata(
        String driverVersion,
        String nvmlVersion,
        String cudaVisibleDevices,
        List<String> visibilityNotes,
        List<Gpu> gpus,
        String counterSchedule,
        java.time.Duration bufferPeriod,
        java.time.Duration bufferHeld) {

    public NvmlMetadata {
        visibilityNotes = List.copyOf(visibilityNotes);
        gpus = List.copyOf(gpus);
    }

    /** Where a GPU's power channel comes from. */
    public enum PowerSource {
        /** {@code nvmlDeviceGetFieldValues} with {@code NVML_FI_DEV_POWER_INSTANT} (186): instantaneous. */
        INSTANT_FIELD,
        /** {@code nvmlDeviceGetPowerUsage}: a one-second average on Ampere and newer; the fallback. */
        AVERAGED_POWER_USAGE,
        /** {@code nvmlDeviceGetSamples(NVML_TOTAL_POWER_SAMPLES)}: the driver's buffered samples, each at its own stamp ({@code power=buffer}). */
        DRIVER_BUFFER,
        /** Neither works: the GPU has an energy counter only. */
        NONE
    }

    /**
     * How one NVML reading fared when the sensor tried it on this GPU.
     *
     * @param reading the call or field, e.g. {@code nvmlDeviceGetTotalEnergyConsumption}
     * @param worked  whether it returned a value
     * @param detail  {@code ok}, or NVML's error text and code, or {@code not tried}
     */
    public record Probe(String reading, boolean worked, String detail) {
    }

    /**
     * One measured GPU.
     *
     * @param visibleIndex    its index among the visible GPUs (CUDA's {@code cuda:N})
     * @param nvmlIndex       its NVML index (PCI bus order, all GPUs)
     * @param uuid            {@code GPU-...}: the identity that results are keyed by
     * @param name            the model, e.g. {@code NVIDIA H200}
     * @param powerLimitWatts the enforced power limit, NaN when NVML does not say
     * @param energyCounter   whether the energy counter is read (else energy is integrated power)
     * @param powerSource     where the power channel comes from
     * @param probes          every reading tried at open, in order
     */
    public record Gpu(
            int visibleIndex,
            int nvmlIndex,
            String uuid,
            String name,
            double powerLimitWatts,
            boolean energyCounter,
            PowerSource powerSource,
            List<Probe> probes) {
        public Gpu {
            probes = List.copyOf(probes);
        }
    }

    /**
     * Flat {@code key -> value} form for result files, keys prefixed {@code nvml.}; per-GPU keys
     * use the visible index, e.g. {@code nvml.gpu0.uuid}.
     */
    public Map<String, String> asProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("nvml.driverVersion", driverVersion);
        p.put("nvml.nvmlVersion", nvmlVersion);
        p.put("nvml.cudaVisibleDevices", cudaVisibleDevices == null ? "(unset)" : cudaVisibleDevices);
        p.put("nvml.counterSchedule", counterSchedule);
        if (gpus.stream().anyMatch(g -> g.powerSource() == PowerSource.DRIVER_BUFFER)) {
            p.put("nvml.bufferPeriodMs", Long.toString(bufferPeriod.toMillis()));
            if (bufferHeld != null) {
                p.put("nvml.bufferHeldMs", Long.toString(bufferHeld.toMillis()));
            }
        }
        for (int i = 0; i < visibilityNotes.size(); i++) {
            p.put("nvml.visibilityNote" + i, visibilityNotes.get(i));
        }
        for (Gpu g : gpus) {
            String k = "nvml.gpu" + g.visibleIndex() + ".";
            p.put(k + "uuid", g.uuid());
            p.put(k + "name", g.name());
            p.put(k + "nvmlIndex", Integer.toString(g.nvmlIndex()));
            p.put(k + "powerLimitWatts", Double.isNaN(g.powerLimitWatts()) ? "unknown" : Double.toString(g.powerLimitWatts()));
            p.put(k + "energy", g.energyCounter() ? "counter" : "sampled");
            p.put(k + "powerSource", g.powerSource().name().toLowerCase(java.util.Locale.ROOT));
            for (Probe probe : g.probes()) {
                p.put(k + "probe." + probe.reading(), probe.detail());
            }
        }
        return p;
    }
}
