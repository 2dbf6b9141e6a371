package org.tokenpowerbench.power.nvml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.OptionLine;

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
 *       period, at several times the CPU cost); read by {@link OptionLine#duration(String, String, String)}.</li>
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
            throw new IllegalArgumentException("counterPeriod must be zero or more, got " + counterPeriod);
        }
    }

    /** Every visible GPU, counter read every second between boundaries. */
    public static NvmlOptions defaults() {
        return new NvmlOptions(null, DEFAULT_COUNTER_PERIOD);
    }

    /**
     * Reads the options, as {@code -prof nvml:...} passes them on.
     *
     * @throws UserError naming the key, the value and what is accepted
     */
    public static NvmlOptions parse(Map<String, String> options) {
        OptionLine line = new OptionLine("-prof nvml", options);
        List<Integer> gpus = null;
        String g = line.get("gpus", "all").strip();
        if (!g.equalsIgnoreCase("all")) {
            gpus = new ArrayList<>();
            for (String part : g.split(",")) {
                String p = part.strip();
                if (!p.matches("[0-9]{1,6}")) {
                    throw new UserError(line.owner() + ": gpus=" + g + ": '" + p + "' is not a GPU index;"
                            + " use indices into the visible GPUs such as gpus=0,1, or gpus=all");
                }
                int index = Integer.parseInt(p);
                if (gpus.contains(index)) {
                    throw new UserError(line.owner() + ": gpus=" + g + " names GPU " + index + " twice;"
                            + " name each GPU once");
                }
                gpus.add(index);
            }
        }
        return new NvmlOptions(gpus, line.duration("counterPeriod", DEFAULT_COUNTER_PERIOD));
    }
}
