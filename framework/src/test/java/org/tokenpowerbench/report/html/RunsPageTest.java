package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.report.SloChoiceTest;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;

/**
 * {@code report DIR DIR --out FILE}: two run folders on one page — {@link HtmlReportTest}'s
 * three-trial sweep with two sensors and a failed trial, and {@link SloChoiceTest}'s four-trial
 * batch sweep — each with its own "what ran" and table, their trials on the shared charts as
 * series of their own, opened in headless Chromium.
 */
@ExtendWith(FixedInvocation.class)
class RunsPageTest {

    @TempDir
    Path root;
    private Path first;
    private Path second;

    @BeforeEach
    void twoRunFolders() throws Exception {
        first = Files.createDirectories(root.resolve("a").resolve("20260102-030405"));
        HtmlReportTest.writeSweep(first);
        second = Files.createDirectories(root.resolve("b").resolve("20260103-090000"));
        SummaryFile.write(new SweepState(second, 4, 4, SloChoiceTest.trials(), List.of()));
    }

    @Test
    void twoRunsOnOnePageEachWithItsOwnBlockAndTableTheirTrialsOnTheSharedCharts() throws Exception {
        HeadlessChromium.binary();
        Path file = root.resolve("runs.html");
        ReportCommandTest.Outcome o = ReportCommandTest.run("--out", file.toString(), first.toString(), second.toString());
        assertEquals(0, o.status(), o.err());
        assertEquals("report: " + file.toAbsolutePath() + " (2 runs)", o.out().strip());
        assertFalse(Files.exists(first.resolve(HtmlReport.FILE)), "a run folder's own page is not written");
        assertFalse(Files.exists(second.resolve(HtmlReport.FILE)));

        String html = Files.readString(file);
        assertTrue(html.contains("<h2 class=\"run\">Run 1 of 2: 20260102-030405</h2>"), "the first run's heading");
        assertTrue(html.contains("<h2 class=\"run\">Run 2 of 2: 20260103-090000</h2>"), "the second run's heading");
        assertEquals(2, HtmlReportTest.count(html, "<h2>What ran</h2>"), "each run's own block");
        assertTrue(html.contains("id=\"tpb-sweep-1\"") && html.contains("id=\"tpb-sweep-2\""), "each run's own table");
        assertTrue(html.contains(first.toAbsolutePath().toString()) && html.contains(second.toAbsolutePath().toString()),
                "each block names its run folder");
        assertTrue(html.contains("failed: the server answered 503"), "the first run's failed trial in its table");

        HeadlessChromium.Page page = HeadlessChromium.dumpDom(file, root);
        Matcher status = Pattern.compile("<div id=\"tpb-status\"[^>]*>").matcher(page.dom());
        assertTrue(status.find(), "the page's script ran: " + page.log());
        String tag = status.group();
        assertFalse(tag.contains("data-errors"), tag + "\n" + page.log());
        assertTrue(tag.contains("data-ready=\"true\""), tag + "\n" + page.log());
        assertTrue(tag.contains("data-charts=\"2\""), "one chart for batch, swept in both runs, and the plane: " + tag);
        assertTrue(tag.contains("data-empty-charts=\"0\""), "every chart has data: " + tag);
        List<String> console = page.log().lines().filter(l -> l.contains("CONSOLE")).toList();
        assertTrue(console.isEmpty(), "the page logs nothing to the console: " + console);
        String pareto = HtmlReportTest.attribute(tag, "data-pareto");
        assertEquals(2, HtmlReportTest.count(pareto, "20260102-030405: " + HtmlReportTest.describe(1)),
                "each run's frontier is its own: the first run's batch 1 on both of its labels' frontiers: " + pareto);
        assertEquals(0, HtmlReportTest.count(pareto, "20260102-030405: " + HtmlReportTest.describe(4)), pareto);
        assertTrue(pareto.contains("20260103-090000: "), "the second run has a frontier of its own: " + pareto);
        String shots = System.getenv("TPB_REPORT_SCREENSHOTS");
        if (shots != null) {
            // docs/report-runs.png is made this way: TPB_REPORT_SCREENSHOTS=$PWD/docs ./mvnw ... -Dtest=RunsPageTest
            HeadlessChromium.screenshot(file, "", Path.of(shots).resolve("report-runs.png"), 1400, 2600, root);
            System.out.println("report.html of two runs: " + Files.size(file) + " bytes");
        }
    }

    @Test
    void aRunFoldersOwnPageIsNeverReplacedByThePageOfSeveral() throws Exception {
        Path own = first.resolve(HtmlReport.FILE);
        Files.writeString(own, "the run's own page");
        ReportCommandTest.Outcome o = ReportCommandTest.run("--out", own.toString(), first.toString(), second.toString());
        assertEquals(2, o.status());
        assertTrue(o.err().contains("is in the run folder " + first.toAbsolutePath().normalize()), o.err());
        assertTrue(o.err().contains("give --out a file outside every run folder"), o.err());
        assertEquals("the run's own page", Files.readString(own), "left as it was");
        assertEquals(Path.of("report.html"), ReportRequest.parse(new String[] {first.toString(), second.toString()})
                .severalRunsPage(), "without --out: report.html in the working folder");
    }

    @Test
    void oneRunWithOutIsWrittenThereAndItsFolderIsLeftAlone() throws Exception {
        Path file = root.resolve("one.html");
        ReportCommandTest.Outcome o = ReportCommandTest.run("--out", file.toString(), second.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(Files.readString(file).contains("<h1>TokenPowerBench report</h1>"));
        assertFalse(Files.exists(second.resolve(HtmlReport.FILE)));
    }
}
