package org.tokenpowerbench.power.nvml;

import org.tokenpowerbench.UserError;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The options of {@code -prof nvml:...}, as the {@link NvmlSensorProvider} reads them.
 *
 * <ul>
 *   <li>{@code gpus}: which of the visible GPUs to measure, as indices into the visible set
 *       (what CUDA calls {@code cuda:0}, {@code cuda:1}, after {@code CUDA_VISIBLE_DEVICES}),
 *       e.g. {@code gpus=0,1}; {@code all} or absent: every visible GPU.</li>
 *   <li>{@code counterPeriod}: how often, at most, the energy counter is read between window
 *       boundaries (it is always read at boundaries), e.g. {@code 1s} (the default, see
 *       {@link #DEFAULT_COUNTER_PERIOD} for why), {@code 100ms} (the counter's own update
 *       period, at several times the CPU cost); a bare number is milliseconds.</li>
 * </ul>
 * Other keys (such as the sampler's {@code period}) are left to their owners and ignored here.
 *
 * @param gpus          visible indices to measure, or null for all
 * @param counterPeriod minimum time between counter reads on non-boundary samples
 */
public record NvmlOptions(List<Integer> gpus, Duration counterPeriod) {

    /**
     * The default {@code counterPeriod}: 1 s. The counter is read at every window boundary
     * whatever this says, so totals do not depend on it; between boundaries it only re-anchors
     * the power trace's scale. Measured on an H200 (driver 580.159.04) at 100 Hz sampling, a
     * counter read costs 3-14 ms of CPU, so reading it every 100 ms (its own update period) cost
     * 4-15 % of a core per GPU, and with the NVML calls of 8 GPUs 37 % of a core and a sampling
     * rate down to 90 Hz; every 1 s it cost 1.3 % (1 GPU) and 4.4 % (8 GPUs) at a full 100 Hz,
     * while the instant power field kept refreshing every 100 ms on its own.
     */
    public static final Duration DEFAULT_COUNTER_PERIOD = Duration.ofSeconds(1);

    public NvmlOptions {
        gpus = gpus == null ? null : List.copyOf(gpus);
        if (counterPeriod == null || counterPeriod.isNegative()) {
            throw new UserError("counterPeriod must be zero or more, got " + counterPeriod);
        }
    }

    /** Every visible GPU, counter read every second between boundaries. */
    public static NvmlOptions defaults() {
        return new NvmlOptions(null, DEFAULT_COUNTER_PERIOD);
    }

    /**
     * Reads the options.
     *
     * @throws IllegalArgumentException naming the key, the value and what is accepted
     */
    public static NvmlOptions parse(Map<String, String> options) {
        List<Integer> gpus = null;
        String g = options.get("gpus");
        if (g != null && !g.isBlank() && !g.strip().equalsIgnoreCase("all")) {
            gpus = new ArrayList<>();
            for (String part : g.split(",")) {
                String p = part.strip();
                if (!p.matches("[0-9]{1,6}")) {
                    throw new UserError("nvml option gpus=" + g + ": '" + p
                            + "' is not a GPU index; use indices into the visible GPUs such as gpus=0,1, or gpus=all");
                }
                int index = Integer.parseInt(p);
                if (gpus.contains(index)) {
                    throw new UserError("nvml option gpus=" + g + " names GPU " + index + " twice");
                }
                gpus.add(index);
            }
        }
        Duration period = DEFAULT_COUNTER_PERIOD;
        String c = options.get("counterPeriod");
        if (c != null && !c.isBlank()) {
            period = duration("counterPeriod", c);
        }
        return new NvmlOptions(gpus, period);
    }

    /**
     * Reads a duration such as {@code 100ms}, {@code 0.5s}, {@code 250us} or {@code 250}
     * (milliseconds).
     *
     * @throws IllegalArgumentException naming {@code key} and the value
     */
    static Duration duration(String key, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        double scaleNanos;
        String number;
        if (v.endsWith("ms")) {
            scaleNanos = 1e6;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("us")) {
            scaleNanos = 1e3;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            scaleNanos = 1e9;
            number = v.substring(0, v.length() - 1);
        } else {
            scaleNanos = 1e6;
            number = v;
        }
        try {
            double n = Double.parseDouble(number.strip());
            if (n >= 0 && Double.isFinite(n)) {
                return Duration.ofNanos(Math.round(n * scaleNanos));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new UserError("nvml option " + key + "=" + value
                + " is not a duration; use e.g. 100ms, 0.5s or 250 (milliseconds)");
    }
}
