package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.report.FleetForecast;
import org.tokenpowerbench.report.GridIntensity;
import org.tokenpowerbench.report.CostInputs;
import org.tokenpowerbench.report.TrafficProfile;

/**
 * {@code report --forecast traffic.csv DIR} on {@link HtmlReportTest}'s sweep, whose curve is known:
 * batch 1, 2 and 4 measured 50, 80 and 100 output tokens/s at 1.0, 0.6 and 0.7 J/outputToken (nvml;
 * three iterations each: {1.0, 1.1, 0.9}, {0.6, 0.62, 0.58}, {0.7, 0.75, 0.65}). The day below has a
 * row under the measured loads, one between them and one above them; its answer is worked by hand
 * here and in docs/report.md.
 */
@ExtendWith(FixedInvocation.class)
class ForecastCommandTest {

    static final String DAY = """
            time,requests_per_s,mean_prompt_tokens,mean_output_tokens
            00:00,0.5,128,64
            06:00,1,130,65
            18:00,2,128,64
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void runFolder() {
        HtmlReportTest.writeSweep(dir);
    }

    /** Half the 95 % t-interval of three values with standard deviation {@code sd}. */
    static double half(double sd) {
        return new TDistribution(2).inverseCumulativeProbability(0.975) * sd / Math.sqrt(3);
    }

    @Test
    void aDayOnTheMeasuredCurveByHand() throws Exception {
        Path traffic = dir.resolve("traffic.csv");
        Files.writeString(traffic, DAY);
        RunRecords run = RunRecords.read(dir);
        ReportSettings settings = new ReportSettings(org.tokenpowerbench.report.ServiceObjectives.none(),
                new CostInputs(GridIntensity.parse("DE"), 1.0, 0.30, Double.NaN), TrafficProfile.read(traffic));
        List<FleetForecast> all = ForecastSection.of(run, SweepTable.of(run), settings);
        assertEquals(List.of("nvml", "cpu.estimated"), all.stream().map(f -> f.curve().label()).toList(),
                "one curve per energy label; the trials differ only in batch, one configuration");
        FleetForecast f = all.get(0);
        assertEquals(List.of(50.0, 80.0, 100.0), f.curve().points().stream()
                .map(p -> p.outputTokensPerS()).toList(), "1000 / TPOT × batch");

        // 00:00-06:00: 0.5 × 64 = 32 tokens/s, below 50: clamped to batch 1's 1.0 J/outputToken
        // 06:00-18:00: 1 × 65 = 65 tokens/s, halfway from 50 to 80: (1.0 + 0.6) / 2 = 0.8 J/outputToken
        // 18:00-24:00: 2 × 64 = 128 tokens/s, above 100: clamped to batch 4's 0.7 J/outputToken
        double day = 1.0 * 32 * 6 * 3600 + 0.8 * 65 * 12 * 3600 + 0.7 * 128 * 6 * 3600;
        assertEquals(4_872_960, day, 1e-6);
        assertEquals(day / 3.6e6, f.dailyKWh().value(), 1e-9, "1.3536 kWh a day");
        assertEquals(day / 3.6e6 * 365, f.annualKWh().value(), 1e-6, "494.1 kWh a year");
        assertEquals(day / 3.6e6 * 365 * 381 / 1e6, f.annualTonnesCo2e().value(), 1e-9, "0.1882 tCO2e at DE's 381 g");
        assertEquals(day / 3.6e6 * 365 * 0.30, f.annualDollars().value(), 1e-6, "$148.2");
        double lower = (1.0 - half(0.1)) * 32 * 6 * 3600
                + ((1.0 - half(0.1)) + (0.6 - half(0.02))) / 2 * 65 * 12 * 3600 + (0.7 - half(0.05)) * 128 * 6 * 3600;
        double upper = (1.0 + half(0.1)) * 32 * 6 * 3600
                + ((1.0 + half(0.1)) + (0.6 + half(0.02))) / 2 * 65 * 12 * 3600 + (0.7 + half(0.05)) * 128 * 6 * 3600;
        assertEquals(lower / 3.6e6 * 365, f.annualKWh().lower(), 1e-6);
        assertEquals(upper / 3.6e6 * 365, f.annualKWh().upper(), 1e-6);
        assertEquals(2, f.clampedRows());
        assertTrue(f.rows().get(0).notes().get(0).startsWith("32 output tokens/s is below the lowest measured load, 50"),
                f.rows().get(0).notes().toString());
        assertTrue(f.rows().get(1).notes().isEmpty(), "inside the measured range: no note");
        assertTrue(f.rows().get(2).notes().get(0).contains("above the highest measured load, 100"),
                f.rows().get(2).notes().toString());
    }

    @Test
    void theConsoleAndThePageCarryTheForecast() throws Exception {
        Path traffic = dir.resolve("traffic.csv");
        Files.writeString(traffic, DAY);
        ReportCommandTest.Outcome o = ReportCommandTest.run("--forecast", traffic.toString(), "--carbon", "DE",
                "--price", "0.30", dir.toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("[nvml] over traffic.csv (3 rows, PUE 1.0 (measured scope only)): daily 1.354 ("),
                o.out());
        assertTrue(o.out().contains("annual 494.1 ("), o.out());
        assertTrue(o.out().contains("0.1882 ("), o.out());
        assertTrue(o.out().contains("$148.2 ("), o.out());
        assertTrue(o.out().contains("2 row(s) outside it, clamped"), o.out());
        assertTrue(o.out().contains("line 2 (00:00): 32 output tokens/s is below"), "the clamped row, by line: " + o.out());
        assertTrue(o.out().contains("line 4 (18:00): 128 output tokens/s is above"), o.out());
        assertFalse(o.out().contains("line 3 (06:00)"), o.out());
        assertTrue(o.out().contains("[cpu.estimated]") && o.out().contains("kWh (estimated)"), o.out());
        String page = Files.readString(dir.resolve(HtmlReport.FILE));
        assertTrue(page.contains("<h2>Fleet forecast</h2>"), "the section");
        assertTrue(page.contains("data-forecast-label=\"nvml\""), "the nvml forecast");
        assertTrue(page.contains("<th>kWh per year</th><td>494.1</td>"), "the year's kWh on the page");
        assertEquals(2 * 2, HtmlReportTest.count(page, "<tr class=\"clamped\">"), "two clamped rows per label");
    }

    @Test
    void thePageWithTheForecastOpensInHeadlessChromiumWithoutAConsoleMessage() throws Exception {
        HeadlessChromium.binary();
        Path traffic = dir.resolve("traffic.csv");
        Files.writeString(traffic, DAY);
        assertEquals(0, ReportCommandTest.run("--forecast", traffic.toString(), dir.toString()).status());
        HeadlessChromium.Page page = HeadlessChromium.dumpDom(dir.resolve(HtmlReport.FILE), dir);
        java.util.regex.Matcher status = java.util.regex.Pattern.compile("<div id=\"tpb-status\"[^>]*>")
                .matcher(page.dom());
        assertTrue(status.find(), "the page's script ran: " + page.log());
        assertTrue(status.group().contains("data-ready=\"true\"") && !status.group().contains("data-errors"),
                status.group() + "\n" + page.log());
        assertTrue(page.dom().contains("data-forecast-label=\"nvml\""), "the section is in the drawn page");
        List<String> console = page.log().lines().filter(l -> l.contains("CONSOLE")).toList();
        assertTrue(console.isEmpty(), "the page logs nothing to the console: " + console);
    }

    @Test
    void withoutForecastThereIsNoSection() throws Exception {
        ReportCommandTest.Outcome o = ReportCommandTest.run(dir.toString());
        assertEquals(0, o.status(), o.err());
        assertFalse(o.out().contains("Fleet forecast"), o.out());
        assertFalse(Files.readString(dir.resolve(HtmlReport.FILE)).contains("Fleet forecast"));
    }

    @Test
    void aBadTrafficFileIsOneLineNamingLineAndColumnWithExitTwo() throws Exception {
        Path traffic = dir.resolve("traffic.csv");
        Files.writeString(traffic, "time,requests_per_s,mean_prompt_tokens,mean_output_tokens\n00:00,1,128,64\n"
                + "06:00,many,128,64\n");
        ReportCommandTest.Outcome o = ReportCommandTest.run("--forecast", traffic.toString(), dir.toString());
        assertEquals(2, o.status());
        assertEquals(traffic + " line 3, column requests_per_s: \"many\" is no number of 0 or more; e.g. 12.5\n",
                o.err());
        assertFalse(Files.exists(dir.resolve(HtmlReport.FILE)), "nothing written before the arguments are right");
        ReportCommandTest.Outcome missing = ReportCommandTest.run("--forecast", dir.resolve("none.csv").toString(),
                dir.toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("report --forecast: cannot read "), missing.err());
        assertEquals(1, missing.err().lines().count());
    }
}
