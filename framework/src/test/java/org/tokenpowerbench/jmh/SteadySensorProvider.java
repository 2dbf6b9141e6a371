package org.tokenpowerbench.jmh;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.energy.CounterGrid;
import org.tokenpowerbench.power.DeviceCondition;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.Scope;

/**
 * A sensor registered only in the test sources' services file, the way a third party's jar
 * registers one: a GPU that draws a constant {@link #WATTS}, read as an energy counter plus an
 * instant power channel (the shape NVML has), and a condition reading at every sample
 * ({@code capped=true}: held back by the power cap; {@code grid=true}: it reports a counter grid). Its counter is computed from the time of each read,
 * so any window's true energy is {@code WATTS × seconds}.
 */
public final class SteadySensorProvider implements PowerSensorProvider {

    static final double WATTS = 100;
    /** The grids the last sensor opened was handed by {@link PowerSensor#startFrom}; null before any. */
    static volatile Map<String, CounterGrid> startedFrom;

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
        boolean capped = "true".equals(options.get("capped"));
        boolean grid = "true".equals(options.get("grid"));
        boolean heldBack = "true".equals(options.get("heldBack"));
        // with readMicros=N, every read busy-waits N µs, as NVML's counter read does (about 4 ms on an H100)
        long readNanos = 1000L * Long.parseLong(options.getOrDefault("readMicros", "0"));
        if (!options.keySet().stream().allMatch(k -> k.equals("capped") || k.equals("grid") || k.equals("heldBack")
                || k.equals("readMicros"))) {
            throw new org.tokenpowerbench.UserError("steady takes no options but capped=true, grid=true, heldBack=true and"
                    + " readMicros=N, got " + new java.util.TreeSet<>(options.keySet()));
        }
        long t0 = System.nanoTime();
        List<DeviceCondition> conditions = new java.util.ArrayList<>();
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
                long now = System.nanoTime();
                while (System.nanoTime() - now < readNanos) {
                    Thread.onSpinWait();
                }
                out[0] = WATTS * (now - t0) / 1e9;
                out[1] = WATTS;
                // with capped=true, held back by the power cap at every reading, as a GPU at its limit is
                // with heldBack=true, held back by the power policy half the time in bursts no reading of the
                // reasons sees, and the cumulative hold-back times read on boundaries only, as NVML's are
                Map<String, Long> times = heldBack && boundary
                        ? Map.of("powerPolicy", (now - t0) / 2, "thermalPolicy", 0L) : Map.of();
                conditions.add(new DeviceCondition(now, "GPU-0", capped ? List.of("swPowerCap") : List.of(), 60, 1500,
                        times));
            }

            @Override
            public List<DeviceCondition> drainConditions() {
                List<DeviceCondition> out = List.copyOf(conditions);
                conditions.clear();
                return out;
            }

            @Override
            public Map<String, CounterGrid> counterGrids() {
                // with grid=true, a grid as a sensor that learned its counter's updates would have
                return grid ? Map.of("gpu0.energy", new CounterGrid(t0, 1e6, 0.0, "steady's own grid")) : Map.of();
            }

            @Override
            public void startFrom(Map<String, CounterGrid> earlier) {
                startedFrom = Map.copyOf(earlier);
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
