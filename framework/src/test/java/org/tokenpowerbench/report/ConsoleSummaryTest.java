package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.workload.HostCpu;

/** The short console summary: the varied parameters, a 95 % interval, the figures a person reads first. */
class ConsoleSummaryTest {

    private static TrialResult trial(String batch, double jPerOut, double error, long n) {
        Map<String, Metric> m = new LinkedHashMap<>();
        m.put("nvml.J/outputToken", new Metric(jPerOut, error, "J/token", n));
        m.put("nvml.avgPower", new Metric(300, 1, "W", n));
        m.put("ttft.p50", new Metric(42.5, 1, "ms", n));
        m.put("tpot.p50", new Metric(7.25, 1, "ms", n));
        m.put("output.tokens/s", new Metric(1234, 1, "tokens/s", n));
        m.put("requests.failed", new Metric(0, 0, "requests", n));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("batch", batch);
        params.put("model", "synthetic:llama-tiny");
        return new TrialResult("demo.Bench_Energy.wave", params, new Metric(1, 0, "s/op", n), m);
    }

    @Test
    void theNinetyFivePercentIntervalIsJmhsErrorRescaled() {
        // JMH's error over 5 iterations is t(0.9995, 4) * s / sqrt(5); the 95 % one uses t(0.975, 4)
        double[] values = {0.010, 0.012, 0.011, 0.013, 0.009};
        SummaryStatistics s = new SummaryStatistics();
        for (double v : values) {
            s.addValue(v);
        }
        TDistribution t = new TDistribution(4);
        double se = s.getStandardDeviation() / Math.sqrt(5);
        double jmhError = t.inverseCumulativeProbability(0.9995) * se;
        String text = ConsoleSummary.interval(new Metric(s.getMean(), jmhError, "J/token", 5));
        double expected = t.inverseCumulativeProbability(0.975) * se;
        assertEquals(String.format(java.util.Locale.ROOT, "%.4g ± %.2g (n=5)", s.getMean(), expected), text);
        assertEquals("0.01100 (n=1)", ConsoleSummary.interval(new Metric(0.011, Double.NaN, "J/token", 1)));
    }

    @Test
    void theErrorBudgetAddsInQuadratureToTheSpread() {
        TDistribution t = new TDistribution(4);
        double spread = 0.003;
        double jmhError = spread * t.inverseCumulativeProbability(0.9995) / t.inverseCumulativeProbability(0.975);
        Metric m = new Metric(0.5, jmhError, "J/token", 5);
        // spread 0.003 and budget 0.004: 0.005
        assertEquals("0.5000 ± 0.0050 (n=5)", ConsoleSummary.interval(m, new Metric(0.004, 0, "J/token (95 %)", 5)));
        // one iteration: the budget alone
        assertEquals("0.5000 ± 0.0040 (n=1)",
                ConsoleSummary.interval(new Metric(0.5, Double.NaN, "J/token", 1), new Metric(0.004, 0, "J/token", 1)));
    }

    @Test
    void severalForksAddTheirSpreadAndOneForkIsSaidToLackIt() {
        Metric err = new Metric(0.004, 0, "J/token (95 %)", 9);
        TDistribution t8 = new TDistribution(8);
        double jmhError = 0.003 * t8.inverseCumulativeProbability(0.9995) / t8.inverseCumulativeProbability(0.975);
        Metric threeForks = new Metric(0.5, jmhError, "J/token", 9, List.of(0.49, 0.50, 0.51));
        double between = new TDistribution(2).inverseCumulativeProbability(0.975) * 0.01 * Math.sqrt(2.0 / 3);
        assertEquals(String.format(java.util.Locale.ROOT, "0.5000 ± %.2g (n=9, 3 forks)",
                Math.sqrt(0.003 * 0.003 + 0.004 * 0.004 + between * between)), ConsoleSummary.interval(threeForks, err));

        TrialResult one = new TrialResult("demo.Bench_Energy.wave", Map.of("batch", "1"), new Metric(1, 0, "s/op", 3),
                Map.of("nvml.J/outputToken", new Metric(0.5, jmhError, "J/token", 3, List.of(0.5)),
                        "nvml.J/outputToken.err", err));
        List<String> lines = ConsoleSummary.lines(new SweepState(Path.of("run"), 1, 1, List.of(one), List.of()));
        assertTrue(lines.contains("  one fork: between-runs spread not measured; run -f 3 to include it"),
                String.join("\n", lines));
        TrialResult three = new TrialResult("demo.Bench_Energy.wave", Map.of("batch", "1"), new Metric(1, 0, "s/op", 9),
                Map.of("nvml.J/outputToken", threeForks, "nvml.J/outputToken.err", err));
        assertTrue(ConsoleSummary.lines(new SweepState(Path.of("run"), 1, 1, List.of(three), List.of())).stream()
                .noneMatch(l -> l.contains("between-runs spread not measured")));
    }

    @Test
    void oneLinePerTrialWithOnlyTheParametersThatVaried() {
        SweepState state = new SweepState(Path.of("run"), 2, 2,
                List.of(trial("1", 0.02, 0.001, 5), trial("8", 0.005, 0.0002, 5)),
                List.of(new FailedTrial("demo.Bench_Energy.wave", Map.of("batch", "64"), List.of("out of memory"))));
        List<String> lines = ConsoleSummary.lines(state);
        assertTrue(lines.get(0).startsWith("TokenPowerBench summary"), lines.get(0));
        assertTrue(lines.get(1).contains("nvml.J/outputToken (95 %)") && lines.get(1).contains("TPOT p50 ms"), lines.get(1));
        assertTrue(lines.get(2).startsWith("  batch=1 "), lines.get(2));
        assertTrue(!lines.get(2).contains("model="), "the model did not vary: " + lines.get(2));
        assertTrue(lines.get(3).contains("0.005000 ±"), lines.get(3));
        assertTrue(lines.get(3).contains("42.50") && lines.get(3).contains("1234"), lines.get(3));
        assertEquals("  failed: {batch=64}: out of memory", lines.get(4));
    }

    @Test
    void trialsOfSeveralClassesAreNamedByTheirClassAndFullyWhereSimpleNamesClash() {
        TrialResult a = trial("1", 0.02, 0.001, 5);
        TrialResult b = new TrialResult("other.Bench_Energy.wave", a.params(), a.wave(), a.metrics());
        TrialResult c = new TrialResult("demo.Second_Energy.wave", a.params(), a.wave(), a.metrics());
        List<String> lines = ConsoleSummary.lines(new SweepState(Path.of("run"), 3, 3, List.of(a, b, c), List.of()));
        assertTrue(lines.get(2).startsWith("  demo.Bench_Energy "), lines.get(2));
        assertTrue(lines.get(3).startsWith("  other.Bench_Energy "), lines.get(3));
        assertTrue(lines.get(4).startsWith("  Second_Energy "), lines.get(4));
        // one class: no class name before the parameters
        List<String> one = ConsoleSummary.lines(new SweepState(Path.of("run"), 2, 2,
                List.of(trial("1", 0.02, 0.001, 5), trial("8", 0.005, 0.0002, 5)), List.of()));
        assertTrue(one.get(2).startsWith("  batch=1 "), one.get(2));
    }

    private static TrialResult withSteal(TrialResult t, double share) {
        return with(t, "host.steal", share, "share of all CPUs");
    }

    /** The trial with one more metric, measured in every iteration. */
    private static TrialResult with(TrialResult t, String name, double score, String unit) {
        Map<String, Metric> m = new LinkedHashMap<>(t.metrics());
        m.put(name, new Metric(score, 0.001, unit, t.wave().samples()));
        return new TrialResult(t.benchmark(), t.params(), t.wave(), m);
    }

    @Test
    void theTrialsWhoseHostWasStolenAreNamedWithTheirShare() {
        TrialResult unread = trial("64", 0.01, 0.001, 3);
        assertEquals(List.of("  host steal: the hypervisor gave other guests 1 % or more of this host's CPU time, on average"
                + " over the measured waves, in batch=16 (2.4 %); " + HostCpu.Reading.STEAL_CONSEQUENCE),
                linesStarting("  host steal:", withSteal(trial("1", 0.02, 0.001, 3), 0.0099),
                        withSteal(trial("16", 0.16, 0.01, 3), 0.0238), unread));
        assertEquals(List.of(), linesStarting("  host steal:", withSteal(trial("16", 0.16, 0.01, 3), 0.0012), unread));
    }

    /** The closing summary's lines of these trials that start so. */
    private static List<String> linesStarting(String start, TrialResult... trials) {
        return ConsoleSummary.lines(new SweepState(Path.of("run"), trials.length, trials.length, List.of(trials), List.of()))
                .stream().filter(l -> l.startsWith(start)).toList();
    }

    private static TrialResult withThreadCpu(TrialResult t, double share) {
        return with(t, "engine.thread.cpu", share, "share of one CPU");
    }

    @Test
    void theTrialsWhoseEngineWasPacedByOneCoreAreNamed() {
        TrialResult remote = trial("64", 0.01, 0.001, 3);
        assertEquals(List.of("  engine pace: the launched engine's busiest thread used 1.00 of one CPU, on average over"
                + " the measured waves, in batch=1; where that is the engine's own work rather than a spin while it waits"
                + " for the GPU, " + HostCpu.Reading.CPU_PACED_CONSEQUENCE), linesStarting("  engine pace:",
                withThreadCpu(trial("1", 0.02, 0.001, 3), 0.998), withThreadCpu(trial("16", 0.16, 0.01, 3), 0.55), remote));

        List<String> all = linesStarting("  engine pace:", withThreadCpu(trial("1", 0.02, 0.001, 3), 0.93),
                withThreadCpu(trial("16", 0.16, 0.01, 3), 1.004));
        assertEquals(1, all.size());
        assertTrue(all.get(0).contains("used 0.93-1.00 of one CPU") && all.get(0).contains("in every trial"), all.get(0));

        assertEquals(List.of(), linesStarting("  engine pace:", withThreadCpu(trial("16", 0.16, 0.01, 3), 0.89), remote),
                "waiting on the GPU a tenth of the wave: not paced by its core");
    }

    @Test
    void thePaceLineSaysHowMuchOfJPerOutputTokenIsTheIdlePowerAndSoHowFarASlowerCoreMovesIt() {
        // session 25's reruns: 0.17246 J/outputToken with 0.06024 above idle, 0.13172 with 0.06006
        TrialResult slow = with(withThreadCpu(trial("1", 0.17246, 0.001, 3), 1.003), "nvml.dynamic.energy/outputToken",
                0.06024, "J/token");
        TrialResult fast = with(withThreadCpu(trial("16", 0.13172, 0.001, 3), 0.996), "nvml.dynamic.energy/outputToken",
                0.06006, "J/token");
        List<String> line = linesStarting("  engine pace:", slow, fast);
        assertEquals(1, line.size());
        assertTrue(line.get(0).endsWith(HostCpu.Reading.CPU_PACED_CONSEQUENCE + "; the idle power over the wave was"
                + " 54-65 % of nvml.J/outputToken there, so a wave 10 % longer for the same work adds about 5.4-6.5 % to it"),
                line.get(0));
        assertEquals(1 - 0.06024 / 0.17246, ConsoleSummary.idleShare(slow, "nvml.J/outputToken"), 1e-12);

        // a paced trial without an idle baseline: no share is claimed for the others either
        List<String> without = linesStarting("  engine pace:", slow, withThreadCpu(trial("8", 0.1, 0.001, 3), 1.0));
        assertTrue(without.get(0).endsWith(HostCpu.Reading.CPU_PACED_CONSEQUENCE), without.get(0));
        // energy above idle larger than the whole: not a share
        assertTrue(Double.isNaN(ConsoleSummary.idleShare(with(trial("8", 0.1, 0.001, 3),
                "nvml.dynamic.energy/outputToken", 0.2, "J/token"), "nvml.J/outputToken")));
    }

    /** The trial with one more metric and its fork means. */
    private static TrialResult withForks(TrialResult t, String name, String unit, Double... forkMeans) {
        Map<String, Metric> m = new LinkedHashMap<>(t.metrics());
        double mean = java.util.Arrays.stream(forkMeans).mapToDouble(Double::doubleValue).average().orElseThrow();
        m.put(name, new Metric(mean, 0.001, unit, t.wave().samples(), List.of(forkMeans)));
        return new TrialResult(t.benchmark(), t.params(), t.wave(), m);
    }

    @Test
    void aTrialWhoseForksRanAtDifferentPacesIsNamedWithEachForksFigures() {
        // session 25's rerun 10 (its first fork before the host's change of pace, the other two after) beside rerun 9
        TrialResult straddled = withForks(withForks(withForks(trial("16", 0.1559, 0.001, 9), "tpot.p50", "ms",
                14.84, 9.83, 9.61), "nvml.J/outputToken", "J/token", 0.1832, 0.1434, 0.1411),
                "nvml.dynamic.energy/outputToken", "J/token", 0.05971, 0.06138, 0.06192);
        TrialResult steady = withForks(withForks(trial("8", 0.1725, 0.001, 9), "tpot.p50", "ms", 13.04, 13.49, 14.06),
                "nvml.J/outputToken", "J/token", 0.168, 0.172, 0.177);
        assertEquals(List.of("  pace between forks: the engine's speed changed between the forks of batch=16 (TPOT p50 by"
                + " fork 14.8, 9.83, 9.61 ms; nvml.J/outputToken 0.183, 0.143, 0.141; nvml.dynamic.energy/outputToken"
                + " 0.0597, 0.0614, 0.0619): J/outputToken's between-runs term, and so its interval, holds that change;"
                + " compare by dynamic.energy/outputToken, which follows the work"),
                linesStarting("  pace between forks:", straddled, steady));

        assertEquals(List.of(), linesStarting("  pace between forks:", steady), "8 % apart: one pace");
        assertEquals(List.of(), linesStarting("  pace between forks:", withForks(trial("1", 0.1, 0.001, 3), "tpot.p50",
                "ms", 14.0)), "one fork: nothing to compare");
    }

    @Test
    void withoutAPowerProfilerItSaysHowToGetEnergy() {
        TrialResult noEnergy = new TrialResult("demo.Bench_Energy.wave", Map.of("batch", "1"), new Metric(1, 0, "s/op", 1),
                Map.of("ttft.p50", new Metric(40, 1, "ms", 1)));
        List<String> lines = ConsoleSummary.lines(new SweepState(Path.of("run"), 1, 1, List.of(noEnergy), List.of()));
        assertTrue(lines.get(0).contains("no power profiler ran (add -prof nvml, rapl or cpu)"), lines.get(0));
    }
}
