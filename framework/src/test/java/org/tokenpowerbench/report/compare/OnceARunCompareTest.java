package org.tokenpowerbench.report.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialResult;

/**
 * The managed engine's start-up is measured once a run and repeated in every iteration of every
 * fork: nine equal values are one measurement, not a spread of zero. Session 20's two H100 reruns
 * drew 173.3 and 244.5 J starting llama-server, which the comparison called worse with the interval
 * [+41.10 %, +41.10 %] before.
 */
class OnceARunCompareTest {

    @TempDir
    Path dir;

    @Test
    void aStartUpMeasuredOnceARunGetsNoIntervalAndIsShownAsOnceWhereItMovedBeyondTheThreshold() {
        Comparison c = Comparison.of(ComparedRun.read(folder("base", 173.3)), ComparedRun.read(folder("new", 244.5)),
                "J/outputToken", 0.02);
        Change startup = c.changes().stream().filter(x -> x.metric().equals("nvml.engine.startup.J")).findFirst().orElseThrow();
        assertEquals(Verdict.ONCE_A_RUN, startup.verdict(), startup.toString());
        assertNull(startup.interval());
        Change seconds = c.changes().stream().filter(x -> x.metric().equals("engine.startup.seconds")).findFirst().orElseThrow();
        assertEquals(Verdict.ONCE_A_RUN, seconds.verdict());
        // a per-wave figure with the same shape of numbers is still judged
        assertEquals(Verdict.WORSE, c.gated().get(0).verdict());

        String markdown = CompareMarkdown.render(c);
        assertTrue(markdown.contains("| nvml.engine.startup.J | 173.3 J (once) | 244.5 J (once) | +41.08 % | – | measured once a run: no interval |"),
                markdown);
        assertFalse(markdown.contains("[+41.08 %, +41.08 %]"), markdown);
        // one trial: its parameters are said once, and its rows name the benchmark alone
        assertTrue(markdown.contains("Every trial: batch=16\n") && markdown.contains("| Bench.wave | nvml.J/outputToken |"),
                markdown);
        assertFalse(markdown.contains("| engine.startup.seconds |"), "within the threshold, not listed as moved: " + markdown);
        assertTrue(ComparePage.render(c).contains("measured once a run: no interval"));

        UserError e = assertThrows(UserError.class, () -> Comparison.of(ComparedRun.read(folder("b2", 173.3)),
                ComparedRun.read(folder("n2", 244.5)), "nvml.engine.startup.J", 0.02));
        assertTrue(e.getMessage().contains("measured once a run") && e.getMessage().contains("cannot gate"), e.getMessage());
    }

    /**
     * A run folder of one trial, three forks of three iterations: J/outputToken scattering a little
     * about 0.14 (0.18 for the new run), and the start-up's joules and seconds the same in every one.
     */
    private Path folder(String name, double startupJoules) {
        double level = startupJoules > 200 ? 0.18 : 0.14;
        Map<String, Metric> metrics = new LinkedHashMap<>();
        metrics.put("nvml.J/outputToken", new Metric(level, 0.002, "J/outputToken", 9,
                List.of(level - 0.001, level, level + 0.001)));
        metrics.put("nvml.engine.startup.J", new Metric(startupJoules, 0, "J", 9,
                List.of(startupJoules, startupJoules, startupJoules)));
        metrics.put("engine.startup.seconds", new Metric(2.5, 0, "s", 9, List.of(2.5, 2.5, 2.5)));
        Path folder = dir.resolve(name);
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SummaryFile.write(new SweepState(folder, 1, 1, List.of(new TrialResult(ForkSpreadCompareTest.BENCH,
                Map.of("batch", "16"), new Metric(1, 0.01, "s/op", 9), metrics)), List.of()));
        return folder;
    }
}
