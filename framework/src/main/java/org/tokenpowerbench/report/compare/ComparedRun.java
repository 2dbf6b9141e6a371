package org.tokenpowerbench.report.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.TrialResult;

/**
 * One side of a comparison: every complete trial's metrics over iterations, read from a run
 * folder ({@code summary.json}) or from a JMH JSON result file ({@code -rf json}), keyed by the
 * trial's benchmark and parameters so that a folder compares with a file as well.
 *
 * @param source what was read (the folder or the file)
 * @param trials by trial ({@link #trialName}), each metric by label; the primary result is {@link Comparison#WAVE}
 * @param failed the trials the run recorded as failed, by trial, with their reasons (a run folder's
 *               {@code summary.json}; a JMH JSON file keeps none)
 */
record ComparedRun(Path source, Map<String, Map<String, IterationStats>> trials, Map<String, List<String>> failed) {

    private static final ObjectMapper JSON = new ObjectMapper();

    ComparedRun {
        trials = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(trials));
        failed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(failed));
    }

    /** Adds a trial; one that is there already is refused: which of two would count is not ours to pick. */
    private static void put(Map<String, Map<String, IterationStats>> trials, String name,
                            Map<String, IterationStats> metrics, Path source) {
        if (trials.putIfAbsent(name, metrics) != null) {
            throw new UserError("report --compare: " + source + " holds the trial " + name + " twice; a run holds"
                    + " each trial once, so this one was edited or joined from two runs: give the run as it was written");
        }
    }

    /**
     * The results at {@code path}: a run folder or a JMH JSON file.
     *
     * @throws UserError when it is neither, or holds no complete trial
     */
    static ComparedRun read(Path path) {
        ComparedRun run = Files.isDirectory(path) ? readFolder(path) : readJmhJson(path);
        if (run.trials().isEmpty()) {
            throw new UserError("report --compare: " + path + " holds no complete trial; give a run folder or a"
                    + " JMH JSON file (-rf json) of a run that finished a trial");
        }
        return run;
    }

    /** The trial's name: the benchmark method, then its parameters by name. */
    static String trialName(String benchmark, Map<String, String> params) {
        String[] parts = benchmark.split("\\.");
        StringJoiner s = new StringJoiner(" ");
        s.add(parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark);
        new TreeMap<>(params).forEach((k, v) -> s.add(k + "=" + v));
        return s.toString();
    }

    private static ComparedRun readFolder(Path dir) {
        if (!Files.exists(dir.resolve(SummaryFile.NAME))) {
            throw new UserError("report --compare: " + dir + " has no " + SummaryFile.NAME
                    + "; give a run folder a sweep wrote (tpb-results/<date>) or a JMH JSON file");
        }
        SummaryFile.Summary summary;
        try {
            summary = SummaryFile.read(dir);
        } catch (IOException e) {
            throw new UserError("report --compare: cannot read " + dir.resolve(SummaryFile.NAME) + ": "
                    + e.getMessage());
        }
        Map<String, Map<String, IterationStats>> trials = new LinkedHashMap<>();
        for (TrialResult t : summary.trials()) {
            Map<String, IterationStats> metrics = new LinkedHashMap<>();
            long n = t.metrics().values().stream().mapToLong(Metric::samples).max().orElse(0);
            if (t.wave() != null) {
                // summary.json keeps no sample count for the wave; it has as many iterations as the rest
                metrics.put(Comparison.WAVE, IterationStats.ofJmh(t.wave(), Math.max(n, t.wave().samples())));
            }
            t.metrics().forEach((label, m) -> metrics.put(label, IterationStats.ofJmh(m, m.samples())));
            put(trials, trialName(t.benchmark(), t.params()), metrics, dir);
        }
        Map<String, List<String>> failed = new LinkedHashMap<>();
        for (org.tokenpowerbench.report.FailedTrial f : summary.failed()) {
            failed.put(trialName(f.benchmark(), f.params()), f.reasons());
        }
        return new ComparedRun(dir, trials, failed);
    }

    private static ComparedRun readJmhJson(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("report --compare: " + file + " is neither a run folder nor a file; give a run"
                    + " folder (tpb-results/<date>) or a JMH JSON file (-rf json)");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError("report --compare: " + file + " is not JSON (" + firstLine(e.getMessage())
                    + "); give a JMH JSON file (-rf json) or a run folder");
        }
        if (root == null || !root.isArray()) {
            throw new UserError("report --compare: " + file + " is not a JMH JSON result file (no array of"
                    + " benchmarks); write one with -rf json");
        }
        Map<String, Map<String, IterationStats>> trials = new LinkedHashMap<>();
        for (JsonNode b : root) {
            if (!b.hasNonNull("benchmark") || !b.has("primaryMetric")) {
                throw new UserError("report --compare: " + file + " is not a JMH JSON result file (an entry"
                        + " without benchmark or primaryMetric); write one with -rf json");
            }
            Map<String, String> params = new LinkedHashMap<>();
            b.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            Map<String, IterationStats> metrics = new LinkedHashMap<>();
            metrics.put(Comparison.WAVE, stats(b.get("primaryMetric")));
            for (Iterator<Map.Entry<String, JsonNode>> it = b.path("secondaryMetrics").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                metrics.put(e.getKey(), stats(e.getValue()));
            }
            put(trials, trialName(b.get("benchmark").asText(), params), metrics, file);
        }
        return new ComparedRun(file, trials, Map.of());
    }

    /** A metric from its raw data (every fork's iterations, fork by fork), else from its score and error. */
    private static IterationStats stats(JsonNode metric) {
        String unit = metric.path("scoreUnit").asText("");
        List<double[]> forks = new ArrayList<>();
        for (JsonNode fork : metric.path("rawData")) {
            List<Double> values = new ArrayList<>();
            for (JsonNode v : fork) {
                values.add(number(v));
            }
            forks.add(values.stream().mapToDouble(Double::doubleValue).toArray());
        }
        if (forks.stream().anyMatch(f -> f.length > 0)) {
            return IterationStats.ofForks(forks.toArray(new double[0][]), unit);
        }
        return IterationStats.ofJmh(new Metric(number(metric.path("score")), number(metric.path("scoreError")), unit,
                0), 0);
    }

    /** JMH writes NaN and infinities as strings. */
    private static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        try {
            return Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
