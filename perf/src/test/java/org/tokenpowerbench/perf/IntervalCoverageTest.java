package org.tokenpowerbench.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class IntervalCoverageTest {

    @Test
    void aRunCoversWhenTheOthersMeanLiesInsideItsInterval() {
        // means 10, 10, 13: the first two see others' means 11.5; the third sees 10
        IntervalCoverage.Run a = new IntervalCoverage.Run("a", new double[] {9.9, 10.0, 10.1}, Double.NaN);
        IntervalCoverage.Run b = new IntervalCoverage.Run("b", new double[] {10.0, 10.0, 10.0}, 2.0);
        IntervalCoverage.Run c = new IntervalCoverage.Run("c", new double[] {13.0}, 3.5);
        // a: t(0.975,2)·0.1/√3 = 0.248, misses 1.5; b: spread 0, budget 2 ≥ 1.5 covers; c: budget 3.5 ≥ 3 covers
        assertEquals(0.1 * 4.302653 / Math.sqrt(3), a.halfWidth(), 1e-5);
        assertEquals(2, IntervalCoverage.covering(List.of(a, b, c)));
    }

    @Test
    void theBetweenRunsTermOfAManyForkRunWidensItsInterval(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // three iterations that agree, within-run half-width t·0.1/√3 = 0.248; others' mean 1.5 away
        IntervalCoverage.Run tight = new IntervalCoverage.Run("a", new double[] {9.9, 10.0, 10.1}, Double.NaN);
        IntervalCoverage.Run forks = new IntervalCoverage.Run("a", new double[] {9.9, 10.0, 10.1}, Double.NaN, 1.6);
        IntervalCoverage.Run other = new IntervalCoverage.Run("b", new double[] {11.5, 11.5}, Double.NaN);
        assertEquals(Math.hypot(tight.halfWidth(), 1.6), forks.halfWidth(), 1e-12);
        // b's two equal values have no spread: it covers nothing either way
        assertEquals(0, IntervalCoverage.covering(List.of(tight, other)), "1.5 away, 0.248 wide: missed");
        assertEquals(1, IntervalCoverage.covering(List.of(forks, other)), "with 1.6 between runs: 1.62 wide, covered");

        // read from a run folder: measured energy lines and a summary.json whose J/outputToken has a 5 % between-runs term
        java.nio.file.Path run = java.nio.file.Files.createDirectories(dir.resolve("r1"));
        java.nio.file.Files.writeString(run.resolve("iterations.jsonl"),
                "{\"kind\":\"energy\",\"iteration\":\"measurement\",\"energyJ\":100.0,\"promptTokens\":0,\"outputTokens\":1000}\n"
                        + "{\"kind\":\"energy\",\"iteration\":\"measurement\",\"energyJ\":104.0,\"promptTokens\":0,\"outputTokens\":1000}\n");
        java.nio.file.Files.writeString(run.resolve("summary.json"), "{\"trials\":[{\"metrics\":{"
                + "\"nvml.J/outputToken.err\":{\"score\":0.001},"
                + "\"nvml.J/outputToken\":{\"score\":0.102,\"errorBudget\":{\"betweenRunsHalfWidth95\":0.0051}}}}]}");
        IntervalCoverage.Run read = IntervalCoverage.read(run, IntervalCoverage.Figure.J_PER_OUTPUT_TOKEN);
        assertEquals(0.05 * 0.102, read.betweenRunsHalfWidth(), 1e-12);
        assertEquals(Double.NaN, IntervalCoverage.read(run, IntervalCoverage.Figure.ENERGY).betweenRunsHalfWidth(),
                "no energy result in the summary: no term");
    }

    @Test
    void theEnergyAboveIdleIsReadWithItsOwnBudgetAndBetweenRunsTerm(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path run = java.nio.file.Files.createDirectories(dir.resolve("r1"));
        java.nio.file.Files.writeString(run.resolve("iterations.jsonl"),
                "{\"kind\":\"energy\",\"iteration\":\"measurement\",\"energyJ\":800.0,\"dynamicEnergyJ\":220.0,"
                        + "\"errorBudget\":{\"energyJHalfWidth95\":2.0,\"dynamicEnergyJHalfWidth95\":3.0},\"outputTokens\":4096}\n"
                        + "{\"kind\":\"energy\",\"iteration\":\"measurement\",\"energyJ\":780.0,\"dynamicEnergyJ\":224.0,"
                        + "\"errorBudget\":{\"energyJHalfWidth95\":2.0,\"dynamicEnergyJHalfWidth95\":5.0},\"outputTokens\":4096}\n");
        // the dynamic result comes first, and its name also ends in ".energy": each figure must take its own
        java.nio.file.Files.writeString(run.resolve("summary.json"), "{\"trials\":[{\"metrics\":{"
                + "\"nvml.dynamic.energy\":{\"score\":222.0,\"errorBudget\":{\"betweenRunsHalfWidth95\":22.2}},"
                + "\"nvml.energy\":{\"score\":790.0,\"errorBudget\":{\"betweenRunsHalfWidth95\":7.9}}}}]}");
        IntervalCoverage.Run dynamic = IntervalCoverage.read(run, IntervalCoverage.Figure.DYNAMIC_ENERGY);
        assertEquals(222.0, dynamic.mean(), 1e-12);
        assertEquals(4.0, dynamic.budgetHalfWidth(), 1e-12, "the mean of the lines' own dynamic budgets");
        assertEquals(0.1 * 222.0, dynamic.betweenRunsHalfWidth(), 1e-9);
        IntervalCoverage.Run total = IntervalCoverage.read(run, IntervalCoverage.Figure.ENERGY);
        assertEquals(0.01 * 790.0, total.betweenRunsHalfWidth(), 1e-9, "nvml.energy's term, not nvml.dynamic.energy's");
    }
}
