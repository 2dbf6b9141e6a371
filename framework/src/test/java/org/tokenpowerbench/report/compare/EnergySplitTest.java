package org.tokenpowerbench.report.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialResult;

/**
 * {@code report --compare} says whether a change in J/outputToken is the work's energy above idle
 * or the idle power over a longer wave. The figures are those of two of session 14's reruns on an
 * H200 (docs/gpu-proof.md): the first and the twelfth, ten minutes apart.
 */
class EnergySplitTest {

    @TempDir
    Path dir;

    /** A run folder of one trial with these means (three iterations each, a small spread). */
    private Path run(String name, double energyJ, Double dynamicJ, double tokens, double waveMs) throws Exception {
        return run(name, energyJ, dynamicJ, tokens, waveMs, null);
    }

    private Path run(String name, double energyJ, Double dynamicJ, double tokens, double waveMs, Double steal) throws Exception {
        Map<String, Metric> metrics = new LinkedHashMap<>();
        if (steal != null) {
            metrics.put("host.steal", new Metric(steal, 0, "share of all CPUs", 3, List.of()));
        }
        metrics.put("nvml.J/outputToken", new Metric(energyJ / tokens, energyJ / tokens * 0.01, "J/outputToken", 3, List.of()));
        metrics.put("nvml.energy", new Metric(energyJ, 1, "J", 3, List.of()));
        if (dynamicJ != null) {
            metrics.put("nvml.dynamic.energy", new Metric(dynamicJ, 1, "J", 3, List.of()));
        }
        metrics.put("tokens.output.ofRequested", new Metric(1, 0, "share", 3, List.of()));
        metrics.put("tokens.output.server-usage", new Metric(tokens, 0, "tokens", 3, List.of()));
        Path folder = dir.resolve(name);
        Files.createDirectories(folder);
        SummaryFile.write(new SweepState(folder, 1, 1, List.of(new TrialResult("demo.Bench.wave", Map.of("batch", "16"),
                new Metric(waveMs, waveMs * 0.01, "ms/op", 3), metrics)), List.of()));
        return folder;
    }

    private Comparison compare(Path base, Path now) {
        return Comparison.of(ComparedRun.read(base), ComparedRun.read(now), "J/outputToken", 0.02);
    }

    @Test
    void aSlowerEngineWithTheSameWorkIsSaidToBeTheEnginesSpeed() throws Exception {
        Comparison c = compare(run("r1", 521.5, 232.2, 4096, 2238), run("r12", 647.9, 230.9, 4096, 3295));
        List<EnergySplit> splits = EnergySplit.of(c);
        assertEquals(1, splits.size());
        EnergySplit s = splits.get(0);
        assertEquals("nvml", s.sensor());
        assertEquals(232.2 / 4096, s.baseAbove(), 1e-12);
        assertEquals((647.9 - 230.9) / 4096, s.newIdle(), 1e-12);
        assertEquals((230.9 - 232.2) / 521.5, s.aboveChange(), 1e-12);
        assertEquals((417.0 - 289.3) / 521.5, s.idleChange(), 1e-9);
        assertEquals(c.gated().get(0).relative(), s.totalChange(), 1e-12, "the parts add up to the change of the total");
        assertEquals(3295.0 / 2238 - 1, s.waveChange(), 1e-12);
        assertEquals("+24.24 % = above idle -0.25 % + idle power × time +24.49 % (wave time +47.23 %): mostly the"
                + " engine's speed (idle power over a longer or shorter wave)", s.describe());
        String markdown = CompareMarkdown.render(c);
        assertTrue(markdown.contains(CompareMarkdown.SPLIT_TITLE), markdown);
        assertTrue(markdown.contains("| 0.05669 → 0.05637 | 0.07063 → 0.1018 | 2.24 → 3.30 s |"), markdown);
        assertTrue(ComparePage.render(c).contains("mostly the engine&#39;s speed") || ComparePage.render(c)
                .contains("mostly the engine's speed"), "on the page too");
    }

    @Test
    void whereBothRunsRecordedTheHostsStealTheLineSaysIt() throws Exception {
        // session 17's H100 reruns 1 and 2: TPOT 9.9 and 12.7 ms, host steal 0.19 % and 2.41 %
        EnergySplit s = EnergySplit.of(compare(run("s1", 591.4, 244.0, 4096, 2730, 0.0019),
                run("s2", 685.8, 239.1, 4096, 3460, 0.0241))).get(0);
        assertTrue(s.describe().contains("(wave time +26.74 %; host steal 0.19 % → 2.41 % of its CPU time): mostly the"
                + " engine's speed"), s.describe());
        EnergySplit one = EnergySplit.of(compare(run("s3", 591.4, 244.0, 4096, 2730, 0.0019),
                run("s4", 685.8, 239.1, 4096, 3460))).get(0);
        assertFalse(one.describe().contains("steal"), "recorded on one side only: " + one.describe());
    }

    @Test
    void moreEnergyAboveIdleInTheSameTimeIsSaidToBeTheWork() throws Exception {
        EnergySplit s = EnergySplit.of(compare(run("a", 521.5, 232.2, 4096, 2238), run("b", 580.0, 290.7, 4096, 2238)))
                .get(0);
        assertEquals("the work's energy above idle", s.mostly());
        assertEquals(0, s.waveChange(), 0);
        EnergySplit both = EnergySplit.of(compare(run("c", 521.5, 232.2, 4096, 2238),
                run("d", 600.0, 270.0, 4096, 2480))).get(0);
        assertEquals("both the work's energy and the engine's speed", both.mostly(), both.describe());
    }

    @Test
    void withoutTheDynamicEnergyThereIsNoSplit() throws Exception {
        Comparison c = compare(run("e", 521.5, null, 4096, 2238), run("f", 647.9, null, 4096, 3295));
        assertTrue(EnergySplit.of(c).isEmpty(), "no idle baseline was measured: nothing to split by");
        assertFalse(CompareMarkdown.render(c).contains(CompareMarkdown.SPLIT_TITLE));
        assertFalse(ComparePage.render(c).contains("Where the J/outputToken change comes from"));
    }
}
