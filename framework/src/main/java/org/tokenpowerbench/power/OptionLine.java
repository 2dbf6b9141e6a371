package org.tokenpowerbench.power;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.tokenpowerbench.UserError;

/**
 * Options written as {@code key=value} pairs, and the one reader of the durations in them.
 *
 * <p>A profiler takes them after its name, JMH style, separated by {@code ;}
 * ({@code -prof nvml:period=10ms;gpus=0,1}: {@link #parse}); a sensor gets them as a map from
 * the profiler ({@link #OptionLine(String, Map)}); the project's command-line tools take one pair
 * per argument ({@link #of}). Every form reads durations the same way ({@link #duration}), so
 * {@code period=10ms} means the same to the profiler, to the NVML sensor's {@code counterPeriod}
 * and to the tools in {@code tools/}.
 *
 * <p>A mistake in a pair or a value is the user's to put right: it throws {@link UserError}
 * whose one line starts with {@link #owner()} (what the user typed to get here, e.g.
 * {@code -prof nvml}) and names the key and the value.
 *
 * @param owner  who takes the options, in the user's words (e.g. {@code -prof nvml}); begins every error
 * @param values the pairs in the order written; a later pair with the same key replaces an earlier one
 */
public record OptionLine(String owner, Map<String, String> values) {

    public OptionLine {
        Objects.requireNonNull(owner, "owner");
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * Reads {@code key=value} pairs separated by {@code ;}; blank pairs are skipped, keys and values
     * are trimmed. A null or blank line has no options.
     *
     * @throws UserError for a pair without {@code =} or with an empty key, naming the pair
     */
    public static OptionLine parse(String owner, String line) {
        return of(owner, line == null ? List.of() : List.of(line.split(";")));
    }

    /**
     * Reads one {@code key=value} pair per element, as a tool takes its command-line arguments;
     * blank elements are skipped.
     *
     * @throws UserError for a pair without {@code =} or with an empty key, naming the pair
     */
    public static OptionLine of(String owner, List<String> pairs) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : pairs) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq < 0 || pair.substring(0, eq).isBlank()) {
                throw new UserError(owner + ": option '" + pair.strip() + "' is not key=value;"
                        + " write pairs such as period=10ms, separated by ';' after a profiler's name");
            }
            values.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return new OptionLine(owner, values);
    }

    /** The value of {@code key}, or {@code fallback} (which may be null) when it is absent or blank. */
    public String get(String key, String fallback) {
        String v = values.get(key);
        return v == null || v.isBlank() ? fallback : v;
    }

    /** These options without {@code keys}: what is left for the next owner (a sensor after its profiler). */
    public OptionLine without(String... keys) {
        Map<String, String> rest = new LinkedHashMap<>(values);
        for (String k : keys) {
            rest.remove(k);
        }
        return new OptionLine(owner, rest);
    }

    /**
     * The duration under {@code key}, or {@code fallback} when it is absent or blank.
     *
     * @throws UserError when the value is not a duration (see {@link #duration(String, String, String)})
     */
    public Duration duration(String key, Duration fallback) {
        String v = get(key, null);
        return v == null ? fallback : duration(owner, key, v);
    }

    /**
     * Reads a duration: a number of milliseconds ({@code 10ms}), seconds ({@code 0.5s}),
     * microseconds ({@code 250us}), or a bare number, which is milliseconds ({@code 250}); case
     * and spaces around the number do not matter. Rounded to the nanosecond.
     *
     * @throws UserError when {@code value} is not one of these, or is negative, not finite or too
     *                   long for a {@link Duration} of nanoseconds; the line names {@code owner},
     *                   {@code key} and {@code value}
     */
    public static Duration duration(String owner, String key, String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        double nanosPerUnit = 1e6;
        String number = v;
        if (v.endsWith("ms")) {
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("us")) {
            nanosPerUnit = 1e3;
            number = v.substring(0, v.length() - 2);
        } else if (v.endsWith("s")) {
            nanosPerUnit = 1e9;
            number = v.substring(0, v.length() - 1);
        }
        double nanos = Double.NaN;
        try {
            nanos = Double.parseDouble(number.strip()) * nanosPerUnit;
        } catch (NumberFormatException e) {
            // the line below says what is accepted
        }
        if (nanos >= 0 && nanos < Long.MAX_VALUE) {
            return Duration.ofNanos(Math.round(nanos));
        }
        throw new UserError(owner + ": " + key + "=" + value + " is not a duration; write zero or more"
                + " milliseconds, seconds or microseconds, e.g. " + key + "=10ms, 0.5s or 250us (a bare number is"
                + " milliseconds)");
    }
}
