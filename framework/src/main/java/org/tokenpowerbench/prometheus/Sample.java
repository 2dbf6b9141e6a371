package org.tokenpowerbench.prometheus;

import java.util.Map;
import java.util.TreeMap;

/**
 * One line of an exposition: a series and its value.
 *
 * @param name        the sample's name as written (a histogram's {@code _bucket}, {@code _sum},
 *                    {@code _count} lines are samples of their own)
 * @param labels      label names to values, sorted by name, escapes resolved
 * @param value       the value; {@code NaN} and the infinities as written
 * @param timestampMs the exposition's own timestamp in Unix milliseconds, or null when it has none
 */
public record Sample(String name, Map<String, String> labels, double value, Long timestampMs) {

    public Sample {
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
    }
}
