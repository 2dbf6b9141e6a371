package org.tokenpowerbench.jmh;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.Scope;

/**
 * A sensor registered only in the test sources' services file, the way a third party's jar
 * registers one: a GPU that draws a constant {@link #WATTS}, read as an energy counter plus an
 * instant power channel (the shape NVML has). Its counter is computed from the time of each read,
 * so any window's true energy is {@code WATTS × seconds}.
 */
public final class SteadySensorProvider implements PowerSensorProvider {

    static final double WATTS = 100;

    @Override
    public String id() {
        return "steady";
    }

    @Override
    public String description() {
        return "a test GPU at a constant 100 W (counter and power)";
    }

    @Override
    public PowerSensor open(Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new org.tokenpowerbench.UserError("steady takes no options, got " + options.keySet());
        }
        long t0 = System.nanoTime();
        return new PowerSensor() {
            @Override
            public String id() {
                return "steady";
            }

            @Override
            public List<PowerChannel> channels() {
                return List.of(
                        new PowerChannel("gpu0.energy", "GPU-0", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                        new PowerChannel("gpu0.power", "GPU-0", Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS));
            }

            @Override
            public void sample(double[] out, boolean boundary) {
                out[0] = WATTS * (System.nanoTime() - t0) / 1e9;
                out[1] = WATTS;
            }

            @Override
            public Duration updatePeriod() {
                return Duration.ofMillis(1);
            }

            @Override
            public void close() {
            }
        };
    }
}
