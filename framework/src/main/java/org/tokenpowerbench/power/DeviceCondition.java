package org.tokenpowerbench.power;

import java.util.List;
import java.util.Map;

/**
 * How a device was running at one moment, beside its power: whether it was held back (clock
 * event reasons such as a thermal slowdown or the software power cap), its temperature and its
 * clock. A wave measured while a GPU was throttled measures the throttle, not the work: these
 * readings let a result say so ({@link OperatingConditions}).
 *
 * @param nanos          when it was read, on {@link System#nanoTime()}
 * @param device         the device, as in {@link PowerChannel#device()} (a GPU's UUID)
 * @param holdBacks      what held the clocks back then, by name (empty: nothing); see {@link #THROTTLES}
 * @param temperatureC   the device's temperature, NaN when not read
 * @param clockMHz       the compute (SM) clock, NaN when not read
 * @param heldBackNanos  the device's cumulative hold-back times by cause, nanoseconds since its
 *                       driver loaded, as read then (empty: not read); the difference of two
 *                       readings is how long each cause held the clocks back between them (for
 *                       NVML, {@code NvmlHoldBackTimes}, read on window boundaries)
 */
public record DeviceCondition(long nanos, String device, List<String> holdBacks, double temperatureC,
                              double clockMHz, Map<String, Long> heldBackNanos) {

    /**
     * The hold-back causes whose time makes a window throttled (NVML's power and thermal
     * policies), as the reasons {@code swPowerCap} and the thermal slowdowns do. A board limit or
     * the reliability (voltage) policy may hold a GPU at its highest clock under any heavy load:
     * they are kept, not flagged, until a GPU run shows what they say.
     */
    public static final List<String> THROTTLE_TIMES = List.of("powerPolicy", "thermalPolicy");

    /**
     * The reasons that make a reading throttled: the device ran slower than it could because of
     * power or heat. Others a GPU reports (idle, application clocks, sync boost) are choices, not
     * limits, and are kept but not flagged.
     */
    public static final List<String> THROTTLES = List.of("swPowerCap", "hwSlowdown", "swThermalSlowdown",
            "hwThermalSlowdown", "hwPowerBrakeSlowdown");

    public DeviceCondition {
        holdBacks = List.copyOf(holdBacks);
        heldBackNanos = Map.copyOf(heldBackNanos);
    }

    /** Whether any reason in {@link #THROTTLES} held the device back. */
    public boolean throttled() {
        return holdBacks.stream().anyMatch(THROTTLES::contains);
    }
}
