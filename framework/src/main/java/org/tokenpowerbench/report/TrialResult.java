package org.tokenpowerbench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one trial measured, as listeners and {@code summary.json} see it: JMH's results turned
 * into plain data, so that nothing below the sweep needs JMH's types.
 *
 * @param benchmark the benchmark's full name ({@code package.Class.method})
 * @param params    one value per parameter, in JMH's order (by name)
 * @param wave      the primary result: seconds per wave
 * @param metrics   every secondary result by label, e.g. {@code nvml.J/outputToken}, {@code ttft.p50}
 */
public record TrialResult(String benchmark, Map<String, String> params, Metric wave, Map<String, Metric> metrics) {

    public TrialResult {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
}
