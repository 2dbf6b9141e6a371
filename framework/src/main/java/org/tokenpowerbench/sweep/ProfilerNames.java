package org.tokenpowerbench.sweep;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.profile.ProfilerFactory;
import org.openjdk.jmh.runner.options.ProfilerConfig;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.jmh.PowerProfiler;
import org.tokenpowerbench.jmh.RequestMetricsProfiler;
import org.tokenpowerbench.power.PowerSensors;

/**
 * What a name after {@code -prof} means, the way JMH's {@code ProfilerFactory} maps its short
 * names: {@code tpb} is the request metrics profiler, and the id of every power sensor that
 * {@code ServiceLoader} finds ({@code cpu}, {@code rapl}, {@code nvml}, or a third party's) is
 * our one {@link PowerProfiler} with {@code sensor=<id>} in front of the user's options. Every
 * other name is JMH's (its own short names, or a profiler class) and passes through unchanged.
 * A sensor is therefore registered once, in its services file, and reachable with {@code -prof}.
 */
final class ProfilerNames {

    /** Our name for the request metrics profiler. */
    static final String METRICS = "tpb";

    private final SortedMap<String, String> sensors;

    /** The names of this class path's sensors, found by {@code ServiceLoader}. */
    ProfilerNames() {
        this(PowerSensors.descriptions());
    }

    /** @param sensors sensor id to one-line description */
    ProfilerNames(SortedMap<String, String> sensors) {
        this.sensors = sensors;
    }

    /** Our names and what each is, sorted: {@code tpb} and every sensor id. */
    SortedMap<String, String> ours() {
        SortedMap<String, String> out = new java.util.TreeMap<>(sensors);
        out.put(METRICS, "request metrics: TTFT, TPOT, ITL, E2E percentiles, tokens/s, token counts (always on)");
        return out;
    }

    /**
     * The profiler JMH should load for {@code spec} ({@code name[:options]}): a class name with
     * the options after a colon, or {@code spec} unchanged when the name is not ours.
     */
    String resolve(String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String options = colon < 0 ? "" : spec.substring(colon + 1);
        if (name.equals(METRICS)) {
            return RequestMetricsProfiler.class.getName() + (colon < 0 ? "" : ":" + options);
        }
        if (sensors.containsKey(name)) {
            return PowerProfiler.class.getName() + ":" + PowerProfiler.SENSOR + "=" + name
                    + (options.isBlank() ? "" : ";" + options);
        }
        return spec;
    }

    /**
     * Makes every profiler of the run once here, so that a name nobody knows, a sensor this
     * machine lacks (no NVML driver, unreadable RAPL) or a bad option stops the run before the
     * first trial with one line, instead of failing inside every fork.
     *
     * @throws UserError naming the profiler and what to do
     */
    void check(Iterable<ProfilerConfig> profilers) {
        for (ProfilerConfig p : profilers) {
            String klass = p.getKlass();
            if (klass.equals(RequestMetricsProfiler.class.getName())) {
                continue;
            }
            try {
                ProfilerFactory.getProfilerOrException(p);
            } catch (ProfilerException e) {
                if (klass.equals(PowerProfiler.class.getName())) {
                    throw new UserError(rootMessage(e));
                }
                if (!isClass(klass) && !jmhNames().containsKey(klass)) {
                    throw new UserError("-prof " + klass + ": no such profiler; ours are " + String.join(", ", ours().keySet())
                            + ", JMH's are " + String.join(", ", jmhNames().keySet()) + " (see -lprof)");
                }
                throw new UserError("-prof " + klass + (p.getOpts().isEmpty() ? "" : ":" + p.getOpts()) + " cannot run here: "
                        + rootMessage(e));
            }
        }
    }

    private static boolean isClass(String name) {
        try {
            Class.forName(name, false, ProfilerNames.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The innermost message of a profiler's failure: the sensor's own one line. */
    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage() != null ? t.getMessage() : t.toString();
        return m.strip().replace('\n', ' ');
    }

    private static final Pattern LISTED = Pattern.compile("^\\s+([A-Za-z0-9_.-]+): ?(.*)$");

    /**
     * JMH's own profiler names, supported here or not, read from JMH's listing (JMH offers no
     * other public way to enumerate them). Slow (it tries each one): only for an error or
     * {@code -lprof}.
     */
    static Map<String, String> jmhNames() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProfilerFactory.listProfilers(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n")) {
            Matcher m = LISTED.matcher(line);
            if (m.matches()) {
                out.put(m.group(1), m.group(2).strip());
            }
        }
        SortedSet<String> sorted = new TreeSet<>(out.keySet());
        Map<String, String> result = new LinkedHashMap<>();
        sorted.forEach(k -> result.put(k, out.get(k)));
        return result;
    }

    /** The lines {@code -lprof} adds after JMH's own list. */
    String listing() {
        StringBuilder sb = new StringBuilder("TokenPowerBench profilers: ").append(ours().keySet()).append('\n');
        ours().forEach((id, d) -> sb.append(String.format("%12s: %s%n", id, d)));
        sb.append("  Options after a colon, ';' between pairs: -prof nvml:period=10ms;gpus=0,1\n");
        return sb.toString();
    }
}
