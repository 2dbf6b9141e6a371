package org.tokenpowerbench.prometheus;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the Prometheus text exposition format (version 0.0.4) line by line: a sample is a metric
 * name, optional labels in braces ({@code name="value"}, values with the escapes {@code \\},
 * {@code \"} and {@code \n}), a value ({@code NaN}, {@code +Inf} and {@code -Inf} included) and an
 * optional timestamp in Unix milliseconds; {@code # TYPE} and {@code # HELP} lines describe a
 * family, other {@code #} lines are comments. A histogram is its {@code _bucket}, {@code _sum} and
 * {@code _count} series, each a sample. What OpenMetrics adds and costs nothing to pass over is
 * passed over: {@code # EOF}, {@code # UNIT}, and an exemplar after {@code " # "}.
 *
 * <p>Strict per line, tolerant per body: a line that breaks the grammar (an unclosed quote, an
 * unknown escape, a label named twice, a value Java would take but Go's {@code ParseFloat} would
 * not, such as {@code 1f}) is skipped and counted in {@link Exposition#malformedLines()}; it never
 * fails the scrape, since one odd line from a new engine version must not cost a wave its figures.
 *
 * <p>Written here because the maintained Java libraries write the format and do not read it: the
 * official {@code io.prometheus:prometheus-metrics-exposition-textformats} has only writers
 * (Prometheus text, OpenMetrics, protobuf), and neither Micrometer nor OpenTelemetry's exporter
 * parses it.
 */
public final class ExpositionParser {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d{1,19}");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped",
            "unknown", "gaugehistogram", "stateset", "info");

    private ExpositionParser() {
    }

    /** Parses a whole body. */
    public static Exposition parse(String body) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        int malformed = 0;
        for (String raw : body.split("\n", -1)) {
            String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
            if (line.isBlank()) {
                continue;
            }
            if (line.stripLeading().startsWith("#")) {
                if (!comment(line.stripLeading(), types)) {
                    malformed++;
                }
                continue;
            }
            Sample s = sample(line);
            if (s == null) {
                malformed++;
            } else {
                samples.add(s);
            }
        }
        return new Exposition(samples, types, malformed);
    }

    /** A {@code #} line: TYPE recorded, HELP and plain comments accepted; false when a TYPE or HELP line is broken. */
    private static boolean comment(String line, Map<String, String> types) {
        String[] parts = line.substring(1).trim().split("[ \t]+", 3);
        if (parts.length == 0 || !(parts[0].equals("TYPE") || parts[0].equals("HELP"))) {
            return true; // a comment, # EOF or # UNIT
        }
        if (parts.length < 2 || !isMetricName(parts[1])) {
            return false;
        }
        if (parts[0].equals("TYPE")) {
            if (parts.length < 3 || !TYPES.contains(parts[2].trim().toLowerCase(Locale.ROOT))) {
                return false;
            }
            types.put(parts[1], parts[2].trim().toLowerCase(Locale.ROOT));
        }
        return true;
    }

    /** One sample line, or null when it breaks the grammar. */
    static Sample sample(String line) {
        int i = skipBlanks(line, 0);
        int nameEnd = i;
        while (nameEnd < line.length() && isNameChar(line.charAt(nameEnd), nameEnd == i)) {
            nameEnd++;
        }
        if (nameEnd == i) {
            return null;
        }
        String name = line.substring(i, nameEnd);
        i = skipBlanks(line, nameEnd);
        Map<String, String> labels = new HashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = labels(line, i + 1, labels);
            if (i < 0) {
                return null;
            }
        }
        String rest = line.substring(i).trim();
        int exemplar = rest.indexOf(" # ");
        if (exemplar >= 0) {
            rest = rest.substring(0, exemplar).trim(); // OpenMetrics exemplar: not ours to read
        }
        if (rest.isEmpty()) {
            return null;
        }
        String[] fields = rest.split("[ \t]+");
        if (fields.length > 2) {
            return null;
        }
        double value = value(fields[0]);
        if (Double.isNaN(value) && !fields[0].equalsIgnoreCase("nan")) {
            return null;
        }
        Long timestamp = null;
        if (fields.length == 2) {
            if (!TIMESTAMP.matcher(fields[1]).matches()) {
                return null;
            }
            try {
                timestamp = Long.parseLong(fields[1]);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return new Sample(name, labels, value, timestamp);
    }

    /** Reads labels after the opening brace into {@code out}; the index after the closing brace, or -1. */
    private static int labels(String line, int i, Map<String, String> out) {
        while (true) {
            i = skipBlanks(line, i);
            if (i >= line.length()) {
                return -1;
            }
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int nameEnd = i;
            while (nameEnd < line.length() && isLabelChar(line.charAt(nameEnd), nameEnd == i)) {
                nameEnd++;
            }
            if (nameEnd == i) {
                return -1;
            }
            String name = line.substring(i, nameEnd);
            i = skipBlanks(line, nameEnd);
            if (i >= line.length() || line.charAt(i) != '=') {
                return -1;
            }
            i = skipBlanks(line, i + 1);
            if (i >= line.length() || line.charAt(i) != '"') {
                return -1;
            }
            StringBuilder value = new StringBuilder();
            i++;
            boolean closed = false;
            while (i < line.length()) {
                char c = line.charAt(i++);
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\') {
                    if (i >= line.length()) {
                        return -1;
                    }
                    char e = line.charAt(i++);
                    switch (e) {
                        case '\\' -> value.append('\\');
                        case '"' -> value.append('"');
                        case 'n' -> value.append('\n');
                        default -> {
                            return -1;
                        }
                    }
                } else {
                    value.append(c);
                }
            }
            if (!closed || out.put(name, value.toString()) != null) {
                return -1;
            }
            i = skipBlanks(line, i);
            if (i < line.length() && line.charAt(i) == ',') {
                i++;
            } else if (i >= line.length() || line.charAt(i) != '}') {
                return -1;
            }
        }
    }

    /** A value as Go's {@code ParseFloat} reads it; NaN for what it would refuse (and for {@code NaN} itself). */
    static double value(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        String unsigned = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        boolean negative = t.startsWith("-");
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!NUMBER.matcher(text).matches()) {
            return Double.NaN;
        }
        return Double.parseDouble(text);
    }

    static boolean isMetricName(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isNameChar(s.charAt(i), i == 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
    }

    private static boolean isLabelChar(char c, boolean first) {
        return c != ':' && isNameChar(c, first);
    }

    private static int skipBlanks(String line, int i) {
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}
