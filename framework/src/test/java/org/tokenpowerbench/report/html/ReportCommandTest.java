package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.report.SloChoiceTest;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;

/**
 * {@code report [options] DIR}: the options reach the page and the console, and bad ones are one
 * line with exit status 2. The run folder is {@link SloChoiceTest}'s sweep, whose answers are known.
 */
class ReportCommandTest {

    @TempDir
    Path dir;

    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReportCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeEach
    void runFolder() {
        SummaryFile.write(new SweepState(dir, 4, 4, SloChoiceTest.trials(), List.of()));
    }

    @Test
    void theBestSettingUnderTheObjectivesIsNamedOnThePageAndTheConsole() throws Exception {
        Outcome o = run("--slo", "ttft=500ms,tpot=50ms", dir.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("batch=4 takes the least nvml.J/outputToken"), o.out());
        assertTrue(o.out().contains("33.3 % less than the next, batch=2"), o.out());
        String page = Files.readString(dir.resolve(HtmlReport.FILE));
        assertTrue(page.contains("<h2>Best setting under the objectives</h2>"), "the section");
        assertTrue(page.contains("data-slo-label=\"nvml\" data-slo-best=\"batch=4\""), "the choice is marked");
    }

    @Test
    void withoutObjectivesThereIsNoChoice() throws Exception {
        Outcome o = run(dir.toString());
        assertEquals(0, o.status(), o.err());
        assertFalse(o.out().contains("takes the least"), o.out());
        assertFalse(Files.readString(dir.resolve(HtmlReport.FILE)).contains("Best setting under"));
    }

    @Test
    void costAndCarbonReachThePageTheConsoleAndEmissionsCsv() throws Exception {
        SummaryFile.write(new SweepState(dir, 1, 1, List.of(org.tokenpowerbench.report.FootprintTest.trial()),
                List.of()));
        Outcome o = run("--carbon", "DE", "--price", "0.30", "--hw-price", "2.50", dir.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("PUE 1.0 (measured scope only), grid DE: 381 gCO2e/kWh, Ember 2023"), o.out());
        assertTrue(o.out().contains("[nvml]: 0.1111 kWh, 42.33 gCO2e, $0.03333 electricity, $1.389 hardware"), o.out());
        assertTrue(o.out().contains("[cpu.estimated]: 0.25 kWh (estimated)"), o.out());
        assertTrue(Files.exists(dir.resolve("emissions.csv")), o.out());
        String page = Files.readString(dir.resolve(HtmlReport.FILE));
        assertTrue(page.contains("<h2>Cost and carbon per million output tokens</h2>"), "the section");
        assertTrue(page.contains("PUE 1.0 (measured scope only)"));
        assertTrue(page.contains("42.33"), "the grams on the page");
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() {
        for (String[] args : List.of(new String[] {"--carbon", "XX", dir.toString()},
                new String[] {"--price", "0.3", dir.toString()}, new String[] {"--carbon", "DE", "--pue", "0.5", dir.toString()},
                new String[] {"--carbon", "DE", "--hw-price", "a lot", dir.toString()},
                new String[] {"--slo"}, new String[] {"--slo", "speed=1", dir.toString()},
                new String[] {"--bogus", dir.toString()}, new String[] {"--slo", "ttft=1s"}, new String[] {})) {
            Outcome o = run(args);
            assertEquals(2, o.status(), String.join(" ", args));
            assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
            assertEquals("", o.out(), "no page written for bad options");
        }
    }

    /**
     * What an independent check did to a run folder: --out over the run's own records, over another
     * run's page, over the traffic file; an empty or misshapen summary.json; text where a number
     * belongs. Each once wrote a page over something (exit 0) or ended in exit 70 with a stack trace;
     * each is now one line, exit 2, and the folder as it was.
     */
    @Test
    void aPageNeverGoesOverARunsRecordsAndDamagedRecordsAreOneLine(@TempDir Path other) throws Exception {
        run(dir.toString());
        byte[] summary = Files.readAllBytes(dir.resolve(SummaryFile.NAME));
        byte[] page = Files.readAllBytes(dir.resolve(HtmlReport.FILE));
        SummaryFile.write(new SweepState(other, 4, 4, SloChoiceTest.trials(), List.of()));
        Path traffic = Files.writeString(Files.createDirectories(other.resolve("plain")).resolve("traffic.csv"),
                "time,requests_per_s,mean_prompt_tokens,mean_output_tokens\n00:00,1,100,50\n12:00,2,100,50\n");
        for (String[] args : List.of(
                new String[] {dir.toString(), "--out", dir.resolve(SummaryFile.NAME).toString()},
                new String[] {dir.toString(), "--out", dir.resolve("iterations.jsonl").toString()},
                new String[] {dir.toString(), "--out", other.resolve(HtmlReport.FILE).toString()},
                new String[] {dir.toString(), "--forecast", traffic.toString(), "--out", traffic.toString()})) {
            Outcome o = run(args);
            assertEquals(2, o.status(), String.join(" ", args) + ": " + o.out() + o.err());
            assertTrue(o.err().startsWith("report: --out ") && o.err().strip().lines().count() == 1, o.err());
        }
        assertTrue(java.util.Arrays.equals(summary, Files.readAllBytes(dir.resolve(SummaryFile.NAME))));
        assertTrue(Files.readString(traffic).startsWith("time,"), "the traffic file is as it was");
        assertEquals(0, run(dir.toString(), "--out", dir.resolve(HtmlReport.FILE).toString()).status(), "its own page");

        for (String damaged : List.of("", "[1,2,3]", "{\"trials\":\"oops\"}", "{\"trials\":[{\"benchmark\":\"b\","
                + "\"params\":{},\"metrics\":{\"x\":{\"score\":\"0.5abc\"}}}]}", "{\"trials\":[NaN]}")) {
            Files.writeString(dir.resolve(SummaryFile.NAME), damaged);
            Files.write(dir.resolve(HtmlReport.FILE), page);
            Outcome o = run(dir.toString());
            assertEquals(2, o.status(), damaged + ": " + o.out() + o.err());
            assertTrue(o.err().strip().lines().count() == 1 && o.err().contains("edited or damaged")
                    && !o.err().contains("JsonReadFeature"), damaged + ": " + o.err());
            assertTrue(java.util.Arrays.equals(page, Files.readAllBytes(dir.resolve(HtmlReport.FILE))),
                    "the page stays as it was");
        }
        Files.write(dir.resolve(SummaryFile.NAME), summary);
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList(), "no half page");
        }
    }

    /**
     * A row of requests.csv with fewer columns than the header was dropped without a word. Only the
     * last line, when no line break follows it (a crash cut it while it was written), is left out,
     * and said; any other short row is one line naming the file and line, exit 2.
     */
    @Test
    void aShortRequestsRowIsRefusedUnlessItIsTheLastLineACrashCut() throws Exception {
        Path requests = dir.resolve(org.tokenpowerbench.report.RequestsFile.FILE);
        String header = "trial,trial_id,iteration,request,ttft_ms\n";
        String row = "t,t0,warmup-1,0,12.5\n";
        Files.writeString(requests, header + row + "t,t0,warm\n" + row);
        byte[] page = Files.exists(dir.resolve(HtmlReport.FILE)) ? Files.readAllBytes(dir.resolve(HtmlReport.FILE)) : null;
        Outcome middle = run(dir.toString());
        assertEquals(2, middle.status(), middle.out() + middle.err());
        assertEquals("report: " + requests + " line 3 has 3 of the header's 5 columns; the file was edited or damaged"
                + " (only a last line that a crash cut short is left out): give the run folder as the run wrote it",
                middle.err().strip());
        assertTrue(page == null ? !Files.exists(dir.resolve(HtmlReport.FILE))
                : java.util.Arrays.equals(page, Files.readAllBytes(dir.resolve(HtmlReport.FILE))), "no page over it");

        Files.writeString(requests, header + row + "t,t0,warm\n");
        Outcome lastWithBreak = run(dir.toString());
        assertEquals(2, lastWithBreak.status(), "a line break after it: written whole, so edited: " + lastWithBreak.err());
        assertTrue(lastWithBreak.err().contains(requests + " line 3 has 3 of the header's 5 columns"), lastWithBreak.err());

        Files.writeString(requests, header + row + "t,t0,warm");
        Outcome cut = run(dir.toString());
        assertEquals(0, cut.status(), cut.err());
        assertEquals("report: " + requests + ": its last line is cut short (no line break after it: a crash while it was"
                + " written?); the page leaves that request out", cut.err().strip());

        Files.writeString(requests, header + row + "t,t0,warmup-1,1,13.0");
        Outcome whole = run(dir.toString());
        assertEquals(0, whole.status(), whole.err());
        assertEquals("", whole.err(), "a whole last row without a line break is no cut");
    }

    /** A line cut short is left out and said; a line written twice (a file joined from copies) is refused. */
    @Test
    void iterationLinesCutShortAreSaidAndLinesWrittenTwiceRefused() throws Exception {
        Path lines = dir.resolve(org.tokenpowerbench.report.EnergyRow.FILE);
        Files.writeString(lines, "{\"kind\":\"requests\",\"n\":1}\n{\"kind\":\"requests\",\"n\":2}\n{\"kind\":\"req");
        Outcome cut = run(dir.toString());
        assertEquals(0, cut.status(), cut.err());
        assertTrue(cut.err().contains("1 line(s) are not whole"), cut.err());
        Files.writeString(lines, "{\"kind\":\"requests\",\"n\":1}\n{\"kind\":\"requests\",\"n\":1}\n");
        byte[] page = Files.readAllBytes(dir.resolve(HtmlReport.FILE));
        Outcome twice = run(dir.toString());
        assertEquals(2, twice.status(), twice.out());
        assertTrue(twice.err().contains("line 2 repeats an earlier line byte for byte"), twice.err());
        assertTrue(java.util.Arrays.equals(page, Files.readAllBytes(dir.resolve(HtmlReport.FILE))), "no page over it");
    }
}
