package org.tokenpowerbench.power;

/**
 * Finds and opens one kind of {@link PowerSensor}. Registered in
 * {@code META-INF/services/org.tokenpowerbench.power.PowerSensorProvider}.
 */
public interface PowerSensorProvider {

    /** Short name, e.g. {@code rapl}: what users write after {@code -prof}. */
    String id();

    /**
     * One line for {@code -lprof}: what the sensor measures, its scope and method, and its
     * options, e.g. {@code CPU package and DRAM energy from RAPL counters (measured); root=DIR}.
     */
    default String description() {
        return "power sensor '" + id() + "'";
    }

    /**
     * Opens the sensor with options parsed from the command line ({@code key=value} pairs).
     *
     * @throws SensorUnavailableException with one line that says why and what to do, when the
     *                                    hardware, driver or permission is missing
     */
    PowerSensor open(java.util.Map<String, String> options) throws SensorUnavailableException;
}
