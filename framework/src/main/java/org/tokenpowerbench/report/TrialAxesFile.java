package org.tokenpowerbench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.axes.AxisValues;

/**
 * {@code trial-axes.csv}: one row per trial and invocation (the command that ran it), written by
 * the fork when the trial opens, with every axis of the table as a column ({@code batch},
 * {@code model}, {@code rate}, ...: the value the trial used, its default where the benchmark did
 * not set it, empty for an optional axis it does not have). Every other file carries
 * {@code trial_id} and {@code invocation}, so one join gives any row its axes.
 *
 * <p>Why per invocation: a resumed sweep runs a failed trial again into the same folder, and its
 * old attempt's rows stay. A trial's last row here is its latest attempt; joining on
 * {@code (trial_id, invocation)} with that row keeps the rows of that attempt and drops the old
 * ones (a trial skipped by the resume keeps the attempt that completed it).
 *
 * <p>The columns are the axis table's when the file is created; a later command that knows more
 * axes writes the columns the header has, so the file stays rectangular.
 */
public final class TrialAxesFile {

    public static final String FILE = "trial-axes.csv";

    private TrialAxesFile() {
    }

    /** The header a new file gets: the key, then every axis in the table's order, then the description. */
    static String header() {
        List<String> names = new ArrayList<>(List.of("trial_id", "invocation", "benchmark"));
        for (Axis a : Axis.values()) {
            names.add(a.paramName());
        }
        names.add("trial");
        return String.join(",", names) + "\n";
    }

    /** Appends the trial's row unless this invocation has written it already (another fork of the same trial). */
    public static void append(RunDirectory dir, TrialKey trial, AxisValues values) {
        Path file = dir.root().resolve(FILE);
        String invocation = RunDirectory.invocation();
        String key = trial.id() + "," + RunDirectory.csv(invocation) + ",";
        List<String> columns = List.of(header().strip().split(","));
        if (Files.exists(file)) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.stream().anyMatch(l -> l.startsWith(key))) {
                    return;
                }
                if (!lines.isEmpty()) {
                    columns = List.of(lines.get(0).split(","));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        List<String> row = new ArrayList<>();
        for (String column : columns) {
            row.add(switch (column) {
                case "trial_id" -> trial.id();
                case "invocation" -> RunDirectory.csv(invocation);
                case "benchmark" -> RunDirectory.csv(trial.benchmark());
                case "trial" -> RunDirectory.csv(trial.description());
                default -> {
                    Axis axis = Axis.named(column);
                    Object v = axis == null ? null : values.get(axis);
                    yield v == null ? "" : RunDirectory.csv(String.valueOf(v));
                }
            });
        }
        dir.append(FILE, header(), String.join(",", row) + "\n");
    }

    /**
     * Every row of the file, each as column name to text (quotes undone), in the order written;
     * empty when the run folder has no such file (a run from before it existed).
     */
    public static List<Map<String, String>> read(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Map<String, String>> out = new ArrayList<>();
        if (lines.isEmpty()) {
            return out;
        }
        List<String> header = cells(lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            List<String> cells = cells(line);
            if (cells.size() != header.size()) {
                continue; // a row cut short by a crash mid-write: RunDirectory.append undoes those, but be safe
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            out.add(row);
        }
        return out;
    }

    /** One CSV line as {@link RunDirectory#csv} writes it: a cell with a comma or a quote is quoted, quotes doubled. */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString());
        return out;
    }
}
