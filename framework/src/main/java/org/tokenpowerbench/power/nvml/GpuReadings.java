package org.tokenpowerbench.power.nvml;

import java.util.ArrayList;
import java.util.List;
import org.tokenpowerbench.power.nvml.NvmlMetadata.PowerSource;
import org.tokenpowerbench.power.nvml.NvmlMetadata.Probe;

/**
 * What one GPU offers, found by trying each reading once when the sensor opens: the energy
 * counter, the instantaneous power field (186), else the one-second averaged power; and its power
 * limit. Every try is kept as a {@link Probe}, so the run folder says which readings worked and
 * why the others did not.
 *
 * @param counter    whether {@code nvmlDeviceGetTotalEnergyConsumption} answers
 * @param firstMillijoules the counter's first reading (meaningless without a counter)
 * @param source     the power reading to shape the energy with, or {@link PowerSource#NONE}
 * @param limitWatts the enforced power limit, NaN when NVML does not say
 * @param holdBackFields the hold-back time fields to read on every boundary, or null where none
 *                   answer cheaply enough ({@link NvmlHoldBackTimes#probe})
 * @param probes     every reading tried, in order
 */
record GpuReadings(boolean counter, long firstMillijoules, PowerSource source, double limitWatts,
                   int[] holdBackFields, List<Probe> probes) {

    private static final int[] INSTANT = {NvmlFields.POWER_INSTANT};

    /**
     * Tries each reading once (the hold-back times three times, timed on {@code clock}).
     */
    static GpuReadings probe(NvmlLibrary library, NvmlDeviceHandle h, java.util.function.LongSupplier clock, int nvmlMajor) {
        List<Probe> probes = new ArrayList<>();
        boolean counter;
        long first = 0;
        try {
            first = library.totalEnergyConsumptionMillijoules(h);
            counter = true;
            probes.add(new Probe("nvmlDeviceGetTotalEnergyConsumption", true, "ok"));
        } catch (NvmlException e) {
            counter = false;
            probes.add(new Probe("nvmlDeviceGetTotalEnergyConsumption", false, e.getMessage()));
        }
        PowerSource source = PowerSource.NONE;
        String field = "NVML_FI_DEV_POWER_INSTANT";
        try {
            NvmlFieldValue fv = library.fieldValues(h, NvmlFields.SCOPE_GPU, INSTANT).get(0);
            if (fv.ok()) {
                source = PowerSource.INSTANT_FIELD;
                probes.add(new Probe(field, true, "ok"));
            } else {
                probes.add(new Probe(field, false, fv.valueType() == null && fv.returnCode() == NvmlReturn.SUCCESS
                        ? "unknown value type " + fv.valueTypeCode()
                        : library.errorString(fv.returnCode()) + " (" + fv.returnCode() + ")"));
            }
        } catch (NvmlException e) {
            probes.add(new Probe(field, false, e.getMessage()));
        }
        if (source == PowerSource.NONE) {
            try {
                library.powerUsageMilliwatts(h);
                source = PowerSource.AVERAGED_POWER_USAGE;
                probes.add(new Probe("nvmlDeviceGetPowerUsage", true, "ok (fallback: averaged over 1 s on Ampere and newer)"));
            } catch (NvmlException e) {
                probes.add(new Probe("nvmlDeviceGetPowerUsage", false, e.getMessage()));
            }
        } else {
            probes.add(new Probe("nvmlDeviceGetPowerUsage", false, "not tried (instant field works)"));
        }
        double limit;
        try {
            limit = library.enforcedPowerLimitMilliwatts(h) / 1000.0;
        } catch (NvmlException e) {
            limit = Double.NaN;
        }
        NvmlHoldBackTimes.Choice holdBack = NvmlHoldBackTimes.probe(library, h, clock, nvmlMajor);
        probes.add(holdBack.probe());
        return new GpuReadings(counter, first, source, limit, holdBack.fields(), List.copyOf(probes));
    }
}
