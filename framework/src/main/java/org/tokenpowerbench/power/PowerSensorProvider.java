package org.tokenpowerbench.power;

/**
 * Finds and opens one kind of {@link PowerSensor}. Registered in
 * {@code META-INF/services/org.tokenpowerbench.power.PowerSensorProvider}.
 */
public interface PowerSensorProvider {

    /** Short name, e.g. {@code rapl}. */
    String id();

    /**
     * Opens the sensor with options parsed from the command line ({@code key=value} pairs).
     *
     * @throws SensorUnavailableException with one line that says why and what to do, when the
     *                                    hardware, driver or permission is missing
     */
    PowerSensor open(java.util.Map<String, String> options) throws SensorUnavailableException;
}
