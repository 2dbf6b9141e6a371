package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.energy.TrialBudget;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialResult;

/**
 * The sweep table's ± on J/outputToken is the trial's {@link TrialBudget}, the number the console
 * and {@code summary.json} give: a trial run in three forks whose means scatter shows the wider ±
 * that their spread adds, a trial run in one fork says the between-runs spread is not in it.
 */
class ErrorBudgetColumnTest {

    /** Per-wave measurement budget ({@code nvml.J/outputToken.err}), J/token. */
    static final double MEASUREMENT = 0.004;

    @TempDir
    Path dir;

    @Test
    void threeForksWhoseMeansScatterWidenThePlusMinusAndOneForkSaysWhatIsMissing() throws Exception {
        // batch 1: three forks of three iterations, each fork steady (± 0.001) but the forks 0.9, 1.0, 1.3 apart
        Metric threeForks = figure(new double[] {0.9, 1.0, 1.3});
        // batch 2: one fork of three iterations
        Metric oneFork = figure(new double[] {0.6});
        write(Map.of(1, threeForks, 2, oneFork));

        TrialBudget expected = TrialBudget.of(threeForks.error(), threeForks.samples(), MEASUREMENT,
                threeForks.forkMeanArray());
        TrialRow row = row(1);
        assertEquals(expected.halfWidth(), row.jPerOutputTokenBudget().halfWidth(), 1e-15);
        // JMH pools the nine iterations, so its error sees the scatter too, but as nine draws, not three
        assertTrue(expected.halfWidth() > 2 * threeForks.error(), "wider than JMH's 99.9 % error, the ± of before: "
                + expected + " against " + threeForks.error());

        String html = Files.readString(HtmlReport.write(RunRecords.read(dir)));
        String cell = jOutCell(html, 1);
        assertTrue(cell.contains(ReportPage.num(threeForks.score()) + " ± " + ReportPage.num(expected.halfWidth())),
                cell);
        assertNotEquals(ReportPage.num(threeForks.error()), ReportPage.num(expected.halfWidth()),
                "JMH's error, the ± of before, is a different number");
        assertTrue(cell.contains("between runs ± " + ReportPage.num(expected.betweenRuns()) + " (3 forks)"), cell);
        assertFalse(cell.contains("†"), cell);

        TrialBudget single = TrialBudget.of(oneFork.error(), oneFork.samples(), MEASUREMENT, oneFork.forkMeanArray());
        String one = jOutCell(html, 2);
        assertTrue(one.contains(" ± " + ReportPage.num(single.halfWidth()) + "<sup>†</sup>"), one);
        assertTrue(one.contains(TrialBudget.ONE_FORK), one);
        assertTrue(html.contains("<p class=\"note between-runs\">† " + TrialBudget.ONE_FORK + " (1 of 2 rows)"),
                "the footnote under the table names the rows without the term");
    }

    @Test
    void theBrowserShowsTheBudgetAndItsNote() throws Exception {
        HeadlessChromium.binary();
        Metric threeForks = figure(new double[] {0.9, 1.0, 1.3});
        write(Map.of(1, threeForks, 2, figure(new double[] {0.6})));
        Path html = HtmlReport.write(RunRecords.read(dir));
        HeadlessChromium.Page page = HeadlessChromium.dumpDom(html, dir);
        Matcher status = Pattern.compile("<div id=\"tpb-status\"[^>]*>").matcher(page.dom());
        assertTrue(status.find(), "the page's script ran: " + page.log());
        assertFalse(status.group().contains("data-errors"), status.group() + "\n" + page.log());
        TrialBudget expected = TrialBudget.of(threeForks.error(), threeForks.samples(), MEASUREMENT,
                threeForks.forkMeanArray());
        assertTrue(page.dom().contains(" ± " + ReportPage.num(expected.halfWidth())), "the budget in the DOM");
        assertTrue(page.dom().contains("† " + TrialBudget.ONE_FORK), "the one-fork note in the DOM");
    }

    @Test
    void aTrialWhoseForksRanAtDifferentPacesSaysSoBesideItsWideInterval() throws Exception {
        // session 25's rerun 10 (docs/gpu-proof.md): fork 1 at TPOT 14.8 ms, forks 2 and 3 at 9.8 and 9.6
        write(Map.of(1, figure(new double[] {0.1832, 0.1434, 0.1411}), 2, figure(new double[] {0.168, 0.172, 0.177})),
                Map.of(1, List.of(14.84, 9.83, 9.61), 2, List.of(13.04, 13.49, 14.06)));
        assertTrue(row(1).warnings().contains("pace between forks: the engine's speed changed between the forks (TPOT p50"
                + " by fork 14.8, 9.83, 9.61 ms; nvml.J/outputToken 0.183, 0.143, 0.141); "
                + org.tokenpowerbench.report.ForkPace.CONSEQUENCE), row(1).warnings().toString());
        assertTrue(row(2).warnings().stream().noneMatch(w -> w.startsWith("pace between forks")),
                "forks 8 % apart ran at one pace: " + row(2).warnings());
    }

    // ---- the run folder
    // ---- the run folder

    /**
     * J/outputToken of a trial whose forks (three iterations each) sit at {@code forkMeans} and
     * move by ± 0.001 within a fork; JMH's score and 99.9 % error over all its iterations.
     */
    static Metric figure(double[] forkMeans) {
        List<Double> values = new ArrayList<>();
        List<Double> means = new ArrayList<>();
        for (double m : forkMeans) {
            values.add(m - 0.001);
            values.add(m);
            values.add(m + 0.001);
            means.add(m);
        }
        IterationInterval all = IterationInterval.of(values.stream().mapToDouble(Double::doubleValue).toArray());
        TDistribution t = new TDistribution(all.n() - 1);
        double jmhError = all.halfWidth() * t.inverseCumulativeProbability(0.9995) / t.inverseCumulativeProbability(0.975);
        return new Metric(all.mean(), jmhError, "J/token", all.n(), means);
    }

    private void write(Map<Integer, Metric> byBatch) {
        write(byBatch, Map.of());
    }

    /** As {@link #write(Map)}, with TPOT p50's fork means for the batches given. */
    private void write(Map<Integer, Metric> byBatch, Map<Integer, List<Double>> tpotForks) {
        List<TrialResult> results = new ArrayList<>();
        for (int batch : List.of(1, 2)) {
            Metric m = byBatch.get(batch);
            Map<String, Metric> metrics = new LinkedHashMap<>();
            metrics.put("nvml.J/outputToken", m);
            metrics.put("nvml.J/outputToken.err", new Metric(MEASUREMENT, Double.NaN, "J/token (95 %)", m.samples()));
            metrics.put("tpot.p50", new Metric(20 * batch, 0.5, "ms", m.samples(), tpotForks.getOrDefault(batch, List.of())));
            results.add(new TrialResult(HtmlReportTest.BENCH + "_Energy.wave", HtmlReportTest.params(batch),
                    new Metric(1, 0.1, "s/op", m.samples()), metrics));
        }
        SummaryFile.write(new SweepState(dir, 2, 2, results, List.of()));
    }

    private TrialRow row(int batch) {
        return HtmlReportTest.row(SweepTable.of(RunRecords.read(dir)), batch, "nvml");
    }

    /** The J/outputToken cell of the batch's nvml row: the third cell after the parameters. */
    private static String jOutCell(String html, int batch) {
        String tr = HtmlReportTest.tableRow(html, HtmlReportTest.describe(batch), "nvml");
        Matcher cells = Pattern.compile("<td>(.*?)</td>").matcher(tr);
        List<String> all = new ArrayList<>();
        while (cells.find()) {
            all.add(cells.group(1));
        }
        int energy = all.indexOf("nvml") >= 0 ? all.indexOf("nvml") : all.indexOf("nvml ◆");
        return all.get(energy + 2);
    }
}
