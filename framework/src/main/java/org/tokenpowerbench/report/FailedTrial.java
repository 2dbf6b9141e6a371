package org.tokenpowerbench.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trial of this run that did not complete.
 *
 * @param benchmark the benchmark's full name
 * @param params    its parameter values
 * @param reasons   one line each: the failures it wrote, or what stopped it
 */
public record FailedTrial(String benchmark, Map<String, String> params, java.util.List<String> reasons) {

    public FailedTrial {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        reasons = java.util.List.copyOf(reasons);
    }
}
