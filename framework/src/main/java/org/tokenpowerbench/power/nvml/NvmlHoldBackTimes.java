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
    /**
     * The same with the thermal time from {@code NVML_FI_DEV_CLOCKS_EVENT_REASON_SW_THERM_SLOWDOWN},
     * which NVML 13's numbering puts at 269. On an H200 (driver 580.159.04, docs/gpu-proof.md,
     * session 16) field 75 cost 652 us a read and 269 cost 4 us; the survey there found 269-271 as
     * 64-bit counts and 251-268 refused as power-smoothing fields. Older headers number the slowdown
     * times 251-253, so 269 is asked only of NVML 13 or later, and taken only as a 64-bit count.
     */
    static final int[] SLOWDOWN_FIELDS = {74, 269, 77, 79};
    /** The first NVML major version whose numbering puts the software thermal slowdown at 269. */
    static final int SLOWDOWN_NUMBERING_FROM = 13;
    /** The dearest read the sensor accepts for every boundary: 0.5 ms, an eighth of one energy counter read on an H200. */
    static final long MAX_READ_NANOS = 500_000;
    /**
     * Fields 74-79 cheaper than this (0.1 ms) are read as they are; dearer ones, where NVML numbers
     * the software thermal slowdown at 269, give way to {@link #SLOWDOWN_FIELDS} when those answer.
     * Field 75 alone decides the cost, and on a real H200 (driver 580.159.04, docs/gpu-proof.md,
     * session 26) its cheapest of three probe reads took 0.43-0.75 ms over 52 forks: against the
     * 0.5 ms guard alone, 15 of them read fields 74-79 and 37 field 269, so the thermal time came
     * from one field or the other by chance. Field 269's set took 15-47 µs there. A choice made at
     * 0.1 ms lies far from both drivers' costs seen so far (H100: 0.86-0.95 ms; the cheap fields
     * 4 µs), so it is the same in every fork.
     */
    static final long PREFERRED_READ_NANOS = 100_000;
    /** Reads the probe times; the cheapest counts, so one descheduled read does not turn the counters off. */
    private static final int PROBE_READS = 3;

    private NvmlHoldBackTimes() {
    }

    /**
     * The fields to read on boundaries, or null where none will do, and the probe that says why.
     * The perf policies' fields first; where they fail or cost more than {@link #PREFERRED_READ_NANOS}
     * and NVML is {@link #SLOWDOWN_NUMBERING_FROM} or later, the power policy with the software
     * thermal slowdown's field ({@link #SLOWDOWN_FIELDS}).
     */
    record Choice(int[] fields, Probe probe) {
    }

    /** What {@link #tryFields} found: "ok (...)" or why they will not do, and the cheapest read where all reads answered. */
    private record Tried(String text, boolean ok, long cheapestNanos) {
    }

    /**
     * Probes {@link #FIELDS}, then, where those fail or cost more than {@link #PREFERRED_READ_NANOS}
     * and {@code nvmlMajor} is {@link #SLOWDOWN_NUMBERING_FROM} or later, {@link #SLOWDOWN_FIELDS};
     * fields 74-79 that pass the guard are kept where field 269 does not answer.
     */
    static Choice probe(NvmlLibrary library, NvmlDeviceHandle h, LongSupplier clock, int nvmlMajor) {
        String reading = "NVML_FI_DEV_PERF_POLICY"; // fields 74, 75, 77 and 79
        Tried policies = tryFields(library, h, clock, FIELDS, "the thermal policy's time (field 75)");
        if (policies.ok() && (policies.cheapestNanos() <= PREFERRED_READ_NANOS || nvmlMajor < SLOWDOWN_NUMBERING_FROM)) {
            return new Choice(FIELDS, new Probe(reading, true, policies.text()));
        }
        if (nvmlMajor < SLOWDOWN_NUMBERING_FROM) {
            return new Choice(null, new Probe(reading, false, policies.text()
                    + "; clock event reasons are read every conditionsPeriod instead"));
        }
        Tried slowdown = tryFields(library, h, clock, SLOWDOWN_FIELDS, "the software thermal slowdown's time (field 269)");
        String why = policies.ok()
                ? String.format(java.util.Locale.ROOT, "a read takes %.2f ms, over the %.1f ms under which they are preferred",
                        policies.cheapestNanos() / 1e6, PREFERRED_READ_NANOS / 1e6)
                : policies.text();
        if (slowdown.ok()) {
            return new Choice(SLOWDOWN_FIELDS, new Probe(reading, true, slowdown.text() + "; the thermal time from field 269,"
                    + " the software thermal slowdown's, since fields 74-79: " + why));
        }
        if (policies.ok()) {
            return new Choice(FIELDS, new Probe(reading, true, policies.text() + "; field 269 for the thermal time: "
                    + slowdown.text()));
        }
        return new Choice(null, new Probe(reading, false, "fields 74-79: " + policies.text() + "; with field 269 for the"
                + " thermal time: " + slowdown.text() + "; clock event reasons are read every conditionsPeriod instead"));
    }

    /** Reads {@code fields} {@value #PROBE_READS} times: "ok (...)", or why they will not do. */
    private static Tried tryFields(NvmlLibrary library, NvmlDeviceHandle h, LongSupplier clock, int[] fields,
                                   String thermal) {
        long cheapest = Long.MAX_VALUE;
        for (int k = 0; k < PROBE_READS; k++) {
            long t = clock.getAsLong();
            Map<String, Long> read;
            try {
                read = read(library, h, fields);
            } catch (NvmlException e) {
                return new Tried(e.getMessage(), false, Long.MAX_VALUE);
            }
            cheapest = Math.min(cheapest, clock.getAsLong() - t);
            if (!read.keySet().containsAll(DeviceCondition.THROTTLE_TIMES)) {
                return new Tried("the power policy's or " + thermal + " is not offered (got " + read.keySet() + ")", false,
                        Long.MAX_VALUE);
            }
        }
        if (cheapest > MAX_READ_NANOS) {
            return new Tried(String.format(java.util.Locale.ROOT, "a read takes %.2f ms, over the %.1f ms allowed on every"
                    + " boundary", cheapest / 1e6, MAX_READ_NANOS / 1e6), false, cheapest);
        }
        return new Tried(String.format(java.util.Locale.ROOT, "ok (read on boundaries; the cheapest of %d probe reads took"
                + " %.0f us)", PROBE_READS, cheapest / 1e3), true, cheapest);
    }

    /**
     * One read: each policy that answered, by name, in nanoseconds since the driver loaded.
     *
     * @throws NvmlException when the call as a whole fails
     */
    static Map<String, Long> read(NvmlLibrary library, NvmlDeviceHandle h, int[] fields) {
        List<NvmlFieldValue> values = library.fieldValues(h, NvmlFields.SCOPE_GPU, fields);
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < fields.length && i < values.size(); i++) {
            NvmlFieldValue v = values.get(i);
            // a slowdown time is a 64-bit count of nanoseconds; anything else under that number is some other field
            boolean counted = v.valueType() == NvmlValueType.UNSIGNED_LONG_LONG || fields[i] != 269;
            if (v.ok() && counted && v.fieldId() == fields[i] && Double.isFinite(v.value()) && v.value() >= 0) {
                out.put(NAMES.get(i), (long) v.value());
            }
        }
        return out;
    }
}
