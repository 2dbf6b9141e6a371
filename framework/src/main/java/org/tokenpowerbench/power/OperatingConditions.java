package org.tokenpowerbench.power;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The {@link DeviceCondition}s of one window, per device: how many readings, how many of them
 * throttled and by what, the hottest temperature and the clock's range. A wave with throttled
 * readings is flagged; with {@code -Dtpb.requireStable=true} it fails.
 *
 * @param devices per device, in the order first seen
 */
public record OperatingConditions(List<Device> devices) {

    /**
     * One device over the window.
     *
     * @param readings         readings inside the window
     * @param throttled        readings with a throttle reason ({@link DeviceCondition#THROTTLES})
     * @param reasons          every hold-back reason seen, sorted
     * @param maxTemperatureC  the hottest reading, NaN when none was read
     * @param minClockMHz      the lowest SM clock, NaN when none was read
     * @param meanClockMHz     the mean SM clock over the readings, NaN when none was read
     */
    public record Device(String device, int readings, int throttled, List<String> reasons, double maxTemperatureC,
                         double minClockMHz, double meanClockMHz) {

        public Device {
            reasons = List.copyOf(reasons);
        }

        /** Share of the readings that were throttled; 0 without readings. */
        public double throttledShare() {
            return readings == 0 ? 0 : (double) throttled / readings;
        }
    }

    public OperatingConditions {
        devices = List.copyOf(devices);
    }

    /** The conditions read within {@code [fromNanos, toNanos]}. */
    public static OperatingConditions of(List<DeviceCondition> readings, long fromNanos, long toNanos) {
        Map<String, List<DeviceCondition>> byDevice = new LinkedHashMap<>();
        for (DeviceCondition c : readings) {
            if (c.nanos() >= fromNanos && c.nanos() <= toNanos) {
                byDevice.computeIfAbsent(c.device(), d -> new ArrayList<>()).add(c);
            }
        }
        List<Device> out = new ArrayList<>();
        byDevice.forEach((device, list) -> {
            int throttled = 0;
            TreeSet<String> reasons = new TreeSet<>();
            double maxT = Double.NaN;
            double minClock = Double.NaN;
            double clockSum = 0;
            int clocks = 0;
            for (DeviceCondition c : list) {
                throttled += c.throttled() ? 1 : 0;
                reasons.addAll(c.holdBacks());
                if (Double.isFinite(c.temperatureC())) {
                    maxT = Double.isNaN(maxT) ? c.temperatureC() : Math.max(maxT, c.temperatureC());
                }
                if (Double.isFinite(c.clockMHz())) {
                    minClock = Double.isNaN(minClock) ? c.clockMHz() : Math.min(minClock, c.clockMHz());
                    clockSum += c.clockMHz();
                    clocks++;
                }
            }
            out.add(new Device(device, list.size(), throttled, new ArrayList<>(reasons), maxT, minClock,
                    clocks == 0 ? Double.NaN : clockSum / clocks));
        });
        return new OperatingConditions(out);
    }

    /** Whether any device was throttled in any reading of the window. */
    public boolean throttled() {
        return devices.stream().anyMatch(d -> d.throttled() > 0);
    }

    /** Whether there is anything to report (the sensor reads conditions at all). */
    public boolean isEmpty() {
        return devices.isEmpty();
    }

    /** One line for the console: {@code GPU-1: 12 of 40 readings throttled (swPowerCap), max 71 °C, SM 1410-1980 MHz}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (Device d : devices) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(d.device()).append(": ").append(d.throttled()).append(" of ").append(d.readings())
                    .append(" readings throttled");
            if (!d.reasons().isEmpty()) {
                sb.append(" (").append(String.join(", ", d.reasons())).append(')');
            }
            if (Double.isFinite(d.maxTemperatureC())) {
                sb.append(String.format(java.util.Locale.ROOT, ", max %.0f C", d.maxTemperatureC()));
            }
            if (Double.isFinite(d.minClockMHz())) {
                sb.append(String.format(java.util.Locale.ROOT, ", SM clock min %.0f mean %.0f MHz", d.minClockMHz(),
                        d.meanClockMHz()));
            }
        }
        return sb.toString();
    }
}
