package org.tokenpowerbench.power.cpu;

import org.tokenpowerbench.UserError;
import java.util.Map;
import java.util.Set;

import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * Opens a {@link CpuTimeSensor}, a labelled estimate, under the id {@code cpu}.
 *
 * <p>Options:
 * <ul>
 *   <li>{@code wattsPerCore=<W>}: watts per busy core, positive, default
 *       {@value CpuTimeSensor#DEFAULT_WATTS_PER_CORE} (see {@link CpuTimeSensor} for why);</li>
 *   <li>{@code idleWatts=<W>}: watts charged per wall second, zero or more, default 0.</li>
 * </ul>
 * A malformed or out-of-range value, or an unknown option, is an {@link IllegalArgumentException}
 * that names the value and says what to write instead.
 */
public final class CpuTimeSensorProvider implements PowerSensorProvider {

    private static final Set<String> OPTIONS = Set.of("wattsPerCore", "idleWatts");

    @Override
    public String id() {
        return "cpu";
    }

    @Override
    public String description() {
        return "ESTIMATE of this process's CPU energy from its CPU seconds x watts per core (estimated, cpu scope); wattsPerCore=W, idleWatts=W";
    }

    @Override
    public PowerSensor open(Map<String, String> options) throws SensorUnavailableException {
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new UserError("unknown cpu option '" + key
                        + "': the cpu estimate takes wattsPerCore=<W> and idleWatts=<W>");
            }
        }
        double wattsPerCore = parse(options, "wattsPerCore", CpuTimeSensor.DEFAULT_WATTS_PER_CORE, false);
        double idleWatts = parse(options, "idleWatts", 0.0, true);
        return CpuTimeSensor.open(wattsPerCore, idleWatts);
    }

    private static double parse(Map<String, String> options, String key, double fallback, boolean zeroAllowed) {
        String text = options.get(key);
        if (text == null) {
            return fallback;
        }
        double value;
        try {
            value = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new UserError("cpu option " + key + "='" + text + "' is not a number: "
                    + CpuTimeSensor.hint(key));
        }
        return CpuTimeSensor.requireWatts(key, value, zeroAllowed);
    }
}
