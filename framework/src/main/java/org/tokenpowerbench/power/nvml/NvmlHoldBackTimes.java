package org.tokenpowerbench.power.nvml;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.tokenpowerbench.power.DeviceCondition;
import org.tokenpowerbench.power.nvml.NvmlMetadata.Probe;

/**
 * NVML's cumulative hold-back times: for each perf policy, the nanoseconds since the driver loaded
 * during which it held the GPU's clocks back ({@code NVML_FI_DEV_PERF_POLICY_*}, fields 74-79 of
 * NVIDIA's {@code nvml.h}; {@code NVML_FI_DEV_CLOCKS_EVENT_REASON_SW_POWER_CAP} is defined there as
 * the power policy's field). Read on a window's two boundaries, their difference is how long the
 * GPU was held back inside it, however briefly each time: the clock event reasons, read every
 * {@code conditionsPeriod}, see only the instants they are read at.
 *
 * <p>Read in one {@code nvmlDeviceGetFieldValues} call per GPU. The sensor uses them only where the
 * power and thermal policies both answer and the call is cheap ({@link #probe}): what such a call
 * costs on a given driver was not known when this was written, and a call of milliseconds on every
 * boundary of eight GPUs would cost more than it saves.
 */
final class NvmlHoldBackTimes {

    /** The names results use, in field order: power and thermal are throttles ({@link DeviceCondition#THROTTLE_TIMES}), the others are kept only. */
    static final List<String> NAMES = List.of("powerPolicy", "thermalPolicy", "boardLimit", "reliability");
    /** {@code NVML_FI_DEV_PERF_POLICY_POWER}, {@code _THERMAL}, {@code _BOARD_LIMIT}, {@code _RELIABILITY}. */
    static final int[] FIELDS = {74, 75, 77, 79};
    /** The dearest read the sensor accepts for every boundary: 0.5 ms, an eighth of one energy counter read on an H200. */
    static final long MAX_READ_NANOS = 500_000;
    /** Reads the probe times; the cheapest counts, so one descheduled read does not turn the counters off. */
    private static final int PROBE_READS = 3;

    private NvmlHoldBackTimes() {
    }

    /**
     * Reads the counters {@value #PROBE_READS} times, timing each on {@code clock}.
     *
     * @return a probe that worked (the counters are to be read on boundaries) or that says why not
     */
    static Probe probe(NvmlLibrary library, NvmlDeviceHandle h, LongSupplier clock) {
        String reading = "NVML_FI_DEV_PERF_POLICY"; // fields 74, 75, 77 and 79
        long cheapest = Long.MAX_VALUE;
        for (int k = 0; k < PROBE_READS; k++) {
            long t = clock.getAsLong();
            Map<String, Long> read;
            try {
                read = read(library, h);
            } catch (NvmlException e) {
                return new Probe(reading, false, e.getMessage());
            }
            cheapest = Math.min(cheapest, clock.getAsLong() - t);
            if (!read.keySet().containsAll(DeviceCondition.THROTTLE_TIMES)) {
                return new Probe(reading, false, "the power or thermal policy's time is not offered (got "
                        + read.keySet() + "); clock event reasons are read every conditionsPeriod instead");
            }
        }
        if (cheapest > MAX_READ_NANOS) {
            return new Probe(reading, false, String.format(java.util.Locale.ROOT,
                    "a read takes %.2f ms, over the %.1f ms allowed on every boundary; clock event reasons are read"
                            + " every conditionsPeriod instead", cheapest / 1e6, MAX_READ_NANOS / 1e6));
        }
        return new Probe(reading, true, String.format(java.util.Locale.ROOT,
                "ok (read on boundaries; the cheapest of %d probe reads took %.0f us)", PROBE_READS, cheapest / 1e3));
    }

    /**
     * One read: each policy that answered, by name, in nanoseconds since the driver loaded.
     *
     * @throws NvmlException when the call as a whole fails
     */
    static Map<String, Long> read(NvmlLibrary library, NvmlDeviceHandle h) {
        List<NvmlFieldValue> values = library.fieldValues(h, NvmlFields.SCOPE_GPU, FIELDS);
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < FIELDS.length && i < values.size(); i++) {
            NvmlFieldValue v = values.get(i);
            if (v.ok() && v.fieldId() == FIELDS[i] && Double.isFinite(v.value()) && v.value() >= 0) {
                out.put(NAMES.get(i), (long) v.value());
            }
        }
        return out;
    }
}
