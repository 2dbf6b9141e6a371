package org.tokenpowerbench.report.compare;

import java.util.List;

/**
 * Which way a metric is better. Energy (any joules figure) and time (latencies, seconds per wave)
 * are better lower; throughput ({@code .../s}) and goodput's share better higher; the rest (token
 * counts, average power, failures) only move, and a comparison says up or down without judging:
 * average power that rises because the GPU finishes sooner is no regression.
 */
enum Direction {
    LOWER_IS_BETTER, HIGHER_IS_BETTER, NEITHER;

    private static final List<String> TIMES = List.of("ttft.", "tpot.", "itl.", "e2e.", "queue.", "latency.",
            "ttfat.");

    static Direction of(String label, String unit) {
        if (label.contains("J/") || label.endsWith(".J") || label.equals(Comparison.WAVE) || joules(unit)) {
            return LOWER_IS_BETTER;
        }
        if (TIMES.stream().anyMatch(label::startsWith) && "ms".equals(unit)) {
            return LOWER_IS_BETTER;
        }
        if (label.endsWith("/s") || label.equals("goodput.share")) {
            return HIGHER_IS_BETTER;
        }
        return NEITHER;
    }

    /**
     * A joules figure by its unit ({@code J}, {@code J/token}, {@code J (95 %)}), whatever its name:
     * {@code nvml.energy} and {@code nvml.dynamic.energy/outputToken} are named without a J, and the
     * second is what a user is told to gate on where the host's steal slowed the engine.
     */
    private static boolean joules(String unit) {
        return unit != null && (unit.equals("J") || unit.startsWith("J/") || unit.startsWith("J "));
    }
}
