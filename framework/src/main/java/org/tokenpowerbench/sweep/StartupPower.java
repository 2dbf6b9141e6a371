package org.tokenpowerbench.sweep;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;
import org.openjdk.jmh.runner.options.ProfilerConfig;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.engine.launch.StartupMeter;
import org.tokenpowerbench.jmh.PowerProfiler;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * The energy a managed engine spends from launch to ready, from the sensors the user's
 * {@code -prof} names (the same sensors, options and labels as the trial's energy figures), read
 * on the host, because the engine starts before the trial's fork exists. Each window opens its
 * sensors and closes them again, so nothing is held between trials while the fork measures.
 */
final class StartupPower implements StartupMeter {

    private final Map<String, Map<String, String>> sensors; // sensor id -> its options
    private final Map<String, Duration> periods;
    private final PrintStream console;

    private StartupPower(Map<String, Map<String, String>> sensors, Map<String, Duration> periods, PrintStream console) {
        this.sensors = sensors;
        this.periods = periods;
        this.console = console;
    }

    /** The sensors of the user's {@code -prof} power profilers (none: measures nothing). */
    static StartupPower of(Iterable<ProfilerConfig> profilers, PrintStream console) {
        Map<String, Map<String, String>> sensors = new LinkedHashMap<>();
        Map<String, Duration> periods = new LinkedHashMap<>();
        for (ProfilerConfig p : profilers) {
            if (!p.getKlass().equals(PowerProfiler.class.getName())) {
                continue;
            }
            OptionLine options = OptionLine.parse("-prof", p.getOpts());
            String id = options.get(PowerProfiler.SENSOR, null);
            if (id == null) {
                continue;
            }
            periods.put(id, options.duration("period", PowerSampler.DEFAULT_PERIOD));
            sensors.put(id, options.without(PowerProfiler.SENSOR, "period", "attribution").values());
        }
        return new StartupPower(sensors, periods, console);
    }

    @Override
    public Window open() {
        List<Entry<String, PowerSampler>> running = new ArrayList<>();
        for (Entry<String, Map<String, String>> s : sensors.entrySet()) {
            try {
                PowerSampler sampler = new PowerSampler(PowerSensors.open(s.getKey(), s.getValue()), periods.get(s.getKey()));
                sampler.start();
                running.add(Map.entry(s.getKey(), sampler));
            } catch (SensorUnavailableException | RuntimeException e) {
                console.println("tokenpowerbench: the engine's start-up is not measured by '" + s.getKey() + "': "
                        + e.getMessage());
            }
        }
        return () -> {
            Map<String, Double> joules = new LinkedHashMap<>();
            for (Entry<String, PowerSampler> r : running) {
                PowerSampler sampler = r.getValue();
                PowerSensor sensor = sampler.sensor();
                try {
                    PowerTrace trace = sampler.stop();
                    PowerSignal signal = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(sampler.period(),
                            sensor.updatePeriod()));
                    String label = signal.estimated() ? r.getKey() + ".estimated" : r.getKey();
                    joules.put(label, signal.energyJoules(signal.startNanos(), signal.endNanos()));
                } catch (RuntimeException e) {
                    console.println("tokenpowerbench: the engine's start-up energy from '" + r.getKey()
                            + "' cannot be given: " + e.getMessage());
                } finally {
                    sampler.close();
                    sensor.close();
                }
            }
            return joules;
        };
    }
}
