package org.tokenpowerbench.power;

/**
 * One quantity a sensor reports on every {@link PowerSensor#sample} call.
 *
 * @param name    stable, unique within the sensor, e.g. {@code package-0}, {@code gpu0.counter}
 * @param device  what the channel belongs to, e.g. a GPU UUID or {@code intel-rapl:0}
 * @param scope   where in the machine it measures
 * @param method  how its energy is obtained
 * @param kind    whether values are cumulative joules or instantaneous watts
 */
public record PowerChannel(String name, String device, Scope scope, Method method, Kind kind) {

    public enum Kind {
        /** Values are a cumulative, wrap-corrected, monotonically non-decreasing energy in joules. */
        ENERGY_JOULES,
        /** Values are an instantaneous (or sensor-averaged) power in watts. */
        POWER_WATTS
    }
}
