package org.tokenpowerbench.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;
import org.tokenpowerbench.energy.EnergyBudget;

/**
 * Do a run's 95 % intervals cover what reruns of the same point measure (issue 14, item 3)? Reads
 * N run folders of one point (one trial each, e.g. {@code rerun-1 … rerun-5} of
 * {@code benchmarks.jar … -p batch=8 -i 3}), takes the measured iterations of each from its
 * {@code iterations.jsonl} ({@code kind=energy}), and for every run asks whether its interval holds
 * the mean of the other runs: a run's interval is the Student-t 95 % interval of its iterations'
 * mean, combined in quadrature with the mean per-wave error budget
 * ({@code errorBudget.energyJHalfWidth95}) where the run folder has one (older folders have none:
 * then the spread alone, and the line says so), and, where the run had several forks, with the
 * between-runs term its {@code summary.json} gives the figure ({@code errorBudget.betweenRunsHalfWidth95},
 * the spread of the per-fork means), as the console summary combines them.
 *
 * <pre>
 *   java -cp perf/target/perf.jar org.tokenpowerbench.perf.IntervalCoverage rerun-1 rerun-2 rerun-3 rerun-4 rerun-5
 * </pre>
 * Prints, per figure (energy J, J/token, J/outputToken, and the energy above the idle baseline
 * where the folders have one), each run's mean ± half-width, the others' mean, and how many of the
 * N runs cover it.
 */
public final class IntervalCoverage {

    /** The figures checked, each from one energy line of iterations.jsonl. */
    enum Figure {
        ENERGY("energyJ", ".energy"), J_PER_TOKEN("J/token", ".J/token"), J_PER_OUTPUT_TOKEN("J/outputToken", ".J/outputToken"),
        /**
         * The energy above the idle baseline: what the work itself drew. A rerun that runs faster
         * or slower (the server's speed drifting) moves the idle power × time share of the total,
         * not this.
         */
        DYNAMIC_ENERGY("dynamicEnergyJ", ".dynamic.energy");

        final String label;
        /** How the figure's JMH result is named in summary.json, after the sensor's id. */
        final String resultSuffix;

        Figure(String label, String resultSuffix) {
            this.label = label;
            this.resultSuffix = resultSuffix;
        }

        /** The line's error-budget half-width for this figure, NaN where the line records none. */
        double budget(JsonNode line, double value) {
            JsonNode budget = line.path("errorBudget");
            if (this == DYNAMIC_ENERGY) {
                JsonNode b = budget.path("dynamicEnergyJHalfWidth95");
                return b.isNumber() ? b.asDouble() : Double.NaN;
            }
            JsonNode b = budget.path("energyJHalfWidth95");
            double joules = line.path("energyJ").asDouble();
            return b.isNumber() && joules != 0 ? b.asDouble() / joules * Math.abs(value) // tokens are exact: the total's relative width
                    : Double.NaN;
        }

        double of(JsonNode line) {
            double joules = line.path("energyJ").asDouble(Double.NaN);
            long prompt = line.path("promptTokens").asLong(0);
            long output = line.path("outputTokens").asLong(0);
            return switch (this) {
                case DYNAMIC_ENERGY -> line.path("dynamicEnergyJ").asDouble(Double.NaN);
                case ENERGY -> joules;
                case J_PER_TOKEN -> prompt + output > 0 ? joules / (prompt + output) : Double.NaN;
                case J_PER_OUTPUT_TOKEN -> output > 0 ? joules / output : Double.NaN;
            };
        }
    }

    /**
     * One run's figure: its iterations' values, the mean per-wave budget half-width (NaN where the
     * run folder records none) and the between-runs half-width (NaN with one fork or none recorded).
     */
    record Run(String name, double[] values, double budgetHalfWidth, double betweenRunsHalfWidth) {

        Run(String name, double[] values, double budgetHalfWidth) {
            this(name, values, budgetHalfWidth, Double.NaN);
        }

        double mean() {
            double s = 0;
            for (double v : values) {
                s += v;
            }
            return s / values.length;
        }

        /** Student-t 95 % half-width of the mean in quadrature with the budget; NaN with one value and no budget. */
        double halfWidth() {
            double spread = Double.NaN;
            int n = values.length;
            if (n >= 2) {
                double m = mean();
                double ss = 0;
                for (double v : values) {
                    ss += (v - m) * (v - m);
                }
                spread = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(ss / (n - 1) / n);
            }
            if (!Double.isFinite(spread) && !Double.isFinite(budgetHalfWidth)) {
                return Double.NaN;
            }
            double within = EnergyBudget.trialHalfWidth(spread, budgetHalfWidth);
            return Double.isFinite(betweenRunsHalfWidth) ? Math.hypot(within, betweenRunsHalfWidth) : within;
        }
    }

    private IntervalCoverage() {
    }

    /** How many of {@code runs} have an interval that holds the mean of the other runs' means. */
    static int covering(List<Run> runs) {
        int covered = 0;
        for (int i = 0; i < runs.size(); i++) {
            if (Math.abs(runs.get(i).mean() - othersMean(runs, i)) <= runs.get(i).halfWidth()) {
                covered++;
            }
        }
        return covered;
    }

    static double othersMean(List<Run> runs, int i) {
        double s = 0;
        for (int j = 0; j < runs.size(); j++) {
            if (j != i) {
                s += runs.get(j).mean();
            }
        }
        return s / (runs.size() - 1);
    }

    /** The figure's run from one run folder's measured energy lines. */
    static Run read(Path folder, Figure figure) throws IOException {
        Path file = folder.resolve("iterations.jsonl");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(folder + " has no iterations.jsonl; give run folders of one point");
        }
        ObjectMapper json = new ObjectMapper();
        List<Double> values = new ArrayList<>();
        double budget = 0;
        int budgets = 0;
        try (BufferedReader in = Files.newBufferedReader(file)) {
            for (String l = in.readLine(); l != null; l = in.readLine()) {
                JsonNode line = json.readTree(l);
                if (!"energy".equals(line.path("kind").asText()) || !"measurement".equals(line.path("iteration").asText())) {
                    continue;
                }
                double v = figure.of(line);
                if (Double.isNaN(v)) {
                    continue; // e.g. no idle baseline, so no dynamic energy
                }
                values.add(v);
                double b = figure.budget(line, v);
                if (Double.isFinite(b)) {
                    budget += b;
                    budgets++;
                }
            }
        }
        if (values.isEmpty()) {
            throw new IllegalArgumentException(file + " has no measured energy line with " + figure.label
                    + "; was a power profiler on (-prof nvml)" + (figure == Figure.DYNAMIC_ENERGY ? ", with an idle baseline?" : "?"));
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
        return new Run(folder.getFileName().toString(), v, budgets == values.size() ? budget / budgets : Double.NaN,
                betweenRuns(folder, figure) * Math.abs(mean));
    }

    /**
     * The between-runs half-width of the figure relative to its score, from the run folder's
     * summary.json (the first trial's result named {@code <sensor>} + the figure's suffix); NaN when
     * there is no summary, no such result, or one fork.
     */
    static double betweenRuns(Path folder, Figure figure) throws IOException {
        Path file = folder.resolve("summary.json");
        if (!Files.isRegularFile(file)) {
            return Double.NaN;
        }
        JsonNode metrics = new ObjectMapper().readTree(file.toFile()).path("trials").path(0).path("metrics");
        for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = metrics.fields(); it.hasNext(); ) {
            java.util.Map.Entry<String, JsonNode> e = it.next();
            JsonNode between = e.getValue().path("errorBudget").path("betweenRunsHalfWidth95");
            double score = e.getValue().path("score").asDouble(Double.NaN);
            String key = e.getKey();
            boolean named = key.endsWith(figure.resultSuffix) && key.indexOf('.') == key.length() - figure.resultSuffix.length();
            if (named && between.isNumber() && score != 0 && Double.isFinite(score)) { // nvml.energy, not nvml.dynamic.energy
                return between.asDouble() / Math.abs(score);
            }
        }
        return Double.NaN;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: IntervalCoverage RUN_FOLDER RUN_FOLDER... (at least two reruns of one point)");
            System.exit(2);
        }
        for (Figure f : Figure.values()) {
            List<Run> runs = new ArrayList<>();
            try {
                for (String a : args) {
                    runs.add(read(Path.of(a), f));
                }
            } catch (IllegalArgumentException e) {
                if (f == Figure.DYNAMIC_ENERGY) {
                    System.out.println(f.label + ": not in every folder (" + e.getMessage() + ")");
                    continue;
                }
                throw e;
            }
            boolean budget = runs.stream().allMatch(r -> Double.isFinite(r.budgetHalfWidth()));
            boolean between = runs.stream().allMatch(r -> Double.isFinite(r.betweenRunsHalfWidth()));
            System.out.printf(Locale.ROOT, "%s (interval: %s%s)%n", f.label,
                    budget ? "spread over iterations + error budget" : "spread over iterations only, no errorBudget in these folders",
                    between ? " + between runs (forks)" : ", no between-runs term (one fork, or no summary.json)");
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                double others = othersMean(runs, i);
                System.out.printf(Locale.ROOT, "  %-12s %.6g ± %.3g (n=%d)  others %.6g  %s%n", r.name(), r.mean(),
                        r.halfWidth(), r.values().length, others,
                        Math.abs(r.mean() - others) <= r.halfWidth() ? "covers" : "misses");
            }
            System.out.printf(Locale.ROOT, "  covered: %d of %d%n", covering(runs), runs.size());
        }
    }
}
