package org.tokenpowerbench.report.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
        return run(name, energyJ, dynamicJ, tokens, waveMs, steal, null);
    }

    private Path run(String name, double energyJ, Double dynamicJ, double tokens, double waveMs, Double steal,
                     Double threadCpu) throws Exception {
        Map<String, Metric> metrics = new LinkedHashMap<>();
        if (threadCpu != null) {
            metrics.put("engine.thread.cpu", new Metric(threadCpu, 0, "share of one CPU", 3, List.of()));
        }
        if (steal != null) {
            metrics.put("host.steal", new Metric(steal, 0, "share of all CPUs", 3, List.of()));
        }
        metrics.put("nvml.J/outputToken", new Metric(energyJ / tokens, energyJ / tokens * 0.01, "J/outputToken", 3, List.of()));
        metrics.put("nvml.energy", new Metric(energyJ, 1, "J", 3, List.of()));
        if (dynamicJ != null) {
            metrics.put("nvml.dynamic.energy", new Metric(dynamicJ, 1, "J", 3, List.of()));
            metrics.put("nvml.dynamic.energy/outputToken", new Metric(dynamicJ / tokens, 1 / tokens, "J/token", 3, List.of()));
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
    void aGateThatFailsOnAStolenHostSaysSoAndTheGateAboveIdleHolds() throws Exception {
        // session 19's H100 reruns 13 and 5: 2.78 and 3.64 s waves, host steal 0.08 % and 2.19 %
        Path quiet = run("r13", 575.0, 235.9, 4096, 2780, 0.0008);
        Path stolen = run("r5", 671.8, 239.6, 4096, 3636, 0.0219);
        Comparison c = compare(quiet, stolen);
        assertEquals(Comparison.WORSE_STATUS, c.exitStatus(), "J/outputToken +16.8 %: the gate fails");
        EnergySplit split = EnergySplit.of(c).get(0);
        String note = split.hostNote();
        assertEquals("The new run's host gave 1 % or more of its CPU time to other guests (0.08 % → 2.19 %), and this"
                + " change is mostly the engine's speed, so it may be the host's rather than the code's: rerun the new"
                + " one on a quieter host, or gate on the energy above idle (--metric nvml.dynamic.energy/outputToken).",
                note);
        assertTrue(CompareMarkdown.render(c).contains("**Host steal** (" + c.shown(split.trial()) + "): " + note),
                CompareMarkdown.render(c));
        assertTrue(ComparePage.render(c).contains("<b>Host steal</b>"), "on the page too");

        // the advice can be followed: the energy above idle per token gates, and +1.6 % passes at 2 %
        Comparison above = Comparison.of(ComparedRun.read(quiet), ComparedRun.read(stolen),
                "nvml.dynamic.energy/outputToken", 0.02);
        assertEquals(1, above.gated().size());
        assertEquals(239.6 / 235.9 - 1, above.gated().get(0).relative(), 1e-9);
        assertEquals(0, above.exitStatus());
        assertEquals(Verdict.WORSE, Comparison.of(ComparedRun.read(quiet), ComparedRun.read(run("r5b", 700.0, 260.0,
                4096, 3636, 0.0219)), "nvml.dynamic.energy/outputToken", 0.02).gated().get(0).verdict(),
                "+10 % above idle is worse: the gate on it is a real gate");
    }

    @Test
    void noHostNoteWhereNeitherHostWasStolenOrTheWorkMoved() throws Exception {
        assertNull(EnergySplit.of(compare(run("q1", 575.0, 235.9, 4096, 2780, 0.0008),
                run("q2", 671.8, 239.6, 4096, 3636, 0.0099))).get(0).hostNote(), "0.99 % is under the warning");
        assertNull(EnergySplit.of(compare(run("w1", 575.0, 235.9, 4096, 2780, 0.0008),
                run("w2", 640.0, 300.9, 4096, 2780, 0.0219))).get(0).hostNote(),
                "the energy above idle moved, in the same time: the code's, whatever the host");
        assertNull(EnergySplit.of(compare(run("n1", 575.0, 235.9, 4096, 2780, 0.0008),
                run("n2", 577.0, 235.9, 4096, 2790, 0.0219))).get(0).hostNote(),
                "+0.35 %, no difference at 2 %: nothing for the host to have done");
        assertNull(EnergySplit.of(compare(run("u1", 575.0, 235.9, 4096, 2780),
                run("u2", 671.8, 239.6, 4096, 3636, 0.0219))).get(0).hostNote(), "the base did not record its steal");
        EnergySplit both = EnergySplit.of(compare(run("b1", 575.0, 235.9, 4096, 2780, 0.0150),
                run("b2", 671.8, 239.6, 4096, 3636, 0.0219))).get(0);
        assertTrue(both.hostNote().startsWith("Both runs' hosts gave 1 % or more of their CPU time") && both.hostNote().contains("rerun both"),
                both.hostNote());
    }

    @Test
    void aSlowerEngineWhoseThreadUsedAWholeCpuOnAQuietHostIsSaidToBeThePaceOfItsCore() throws Exception {
        // session 21's H100 reruns 1 and 14, one host, no steal to speak of: 2.14 and 2.73 s waves,
        // the engine's busiest thread at 1.00 of a CPU in both
        Path r1 = run("p1", 515.5, 251.8, 4096, 2139, 0.0002, 0.998);
        Path r14 = run("p14", 603.2, 250.6, 4096, 2733, 0.0005, 1.004);
        Comparison c = compare(r1, r14);
        assertEquals(Comparison.WORSE_STATUS, c.exitStatus(), "J/outputToken +17 %: the gate fails");
        EnergySplit s = EnergySplit.of(c).get(0);
        assertNull(s.hostNote(), "no steal to blame");
        assertTrue(s.describe().contains("host steal 0.02 % → 0.05 % of its CPU time; engine thread 1.00 → 1.00 of a CPU"),
                s.describe());
        assertEquals("The launched engine's busiest thread used a whole CPU in both runs (1.00 → 1.00 of one CPU) with"
                + " under 1 % of the host's CPU time stolen, and this change is mostly the engine's speed. Where that"
                + " thread's CPU is the engine's own work rather than a spin while it waits for the GPU, the engine was"
                + " paced by its core, and the change may be the host's (another guest on the same physical core, a lower"
                + " clock) rather than the code's, as it was between reruns of one point on one quiet host. Gate on the"
                + " energy above idle (--metric nvml.dynamic.energy/outputToken), which follows the work and not the core.",
                s.paceNote());
        assertTrue(CompareMarkdown.render(c).contains("**Engine pace** (" + c.shown(s.trial()) + "): " + s.paceNote()),
                CompareMarkdown.render(c));
        assertTrue(ComparePage.render(c).contains("<b>Engine pace</b>"), "on the page too");
        assertEquals(0, Comparison.of(ComparedRun.read(r1), ComparedRun.read(r14), "nvml.dynamic.energy/outputToken", 0.02)
                .exitStatus(), "-0.5 % above idle: the gate the note points to holds");

        // a thread that waited on the GPU half the wave did not pace the engine: no note
        assertNull(EnergySplit.of(compare(run("h1", 515.5, 251.8, 4096, 2139, 0.0002, 0.55),
                run("h14", 603.2, 250.6, 4096, 2733, 0.0005, 0.98))).get(0).paceNote());
        // the work's energy moved in the same time: the code's, whatever the core
        assertNull(EnergySplit.of(compare(run("w1", 515.5, 251.8, 4096, 2139, 0.0002, 1.0),
                run("w14", 603.2, 330.0, 4096, 2200, 0.0005, 1.0))).get(0).paceNote());
        // a stolen host: the steal note says it, not this one
        EnergySplit stolen = EnergySplit.of(compare(run("t1", 515.5, 251.8, 4096, 2139, 0.0002, 1.0),
                run("t14", 603.2, 250.6, 4096, 2733, 0.0300, 1.0))).get(0);
        assertTrue(stolen.hostNote() != null && stolen.paceNote() == null, stolen.toString());
    }

    @Test
    void everyJoulesFigureIsBetterLowerWhateverItsName() {
        assertEquals(Direction.LOWER_IS_BETTER, Direction.of("nvml.energy", "J"));
        assertEquals(Direction.LOWER_IS_BETTER, Direction.of("nvml.dynamic.energy/outputToken", "J/token"));
        assertEquals(Direction.LOWER_IS_BETTER, Direction.of("nvml.dynamic.energy.err", "J (95 %)"));
        assertEquals(Direction.NEITHER, Direction.of("nvml.avgPower", "W"), "power only moves");
        assertEquals(Direction.NEITHER, Direction.of("nvml.idleBaseline.power", "W"));
        assertEquals(Direction.NEITHER, Direction.of("tokens.output.server-usage", "tokens"));
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
