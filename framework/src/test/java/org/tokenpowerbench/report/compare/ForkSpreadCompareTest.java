package org.tokenpowerbench.report.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.energy.TrialBudget;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialResult;

/**
 * {@code report --compare} of runs with several forks judges a change against the forks' scatter
 * (the between-runs spread), not against the iterations of forks that each sat still; a run with
 * one fork says that spread is not in its interval.
 */
class ForkSpreadCompareTest {

    static final String BENCH = "demo.Bench.wave";
    /** Three forks each, 8 % apart on average, but the forks of one run scatter by ± 5 %. */
    static final double[] BASE_FORKS = {1.00, 1.06, 0.97};
    static final double[] NEW_FORKS = {1.08, 1.14, 1.05};

    @TempDir
    Path dir;

    @Test
    void forksThatScatterWidelyAreNoDifferenceWhereTheIterationsAloneCalledItWorse() {
        Comparison c = Comparison.of(ComparedRun.read(folder("base", BASE_FORKS)),
                ComparedRun.read(folder("new", NEW_FORKS)), "J/outputToken", 0.02);
        Change gated = c.gated().get(0);
        assertTrue(gated.overForks(), "both runs ran three forks: their means are the samples");
        assertEquals(3, gated.base().forkMeans().size());
        assertEquals(Verdict.NO_DIFFERENCE, gated.verdict(), "three reruns ± 5 % apart cannot tell 8 %: " + gated);
        assertEquals(0, c.exitStatus());

        // the same figures without their forks, the path every comparison took before: nine iterations
        // of the pooled spread, 16 degrees of freedom, an interval that excludes 0, so "worse" and exit 3
        Change iterationsOnly = Change.of(gated.trial(), gated.metric(), withoutForks(gated.base()),
                withoutForks(gated.now()), 0.02);
        assertFalse(iterationsOnly.overForks());
        assertEquals(Verdict.WORSE, iterationsOnly.verdict(), iterationsOnly.toString());

        // the two runs' forks scatter alike, so the half-width is the trial budget's between-runs term,
        // t · s · √(2/k), with Welch's 2(k − 1) = 4 degrees of freedom in place of the budget's k − 1 = 2
        double half = (gated.interval().high() - gated.interval().low()) / 2;
        double ratio = new TDistribution(4).inverseCumulativeProbability(0.975)
                / new TDistribution(2).inverseCumulativeProbability(0.975);
        assertEquals(TrialBudget.betweenRuns(BASE_FORKS) * ratio, half, 1e-6 * half);

        String markdown = CompareMarkdown.render(c);
        assertTrue(markdown.contains(" over 3 / 3 forks |"), markdown);
        assertTrue(markdown.contains("its samples are the forks' means"), markdown);
        assertFalse(markdown.contains(TrialBudget.ONE_FORK), "both ran three forks: " + markdown);
    }

    @Test
    void aRunOfOneForkIsJudgedOverItsIterationsAndTheMarkdownSaysTheBetweenRunsSpreadIsMissing() {
        Comparison c = Comparison.of(ComparedRun.read(folder("base", new double[] {1.00})),
                ComparedRun.read(folder("new", NEW_FORKS)), "J/outputToken", 0.02);
        Change gated = c.gated().get(0);
        assertFalse(gated.overForks(), "one side ran one fork: nothing measures its between-runs spread");
        String markdown = CompareMarkdown.render(c);
        assertTrue(markdown.contains("Base run: " + TrialBudget.ONE_FORK + "."), markdown);
        assertFalse(markdown.contains("New run: "), markdown);
        assertFalse(markdown.contains(" forks |"), markdown);
    }

    @Test
    void aJmhJsonFileGivesItsForksFromRawData() throws Exception {
        Path file = dir.resolve("forks.json");
        ObjectMapper json = new ObjectMapper();
        ArrayNode root = json.createArrayNode();
        ObjectNode b = root.addObject();
        b.put("benchmark", BENCH);
        b.putObject("params").put("batch", "1");
        ObjectNode m = b.putObject("primaryMetric");
        m.put("score", 1.0).put("scoreError", "NaN").put("scoreUnit", "s/op");
        ArrayNode raw = m.putArray("rawData");
        for (double f : BASE_FORKS) {
            raw.addArray().add(f - 0.001).add(f).add(f + 0.001);
        }
        json.writeValue(file.toFile(), root);
        IterationStats wave = ComparedRun.read(file).trials().values().iterator().next().get(Comparison.WAVE);
        assertEquals(9, wave.n());
        assertEquals(List.of(BASE_FORKS[0], BASE_FORKS[1], BASE_FORKS[2]), wave.forkMeans().stream()
                .map(v -> Math.round(v * 1e9) / 1e9).toList());
        assertEquals(3, wave.overForks().n());
    }

    // ---- run folders

    /**
     * A run folder of one trial whose J/outputToken ran in a fork per value of {@code forkMeans},
     * three iterations each, ± 0.001 around the fork's mean: JMH's score and 99.9 % error over all
     * its iterations and the fork means, as the host writes them.
     */
    private Path folder(String name, double[] forkMeans) {
        List<Double> values = new ArrayList<>();
        List<Double> means = new ArrayList<>();
        for (double f : forkMeans) {
            values.add(f - 0.001);
            values.add(f);
            values.add(f + 0.001);
            means.add(f);
        }
        IterationStats all = IterationStats.ofValues(values.stream().mapToDouble(Double::doubleValue).toArray(), "J");
        double t = new TDistribution(all.n() - 1).inverseCumulativeProbability(0.9995);
        Metric energy = new Metric(all.mean(), t * all.sd() / Math.sqrt(all.n()), "J/outputToken", all.n(), means);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        metrics.put("nvml.J/outputToken", energy);
        Path folder = dir.resolve(name);
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SummaryFile.write(new SweepState(folder, 1, 1, List.of(new TrialResult(BENCH, Map.of("batch", "1"),
                new Metric(1, 0.01, "s/op", all.n()), metrics)), List.of()));
        return folder;
    }

    private static IterationStats withoutForks(IterationStats s) {
        return new IterationStats(s.mean(), s.sd(), s.n(), s.unit());
    }
}
