package org.tokenpowerbench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.UserError;

/**
 * One day of a service's traffic, as {@code report --forecast traffic.csv} reads it: plain
 * comma-separated lines under a header naming {@code time}, {@code requests_per_s},
 * {@code mean_prompt_tokens} and {@code mean_output_tokens} (any order; other columns are
 * ignored; no quoting). {@code time} is a time of day ({@code 08:00}, {@code 08:00:30}) or an
 * ISO date-time ({@code 2026-03-02T08:00}, with or without an offset), the rows in time order and
 * within 24 h of the first. Each row holds until the next; the last until 24 h after the first,
 * so the rows cover exactly one day. The user wrote this file, so every mistake in it is a
 * {@link UserError} naming the line and the column.
 *
 * @param file the file, as named on the command line
 * @param rows its rows, in time order
 */
public record TrafficProfile(Path file, List<Row> rows) {

    public static final double DAY_S = 86_400;
    static final List<String> COLUMNS = List.of("time", "requests_per_s", "mean_prompt_tokens", "mean_output_tokens");

    /**
     * One row of the day.
     *
     * @param line             its line number in the file (1 is the header)
     * @param time             the {@code time} field as written
     * @param durationS        how long it holds: until the next row, the last until the day ends
     * @param requestsPerS     requests per second, 0 or more
     * @param meanPromptTokens mean prompt tokens per request, 0 or more
     * @param meanOutputTokens mean output tokens per request, 0 or more
     */
    public record Row(int line, String time, double durationS, double requestsPerS, double meanPromptTokens,
                      double meanOutputTokens) {

        /** The output tokens per second this row asks of the service: the load the curve is read at. */
        public double outputTokensPerS() {
            return requestsPerS * meanOutputTokens;
        }
    }

    public TrafficProfile {
        rows = List.copyOf(rows);
    }

    /** Reads and checks {@code file}. */
    public static TrafficProfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("report --forecast: cannot read " + file + " (" + e.getMessage()
                    + "); give a CSV file with the columns " + String.join(",", COLUMNS));
        }
        return parse(file, lines);
    }

    /** The most rows a day of traffic has here: one a second. */
    static final int MAX_ROWS = 86_400;
    /** The largest figure a column may hold: beyond it a day's energy overflows, and no service runs it. */
    static final double MAX_VALUE = 1e9;

    static TrafficProfile parse(Path file, List<String> lines) {
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new UserError(file + " line 1: no header; the first line must name the columns "
                    + String.join(",", COLUMNS));
        }
        String[] header = fields(lines.get(0).replace("\uFEFF", "")); // a spreadsheet's byte-order mark
        Map<String, Integer> at = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
            at.putIfAbsent(header[i].toLowerCase(Locale.ROOT), i);
        }
        for (String c : COLUMNS) {
            if (java.util.Arrays.stream(header).filter(h -> h.toLowerCase(Locale.ROOT).equals(c)).count() > 1) {
                throw new UserError(file + " line 1: the column " + c + " is named twice; which one holds the traffic is"
                        + " not ours to pick: keep one");
            }
            if (!at.containsKey(c)) {
                throw new UserError(file + " line 1: no column " + c + "; the header must name "
                        + String.join(",", COLUMNS) + " (it names " + String.join(",", header) + ")");
            }
        }
        long rowCount = lines.stream().skip(1).filter(l -> !l.isBlank()).count();
        if (rowCount > MAX_ROWS) {
            throw new UserError(file + ": " + rowCount + " rows; one day at a row a second is " + MAX_ROWS
                    + ": give the traffic a row a second or coarser");
        }
        List<double[]> read = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        List<String> times = new ArrayList<>();
        double first = Double.NaN;
        double previous = Double.NaN;
        for (int n = 2; n <= lines.size(); n++) {
            String text = lines.get(n - 1);
            if (text.isBlank()) {
                continue;
            }
            String[] f = fields(text);
            if (f.length < header.length) {
                throw new UserError(file + " line " + n + ": " + f.length + " fields, the header has " + header.length
                        + "; give every column a value");
            }
            String timeText = f[at.get("time")];
            double seconds = seconds(file, n, timeText);
            if (Double.isNaN(first)) {
                first = seconds;
            } else if (!(seconds > previous)) {
                throw new UserError(file + " line " + n + ", column time: " + timeText
                        + " is not after the row before; give the rows in time order, one day");
            } else if (seconds - first >= DAY_S) {
                throw new UserError(file + " line " + n + ", column time: " + timeText
                        + " is 24 h or more after the first row; give one day of traffic");
            }
            previous = seconds;
            read.add(new double[] {seconds, number(file, n, "requests_per_s", f[at.get("requests_per_s")]),
                    number(file, n, "mean_prompt_tokens", f[at.get("mean_prompt_tokens")]),
                    number(file, n, "mean_output_tokens", f[at.get("mean_output_tokens")])});
            lineNumbers.add(n);
            times.add(timeText);
        }
        if (read.isEmpty()) {
            throw new UserError(file + ": a header but no rows; give at least one line of traffic under it");
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < read.size(); i++) {
            double end = i + 1 < read.size() ? read.get(i + 1)[0] : first + DAY_S;
            double[] r = read.get(i);
            rows.add(new Row(lineNumbers.get(i), times.get(i), end - r[0], r[1], r[2], r[3]));
        }
        return new TrafficProfile(file, rows);
    }

    private static String[] fields(String line) {
        String[] f = line.split(",", -1);
        for (int i = 0; i < f.length; i++) {
            f[i] = f[i].strip();
        }
        return f;
    }

    /** Seconds since midnight for a time of day; since the epoch for a date-time (only differences count). */
    private static double seconds(Path file, int line, String text) {
        try {
            return LocalTime.parse(text).toNanoOfDay() / 1e9;
        } catch (DateTimeParseException e) {
            // not a time of day: try a date-time below
        }
        try {
            return OffsetDateTime.parse(text).toEpochSecond() + OffsetDateTime.parse(text).getNano() / 1e9;
        } catch (DateTimeParseException e) {
            // no offset: try a local date-time below
        }
        try {
            LocalDateTime t = LocalDateTime.parse(text);
            return t.toLocalDate().toEpochDay() * DAY_S + t.toLocalTime().toNanoOfDay() / 1e9;
        } catch (DateTimeParseException e) {
            throw new UserError(file + " line " + line + ", column time: \"" + text + "\" is no time; write HH:MM"
                    + " (08:00), HH:MM:SS or an ISO date-time (2026-03-02T08:00)");
        }
    }

    private static double number(Path file, int line, String column, String text) {
        try {
            double v = Double.parseDouble(text);
            if (v >= 0 && v <= MAX_VALUE) {
                return v;
            }
            if (v > MAX_VALUE && Double.isFinite(v)) {
                throw new UserError(file + " line " + line + ", column " + column + ": " + text + " is beyond any"
                        + " traffic (at most " + (long) MAX_VALUE + "); a forecast from it would overflow");
            }
        } catch (NumberFormatException e) {
            // the line below says what is accepted
        }
        throw new UserError(file + " line " + line + ", column " + column + ": \"" + text
                + "\" is no number of 0 or more; e.g. " + (column.equals("requests_per_s") ? "12.5" : "512"));
    }
}
