package org.tokenpowerbench.report.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialResult;
import org.tokenpowerbench.report.html.HeadlessChromium;

/**
 * {@code report --compare} on runs whose truth is known: JMH JSON files written here with every
 * iteration's value, and run folders written with {@link SummaryFile}'s own writer.
 */
class CompareCommandTest {

    static final String BENCH = "demo.Bench.wave";
    /** Five iterations of J/outputToken per batch size; the spread is a few per cent. */
    static final double[] ENERGY = {1.00, 1.03, 0.98, 1.01, 0.99};
    static final double[] TTFT = {50, 52, 49, 51, 50};

    record Outcome(int status, String out, String err) {
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = CompareCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A JMH JSON result file (-rf json's shape) for batch 1 and 8, energy scaled by {@code factor}. */
    static Path jmhJson(Path file, double factor) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ArrayNode root = json.createArrayNode();
        for (int batch : new int[] {1, 8}) {
            ObjectNode b = root.addObject();
            b.put("benchmark", BENCH);
            b.put("mode", "ss");
            b.putObject("params").put("batch", String.valueOf(batch));
            metric(b.putObject("primaryMetric"), "s/op", scaled(TTFT, 0.01));
            ObjectNode secondary = b.putObject("secondaryMetrics");
            metric(secondary.putObject("nvml.J/outputToken"), "J/outputToken", scaled(ENERGY, factor * batch));
            metric(secondary.putObject("ttft.p50"), "ms", TTFT);
            metric(secondary.putObject("nvml.avgPower"), "W", scaled(ENERGY, 300 * factor));
        }
        json.writeValue(file.toFile(), root);
        return file;
    }

    private static void metric(ObjectNode m, String unit, double[] values) {
        double mean = java.util.Arrays.stream(values).average().orElseThrow();
        m.put("score", mean);
        m.put("scoreError", "NaN");
        m.put("scoreUnit", unit);
        ArrayNode fork = m.putArray("rawData").addArray();
        for (double v : values) {
            fork.add(v);
        }
    }

    static double[] scaled(double[] values, double factor) {
        return java.util.Arrays.stream(values).map(v -> v * factor).toArray();
    }

    @Test
    void twoRunsOfTheSameNumbersShowNoDifferenceAndPass(@TempDir Path dir) throws Exception {
        Outcome o = run("--compare", jmhJson(dir.resolve("base.json"), 1).toString(),
                jmhJson(dir.resolve("new.json"), 1).toString());
        assertEquals(0, o.status(), o.err());
        assertTrue(o.out().contains("**Gate passed**"), o.out());
        assertTrue(o.out().contains("| Bench.wave batch=1 | nvml.J/outputToken |"), o.out());
        assertFalse(o.out().contains("worse") && !o.out().contains("worse beyond"), o.out());
        assertFalse(o.out().contains("Other metrics that changed"), "nothing moved: " + o.out());
        assertTrue(o.out().contains("Welch's t"), "the method is named: " + o.out());
        assertTrue(Files.exists(dir.resolve(ComparePage.FILE)), "compare.html beside the new run: " + o.err());
    }

    @Test
    void twentyPercentMoreEnergyIsWorseAndFailsTheGate(@TempDir Path dir) throws Exception {
        Outcome o = run("--compare", jmhJson(dir.resolve("base.json"), 1).toString(),
                jmhJson(dir.resolve("new.json"), 1.2).toString());
        assertEquals(Comparison.WORSE_STATUS, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("**Gate failed**: J/outputToken worse beyond 2.00 % in 2 of 2 trials"), o.out());
        assertTrue(o.out().contains("| +20.00 % |"), "the change: " + o.out());
        assertTrue(o.out().contains("| nvml.avgPower |") && o.out().contains("| up |"),
                "power has no better direction: it only moved up: " + o.out());
        assertFalse(o.out().contains("| ttft.p50 |"), "TTFT did not move: " + o.out());
    }

    @Test
    void aChangeBelowTheThresholdIsNoDifferenceEvenWhenTheIntervalExcludesZero(@TempDir Path dir) throws Exception {
        Outcome o = run("--compare", jmhJson(dir.resolve("base.json"), 1).toString(),
                jmhJson(dir.resolve("new.json"), 1.2).toString(), "--threshold", "25%");
        assertEquals(0, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("no difference"), o.out());
    }

    @Test
    void lessEnergyIsBetter(@TempDir Path dir) throws Exception {
        Comparison c = Comparison.of(ComparedRun.read(jmhJson(dir.resolve("b.json"), 1)),
                ComparedRun.read(jmhJson(dir.resolve("n.json"), 0.8)), "J/outputToken", 0.02);
        assertEquals(List.of(Verdict.BETTER, Verdict.BETTER), c.gated().stream().map(Change::verdict).toList());
        assertEquals(0, c.exitStatus());
    }

    /** A run folder's summary.json: JMH's score and 99.9 % error give the standard deviation back exactly. */
    @Test
    void aRunFolderComparesWithAJmhJsonFileOfTheSameValues(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectory(dir.resolve("run"));
        List<TrialResult> trials = new java.util.ArrayList<>();
        for (int batch : new int[] {1, 8}) {
            Map<String, Metric> metrics = new LinkedHashMap<>();
            metrics.put("nvml.J/outputToken", jmhMetric(scaled(ENERGY, batch), "J/outputToken"));
            metrics.put("ttft.p50", jmhMetric(TTFT, "ms"));
            trials.add(new TrialResult(BENCH, Map.of("batch", String.valueOf(batch)), jmhMetric(scaled(TTFT, 0.01),
                    "s/op"), metrics));
        }
        SummaryFile.write(new SweepState(folder, 2, 2, trials, List.of()));
        Comparison c = Comparison.of(ComparedRun.read(folder), ComparedRun.read(jmhJson(dir.resolve("n.json"), 1)),
                "J/outputToken", 0.02);
        for (Change x : c.gated()) {
            assertEquals(x.now().sd(), x.base().sd(), 1e-9, "the same spread from the error as from the raw data");
            assertEquals(Verdict.NO_DIFFERENCE, x.verdict());
        }
        assertEquals(List.of(), c.onlyBase());
    }

    /** A run folder of batch 1 and 8 whose batch-1 J/outputToken is {@code energy} (null: left out) with fork means {@code forks}. */
    static Path folder(Path dir, String name, Metric energy, List<org.tokenpowerbench.report.FailedTrial> failed,
                       boolean twice) {
        Path folder = dir.resolve(name);
        try {
            Files.createDirectories(folder);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<TrialResult> trials = new java.util.ArrayList<>();
        for (int batch : new int[] {1, 8}) {
            Map<String, Metric> metrics = new LinkedHashMap<>();
            metrics.put("nvml.J/outputToken", batch == 1 && energy != null ? energy
                    : jmhMetric(scaled(ENERGY, batch), "J/outputToken"));
            trials.add(new TrialResult(BENCH, Map.of("batch", String.valueOf(batch)), jmhMetric(scaled(TTFT, 0.01), "s/op"),
                    metrics));
        }
        if (twice) {
            trials.add(trials.get(0));
        }
        SummaryFile.write(new SweepState(folder, 2, 2, trials, failed));
        return folder;
    }

    /**
     * What an independent check fed the gate: a negative, a NaN, a score outside its own forks, a
     * unit changed between the runs, a trial written twice. Each was judged (a negative as "better",
     * exit 0); each is now refused with one line, exit 2.
     */
    @Test
    void aGatedScoreThatNoMeasurementGivesIsRefused(@TempDir Path dir) {
        Path base = folder(dir, "base", null, List.of(), false);
        Map<String, Metric> cases = new LinkedHashMap<>();
        cases.put("negative", new Metric(-0.12, 0.01, "J/outputToken", 9, List.of(0.12, 0.13, 0.125)));
        cases.put("nan", new Metric(Double.NaN, 0.01, "J/outputToken", 9, List.of()));
        cases.put("zero", new Metric(0, 0.01, "J/outputToken", 9, List.of()));
        cases.put("outside", new Metric(0.5, 0.01, "J/outputToken", 9, List.of(0.12, 0.13, 0.125)));
        cases.put("kilojoules", new Metric(0.001, 0.0001, "kJ/outputToken", 5, List.of()));
        Map<String, String> says = Map.of("negative", "which no measurement gives", "nan", "not a measured value",
                "zero", "which no measurement gives", "outside", "its forks' means run from",
                "kilojoules", "a change across units is no change");
        cases.forEach((name, m) -> {
            Outcome o = run("--compare", base.toString(), folder(dir, name, m, List.of(), false).toString());
            assertEquals(2, o.status(), name + ": " + o.out() + o.err());
            assertTrue(o.err().contains(says.get(name)), name + ": " + o.err());
            assertEquals("", o.out(), name + ": no verdict printed");
        });
        Outcome twice = run("--compare", base.toString(), folder(dir, "twice", null, List.of(), true).toString());
        assertEquals(2, twice.status(), twice.err());
        assertTrue(twice.err().contains("twice"), twice.err());
    }

    @Test
    void aTrialThatFailedInTheNewRunFailsTheGateWithItsReason(@TempDir Path dir) throws Exception {
        Path base = folder(dir, "base", null, List.of(), false);
        // the new run: batch 1 complete, batch 8 failed
        Path now = dir.resolve("new");
        Files.createDirectories(now);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        metrics.put("nvml.J/outputToken", jmhMetric(ENERGY, "J/outputToken"));
        SummaryFile.write(new SweepState(now, 2, 1, List.of(new TrialResult(BENCH, Map.of("batch", "1"),
                jmhMetric(scaled(TTFT, 0.01), "s/op"), metrics)), List.of(new org.tokenpowerbench.report.FailedTrial(
                BENCH, Map.of("batch", "8"), List.of("the engine died")))));
        Outcome o = run("--compare", base.toString(), now.toString());
        assertEquals(Comparison.FAILED_STATUS, o.status(), o.out() + o.err());
        assertTrue(o.out().contains("**Gate failed**: 1 trial(s) the base run completed failed in the new run"), o.out());
        assertTrue(o.out().contains("Failed in the new run: Bench.wave batch=8: the engine died"), o.out());
    }

    /** The page never goes over what the command reads: once it replaced BASE's summary.json, exit 0. */
    @Test
    void thePageIsNeverWrittenOverARunsRecords(@TempDir Path dir) throws Exception {
        Path base = folder(dir, "base", null, List.of(), false);
        Path now = folder(dir, "new", null, List.of(), false);
        byte[] summary = Files.readAllBytes(base.resolve(SummaryFile.NAME));
        for (Path target : List.of(base.resolve(SummaryFile.NAME), base.resolve("trials.jsonl"), now, base.resolve("x.html"))) {
            Outcome o = run("--compare", base.toString(), now.toString(), "--html", target.toString());
            assertEquals(2, o.status(), target + ": " + o.out() + o.err());
            assertEquals("", o.out(), "no verdict before the page: " + o.out());
        }
        assertTrue(java.util.Arrays.equals(summary, Files.readAllBytes(base.resolve(SummaryFile.NAME))), "BASE untouched");
        Outcome itself = run("--compare", base.toString(), base.resolve(".").toString());
        assertEquals(2, itself.status(), itself.out());
        assertTrue(itself.err().contains("BASE and NEW are the same run"), itself.err());
        assertEquals(0, run("--compare", base.toString(), now.toString(), "--html",
                base.resolve(ComparePage.FILE).toString()).status(), "a run folder's compare.html is the page's own");
    }

    private static Metric jmhMetric(double[] values, String unit) {
        IterationStats s = IterationStats.ofValues(values, unit);
        double t = new TDistribution(values.length - 1).inverseCumulativeProbability(0.9995);
        return new Metric(s.mean(), t * s.sd() / Math.sqrt(values.length), unit, values.length);
    }

    /**
     * Known truth: two normal populations with different spreads and sample sizes, their means
     * 0.3 apart. Over many seeded draws the 95 % Welch interval covers the true difference about
     * 95 % of the time (the binomial's standard error over 4,000 draws is 0.34 %, so 93–97 % is
     * a wide margin), and the pooled-variance interval it replaces would not be this close.
     */
    @Test
    void theIntervalCoversTheTrueDifferenceAboutNinetyFivePercentOfTheTime() {
        java.util.Random random = new java.util.Random(20261204L);
        int draws = 4000;
        int covered = 0;
        for (int d = 0; d < draws; d++) {
            double[] base = new double[5];
            double[] now = new double[9];
            for (int i = 0; i < base.length; i++) {
                base[i] = 10 + 0.2 * random.nextGaussian();
            }
            for (int i = 0; i < now.length; i++) {
                now[i] = 10.3 + 1.0 * random.nextGaussian();
            }
            WelchInterval w = WelchInterval.of(IterationStats.ofValues(base, "J"), IterationStats.ofValues(now, "J"),
                    0.95);
            if (w.covers(0.3)) {
                covered++;
            }
        }
        double coverage = covered / (double) draws;
        assertTrue(coverage > 0.93 && coverage < 0.97, "coverage " + coverage);
    }

    @Test
    void badInputIsOneLineAndExitTwo(@TempDir Path dir) throws Exception {
        Path base = jmhJson(dir.resolve("base.json"), 1);
        Path again = jmhJson(dir.resolve("again.json"), 1); // the same numbers in another file: not the same run
        Path notJson = Files.writeString(dir.resolve("x.json"), "Benchmark  Mode  Cnt  Score\n");
        Path other = dir.resolve("other.json");
        Files.writeString(other, "[{\"benchmark\":\"demo.Other.wave\",\"params\":{},\"primaryMetric\":"
                + "{\"score\":1,\"scoreError\":\"NaN\",\"scoreUnit\":\"s/op\",\"rawData\":[[1,1.1]]}}]");
        Map<String[], String> cases = new LinkedHashMap<>();
        cases.put(new String[] {"--compare", base.toString()}, "give two runs");
        cases.put(new String[] {"--compare", base.toString(), dir.resolve("missing").toString()},
                "neither a run folder nor a file");
        cases.put(new String[] {"--compare", base.toString(), notJson.toString()}, "is not JSON");
        cases.put(new String[] {"--compare", base.toString(), dir.toString()}, "has no summary.json");
        Path binary = Files.createDirectories(dir.resolve("binary"));
        Files.write(binary.resolve(SummaryFile.NAME), new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xd8, 'a', 0});
        cases.put(new String[] {"--compare", base.toString(), binary.toString()}, "cannot read "
                + binary.resolve(SummaryFile.NAME) + ": it is not UTF-8 JSON (byte 0 of 6 is no UTF-8");
        cases.put(new String[] {"--compare", base.toString(), other.toString()}, "no trial is in both");
        cases.put(new String[] {"--compare", base.toString(), again.toString(), "--threshold", "two"}, "no percentage");
        cases.put(new String[] {"--compare", base.toString(), again.toString(), "--threshold"}, "needs a value");
        cases.put(new String[] {"--compare", base.toString(), again.toString(), "--threshold", "1e9"}, "above 100 %");
        cases.put(new String[] {"--compare", base.toString(), again.toString(), "--metric", "J/parsec"},
                "is in no trial of both runs; known: wave, nvml.J/outputToken");
        cases.put(new String[] {"--compare", base.toString(), again.toString(), "--metric", "avgPower"},
                "cannot gate");
        cases.put(new String[] {"--compare", base.toString(), again.toString(), "--bogus"}, "unknown option --bogus");
        cases.forEach((args, expected) -> {
            Outcome o = run(args);
            assertEquals(2, o.status(), String.join(" ", args) + ": " + o.err());
            assertEquals("", o.out(), "no Markdown for bad input");
            assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
            assertTrue(o.err().contains(expected), expected + " in: " + o.err());
        });
    }

    @Test
    void comparePageOpensInHeadlessChromiumWithItsChartDrawn(@TempDir Path dir) throws Exception {
        HeadlessChromium.binary();
        Outcome o = run("--compare", jmhJson(dir.resolve("base.json"), 1).toString(),
                jmhJson(dir.resolve("new.json"), 1.2).toString());
        Path html = dir.resolve(ComparePage.FILE);
        String text = Files.readString(html);
        assertFalse(text.contains("src=\"http") || text.contains("href=\"http"), "nothing loaded from a network");
        HeadlessChromium.Page page = HeadlessChromium.dumpDom(html, dir);
        Matcher status = Pattern.compile("<div id=\"tpb-status\"[^>]*>").matcher(page.dom());
        assertTrue(status.find(), "the page's script ran: " + page.log());
        String tag = status.group();
        assertFalse(tag.contains("data-errors"), tag + "\n" + page.log());
        assertTrue(tag.contains("data-ready=\"true\""), tag + "\n" + page.log());
        List<String> console = page.log().lines().filter(l -> l.contains("CONSOLE")).toList();
        assertTrue(console.isEmpty(), "the page logs nothing to the console: " + console);
        assertEquals(Comparison.WORSE_STATUS, o.status());
        String shots = System.getenv("TPB_REPORT_SCREENSHOTS");
        if (shots != null) {
            // docs/compare.png is made this way: TPB_REPORT_SCREENSHOTS=$PWD/docs ./mvnw ... -Dtest=CompareCommandTest
            HeadlessChromium.screenshot(html, "", Path.of(shots).resolve("compare.png"), 1400, 1100, dir);
            System.out.println("compare.html of these two runs: " + Files.size(html) + " bytes");
        }
    }
}
