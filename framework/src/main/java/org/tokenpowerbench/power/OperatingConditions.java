package org.tokenpowerbench.power;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@link DeviceCondition}s of one window, per device: how many readings, how many of them
 * throttled and by what, the hottest temperature and the clock's range, and, where the device
 * keeps cumulative hold-back times, how long each cause held it back between the readings that
 * bracket the window. A wave with throttled readings or throttle time is flagged; with
 * {@code -Dtpb.requireStable=true} it fails.
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
     * @param heldBackNanos    per cause, how long it held the device back between the last reading
     *                         with hold-back times at or before the window's start and the first at
     *                         or after its end (sorted by cause; empty without such a pair)
     * @param heldBackSpanNanos the time between those two readings, 0 without them
     */
    public record Device(String device, int readings, int throttled, List<String> reasons, double maxTemperatureC,
                         double minClockMHz, double meanClockMHz, Map<String, Long> heldBackNanos,
                         long heldBackSpanNanos) {

        public Device {
            reasons = List.copyOf(reasons);
            heldBackNanos = java.util.Collections.unmodifiableMap(new TreeMap<>(heldBackNanos));
        }

        /** Share of the readings that were throttled; 0 without readings. */
        public double throttledShare() {
            return readings == 0 ? 0 : (double) throttled / readings;
        }

        /**
         * The longest time one throttle cause ({@link DeviceCondition#THROTTLE_TIMES}) held the
         * device back over the window, from its hold-back times; 0 without them. Causes may
         * overlap, so they are not added.
         */
        public long throttledNanos() {
            long most = 0;
            for (String cause : DeviceCondition.THROTTLE_TIMES) {
                most = Math.max(most, heldBackNanos.getOrDefault(cause, 0L));
            }
            return most;
        }

        /** {@link #throttledNanos()} as a share of the time its readings span; NaN without hold-back times. */
        public double throttledTimeShare() {
            return heldBackSpanNanos <= 0 ? Double.NaN : Math.min(1, (double) throttledNanos() / heldBackSpanNanos);
        }

        /** Whether any throttle reason was read, or any throttle time counted, over the window. */
        public boolean wasThrottled() {
            return throttled > 0 || throttledNanos() > 0;
        }
    }

    public OperatingConditions {
        devices = List.copyOf(devices);
    }

    /**
     * The conditions read within {@code [fromNanos, toNanos]}, and the hold-back times between the
     * readings that bracket it (taken on the window's boundaries, just outside it).
     */
    public static OperatingConditions of(List<DeviceCondition> readings, long fromNanos, long toNanos) {
        Map<String, List<DeviceCondition>> byDevice = new LinkedHashMap<>();
        Map<String, DeviceCondition> before = new LinkedHashMap<>();
        Map<String, DeviceCondition> after = new LinkedHashMap<>();
        for (DeviceCondition c : readings) {
            if (c.nanos() >= fromNanos && c.nanos() <= toNanos) {
                byDevice.computeIfAbsent(c.device(), d -> new ArrayList<>()).add(c);
            }
            if (c.heldBackNanos().isEmpty()) {
                continue;
            }
            DeviceCondition b = before.get(c.device());
            if (c.nanos() <= fromNanos && (b == null || c.nanos() >= b.nanos())) {
                before.put(c.device(), c);
            }
            DeviceCondition a = after.get(c.device());
            if (c.nanos() >= toNanos && (a == null || c.nanos() < a.nanos())) {
                after.put(c.device(), c);
            }
        }
        for (String device : before.keySet()) {
            if (after.containsKey(device)) {
                byDevice.computeIfAbsent(device, d -> new ArrayList<>());
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
            Map<String, Long> heldBack = new TreeMap<>();
            long span = 0;
            DeviceCondition b = before.get(device);
            DeviceCondition a = after.get(device);
            if (b != null && a != null && a.nanos() > b.nanos()) {
                span = a.nanos() - b.nanos();
                for (Map.Entry<String, Long> e : a.heldBackNanos().entrySet()) {
                    Long start = b.heldBackNanos().get(e.getKey());
                    if (start != null && e.getValue() >= start) { // a counter that went back (driver reload) says nothing
                        heldBack.put(e.getKey(), e.getValue() - start);
                    }
                }
            }
            out.add(new Device(device, list.size(), throttled, new ArrayList<>(reasons), maxT, minClock,
                    clocks == 0 ? Double.NaN : clockSum / clocks, heldBack, span));
        });
        return new OperatingConditions(out);
    }

    /** Whether any device was throttled in any reading of the window, or counted throttle time over it. */
    public boolean throttled() {
        return devices.stream().anyMatch(Device::wasThrottled);
    }

    /** Whether there is anything to report (the sensor reads conditions at all). */
    public boolean isEmpty() {
        return devices.isEmpty();
    }

    /**
     * One line for the console: {@code GPU-1: 12 of 40 readings throttled (swPowerCap), held back
     * 1210 ms of 5.0 s (powerPolicy 1210 ms), max 71 C, SM clock min 1410 mean 1880 MHz}.
     */
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
            if (d.heldBackSpanNanos() > 0) {
                sb.append(String.format(java.util.Locale.ROOT, ", held back %.0f ms of %.1f s", d.throttledNanos() / 1e6,
                        d.heldBackSpanNanos() / 1e9));
                StringBuilder causes = new StringBuilder();
                d.heldBackNanos().forEach((cause, ns) -> {
                    if (ns > 0) {
                        causes.append(causes.length() == 0 ? "" : ", ")
                                .append(String.format(java.util.Locale.ROOT, "%s %.0f ms", cause, ns / 1e6));
                    }
                });
                if (causes.length() > 0) {
                    sb.append(" (").append(causes).append(')');
                }
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
