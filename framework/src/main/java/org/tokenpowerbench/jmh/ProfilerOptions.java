package org.tokenpowerbench.jmh;

import org.tokenpowerbench.UserError;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Options after a profiler's name, JMH style: {@code -prof nvml:period=10ms;gpus=0,1}. Pairs are
 * separated by {@code ;}, keys from values by {@code =}.
 */
final class ProfilerOptions {

    private ProfilerOptions() {
    }

    static Map<String, String> parse(String profiler, String line) {
        Map<String, String> options = new LinkedHashMap<>();
        if (line == null || line.isBlank()) {
            return options;
        }
        for (String pair : line.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserError("-prof " + profiler + ": option '" + pair + "' is not key=value "
                        + "(write e.g. -prof " + profiler + ":period=10ms)");
            }
            options.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return options;
    }

    /** Parses {@code 10ms}, {@code 1s}, {@code 500us} or a bare number of milliseconds. */
    static Duration duration(String profiler, String key, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e6));
            }
            if (v.endsWith("us")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e3));
            }
            if (v.endsWith("s")) {
                return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1e9));
            }
            return Duration.ofNanos(Math.round(Double.parseDouble(v) * 1e6));
        } catch (NumberFormatException e) {
            throw new UserError("-prof " + profiler + ": " + key + "=" + value
                    + " is not a duration: write e.g. " + key + "=10ms");
        }
    }
}
