package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.jmh.BenchmarkSpec;
import org.tokenpowerbench.report.ConditionsRow;
import org.tokenpowerbench.report.FailedTrial;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.RequestsFile;
import org.tokenpowerbench.report.RequestsRow;
import org.tokenpowerbench.report.PowerTraceFile;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.SensorRow;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepListener;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialResult;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.WaveMetrics;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * The page for a run folder written with the report package's own writers: three batch sizes
 * measured by NVML and by the CPU estimate over three iterations each, a failed fourth, a prefix
 * cache warning, a throttled wave. Then opened in headless Chromium.
 */
@ExtendWith(FixedInvocation.class)
class HtmlReportTest {

    static final String BENCH = "demo.Bench";
    static final int WAVE_OUTPUT_TOKENS = 4 * 64;
    static final long MS = 1_000_000L;
    static final long WAVE_START = 1_000_000_000L;
    static final long WAVE_SPACING = 3_000_000_000L;
    /** Per batch: TPOT p50 (ms) and the three iterations' J/outputToken under NVML. */
    static final Map<Integer, double[]> TRIALS = Map.of(
            1, new double[] {20, 1.0, 1.1, 0.9},
            2, new double[] {25, 0.6, 0.62, 0.58},
            4, new double[] {40, 0.7, 0.75, 0.65}); // slower and dearer than batch 2: off the frontier

    @TempDir
    Path dir;

    @BeforeEach
    void writeRunFolder() {
        writeSweep(dir);
    }

    /**
     * The three-trial batch sweep ({@link #TRIALS}) with two sensors and a failed batch 8, written
     * into {@code dir} by the run folder's own writers; also the folder of {@code ForecastCommandTest}.
     */
    static void writeSweep(Path dir) {
        RunDirectory run = new RunDirectory(dir);
        sensor(run, "nvml", "GPU-1 gpu counter ENERGY_JOULES");
        sensor(run, "cpu", "host cpu estimated POWER_WATTS");
        List<TrialResult> results = new ArrayList<>();
        int powerFiles = 0;
        for (int batch : List.of(1, 2, 4)) {
            double[] t = TRIALS.get(batch);
            String trial = describe(batch);
            double[] nvml = {t[1], t[2], t[3]};
            double[] cpu = {t[1] / 10, t[2] / 10, t[3] / 10};
            for (int i = 0; i < 3; i++) {
                long t0 = WAVE_START + (batch * 10L + i) * WAVE_SPACING;
                WaveRecord wave = wave(batch == 2 ? 100 : -1, t0, batch);
                org.tokenpowerbench.report.TrialKey key = new org.tokenpowerbench.report.TrialKey(BENCH, trial);
                String iterationId = "measurement-" + (i + 1);
                RequestsFile.append(run, key, iterationId, wave);
                PowerTrace trace = trace(t0, 300, (1275 + 120L * batch) * MS);
                PowerTraceFile.write(run, "nvml", ++powerFiles, key, iterationId, trace, PowerSignal.of(trace, MS * 500));
                WaveMetrics m = WaveMetrics.of(wave, false, org.tokenpowerbench.workload.Slo.NONE);
                Map<String, String> warnings = new LinkedHashMap<>();
                if (m.prefixCacheWarning() != null) {
                    warnings.put("prefixCacheWarning", m.prefixCacheWarning());
                }
                // batch 4's waves recorded who used the host's CPUs; its second had 2.4 % stolen, and the
                // engine's busiest thread used a whole CPU in its first two
                org.tokenpowerbench.workload.HostCpu.Reading host = batch != 4 ? null
                        : new org.tokenpowerbench.workload.HostCpu.Reading(0.15, i == 1 ? 0.024 : 0.002, 0.02, 0.09, 0.01,
                        Double.NaN, Double.NaN, i < 2 ? 0.99 + 0.02 * i : 0.6, 0.0);
                if (host != null && host.stealWarning() != null) {
                    warnings.put("stealWarning", host.stealWarning());
                }
                RequestsRow.append(run, new org.tokenpowerbench.report.TrialKey("demo.Bench", trial), "measurement", i + 1,
                        "exact", m, Map.of(), warnings, List.of(), host);
                energy(run, "nvml", "counter", trial, nvml[i] * WAVE_OUTPUT_TOKENS, batch == 4 ? 3 : 0, iterationId);
                energy(run, "cpu", "estimated", trial, cpu[i] * WAVE_OUTPUT_TOKENS);
                if (batch == 4 && i == 1) {
                    ObjectNode c = run.newObject();
                    c.put("kind", "conditions").put("trial", trial).put("iteration", "measurement")
                            .put("sensor", "nvml").put("device", "GPU-1").put("readings", 20)
                            .put("throttledReadings", 12);
                    c.putArray("reasons").add("swPowerCap");
                    run.appendJsonLine(ConditionsRow.FILE, c);
                }
                if (batch == 2 && i == 0) { // held back between readings: only the hold-back times saw it
                    ObjectNode c = run.newObject();
                    c.put("kind", "conditions").put("trial", trial).put("iteration", "measurement-1")
                            .put("sensor", "nvml").put("device", "GPU-1").put("readings", 5)
                            .put("throttledReadings", 0).put("heldBackSpanMs", 5010.0).put("throttledMs", 40.0);
                    c.putArray("reasons");
                    c.putObject("heldBackMs").put("powerPolicy", 40.0).put("thermalPolicy", 0.0);
                    run.appendJsonLine(ConditionsRow.FILE, c);
                }
            }
            Map<String, Metric> metrics = new LinkedHashMap<>();
            metrics.put("nvml.J/token", jmh(new double[] {nvml[0] / 3, nvml[1] / 3, nvml[2] / 3}, "J/token"));
            metrics.put("nvml.J/outputToken", jmh(nvml, "J/token"));
            metrics.put("nvml.avgPower", new Metric(300, 5, "W", 3));
            metrics.put("cpu.estimated.J/token", jmh(new double[] {cpu[0] / 3, cpu[1] / 3, cpu[2] / 3}, "J/token"));
            metrics.put("cpu.estimated.J/outputToken", jmh(cpu, "J/token"));
            metrics.put("cpu.estimated.avgPower", new Metric(30, 1, "W", 3));
            metrics.put("ttft.p50", new Metric(50, 2, "ms", 3));
            metrics.put("tpot.p50", new Metric(t[0], 0.5, "ms", 3));
            metrics.put("output.tokens/s", new Metric(1000.0 / t[0] * batch, 3, "tokens/s", 3));
            metrics.put("requests.failed", new Metric(0, 0, "requests", 3));
            results.add(new TrialResult(BENCH + "_Energy.wave", params(batch), new Metric(1, 0.1, "s/op", 3), metrics));
        }
        new FailureRecord("", BENCH, describe(8), "the server answered 503 to every request: lower batch").appendTo(run);
        SummaryFile.write(new SweepState(dir, 4, 4, results, List.of(new FailedTrial(BENCH + "_Energy.wave",
                params(8), List.of("the server answered 503 to every request: lower batch")))));
        org.tokenpowerbench.report.RegressionFile.update(run);
    }

    @Test
    void intervalIsStudentsTOverTheIterationsAndAgreesWithJmhsError() {
        TrialRow row = row(SweepTable.of(RunRecords.read(dir)), 1, "nvml");
        IterationInterval ci = row.interval();
        assertNotNull(ci, row.intervalNote());
        assertNull(row.intervalNote());
        assertEquals(3, ci.n());
        assertEquals(1.0, ci.mean(), 1e-12);
        // s = 0.1 over 3 iterations; t(0.975, 2) = 4.3027 from any t table
        assertEquals(4.3027 * 0.1 / Math.sqrt(3), ci.halfWidth(), 1e-4);
        // JMH's error is the same construction at 99.9 %: the two differ by their t quantiles only
        double ratio = new TDistribution(2).inverseCumulativeProbability(0.9995)
                / new TDistribution(2).inverseCumulativeProbability(0.975);
        assertEquals(row.jPerOutputToken().error(), ci.halfWidth() * ratio, 1e-9);
    }

    @Test
    void frontierHoldsTheTrialsNoOtherBeatsPerEnergyLabel() {
        List<TrialRow> rows = SweepTable.of(RunRecords.read(dir));
        for (String label : List.of("nvml", "cpu.estimated")) {
            assertTrue(row(rows, 1, label).pareto(), label);
            assertTrue(row(rows, 2, label).pareto(), label);
            assertFalse(row(rows, 4, label).pareto(), label + ": batch 4 is slower and dearer than batch 2");
        }
        assertEquals(List.of(0, 2), ParetoFrontier.of(new double[] {10, 10, 20, 30, Double.NaN},
                new double[] {1, 2, 0.5, 0.5, 0.1}), "a tie on one axis loses to the point better on the other");
    }

    @Test
    void warningsSitWithTheirNumbers() throws Exception {
        List<TrialRow> rows = SweepTable.of(RunRecords.read(dir));
        assertTrue(row(rows, 2, "nvml").warnings().stream().anyMatch(w -> w.startsWith("prefix cache: ")
                && w.endsWith("(3 of 3 measured waves)")), row(rows, 2, "nvml").warnings().toString());
        assertTrue(row(rows, 4, "nvml").warnings().stream().anyMatch(w -> w.contains("throttled: GPU-1")
                && w.contains("12 of 20 readings") && w.contains("swPowerCap")), row(rows, 4, "nvml").warnings().toString());
        assertTrue(row(rows, 1, "nvml").warnings().isEmpty(), row(rows, 1, "nvml").warnings().toString());
        assertTrue(row(rows, 2, "nvml").warnings().contains("throttled: GPU-1 held back in 1 measured wave(s), 0 of 5"
                + " readings, and for 40 ms by its power or thermal policy (hold-back times)"),
                row(rows, 2, "nvml").warnings().toString());
        assertTrue(row(rows, 4, "nvml").warnings().stream().anyMatch(w -> w.startsWith("short phases: 9 phase(s)")
                && w.contains("(100 ms) in 3 of 3 measured waves")), row(rows, 4, "nvml").warnings().toString());
        assertTrue(row(rows, 4, "cpu.estimated").warnings().stream().noneMatch(w -> w.startsWith("short phases")),
                "the flag is the nvml lines', not the cpu ones'");
        assertTrue(row(rows, 4, "nvml").warnings().stream().anyMatch(w -> w.startsWith("host steal: the hypervisor gave 1 %"
                + " or more of the host's CPU time to other guests in 1 of 3 measured waves (up to 2.4 %)")),
                row(rows, 4, "nvml").warnings().toString());
        assertTrue(row(rows, 2, "nvml").warnings().stream().noneMatch(w -> w.startsWith("host steal")),
                "no host figures recorded, no steal line");
        assertTrue(row(rows, 4, "nvml").warnings().contains("engine pace: the launched engine's busiest thread used 1.00"
                + " of one CPU on average in 2 of 3 measured waves (those at 0.9 or more); where that is the engine's own"
                + " work rather than a spin while it waits for the GPU, "
                + org.tokenpowerbench.workload.HostCpu.Reading.CPU_PACED_CONSEQUENCE),
                row(rows, 4, "nvml").warnings().toString());
        assertTrue(row(rows, 2, "nvml").warnings().stream().noneMatch(w -> w.startsWith("engine pace")),
                "no engine thread recorded, no pace line");

        String html = Files.readString(HtmlReport.write(RunRecords.read(dir)));
        String batch2 = tableRow(html, describe(2), "nvml");
        assertTrue(batch2.contains("prefix cache"), batch2);
        assertTrue(html.contains("host steal: the hypervisor gave 2.4 % of this host"), "the stolen wave's own note");
        assertTrue(html.contains("id=\"tpb-regression\"") && html.contains("data-fit=\""),
                "the regression fits of regression.json sit in their table");
        String failed = tableRow(html, describe(8), null);
        assertTrue(failed.contains("failed: the server answered 503"), failed);
        String estimated = tableRow(html, describe(1), "cpu.estimated");
        assertEquals(4, count(estimated, "<span class=\"est\">estimated</span>"),
                "J/token, J/outputToken, its interval and avg W are each marked estimated: " + estimated);
        assertFalse(tableRow(html, describe(1), "nvml").contains("estimated"));
        assertTrue(html.contains("GPU-1") && html.contains("(a model, not a measurement)"), "sensors with scope and method");
        assertTrue(html.contains("started 2026-01-02 03:04:05"), "the date from the invocation");
        assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "nothing loaded from a network");
    }

    @Test
    void opensInHeadlessChromiumWithEveryChartDrawnAndTheFrontierExpected() throws Exception {
        HeadlessChromium.binary();
        Path html = HtmlReport.write(RunRecords.read(dir));
        HeadlessChromium.Page page = HeadlessChromium.dumpDom(html, dir);
        Matcher status = Pattern.compile("<div id=\"tpb-status\"[^>]*>").matcher(page.dom());
        assertTrue(status.find(), "the page's script ran: " + page.log());
        String tag = status.group();
        assertFalse(tag.contains("data-errors"), tag + "\n" + page.log());
        assertTrue(tag.contains("data-ready=\"true\""), tag + "\n" + page.log());
        assertTrue(tag.contains("data-charts=\"2\""), "one chart for the swept batch, one plane: " + tag);
        String pareto = attribute(tag, "data-pareto");
        assertEquals(2, count(pareto, describe(1)), "batch 1 on both labels' frontiers (nvml, cpu.estimated): " + pareto);
        assertEquals(2, count(pareto, describe(2)), "batch 2 on both labels' frontiers: " + pareto);
        assertEquals(0, count(pareto, describe(4)), "batch 4 on no frontier: " + pareto);
        List<String> console = page.log().lines().filter(l -> l.contains("CONSOLE")).toList();
        assertTrue(console.isEmpty(), "the page logs nothing to the console: " + console);

        assertEquals(describe(1) + " | measurement-3", attribute(tag, "data-timeline-wave"),
                "the wave view opens on the last measured wave of the first trial");
        List<Map<String, String>> requests = requestRows(dir, describe(1), "measurement-3");
        assertEquals(requests.size(), Integer.parseInt(attribute(tag, "data-timeline-bars")),
                "one bar per requests.csv row of the wave");
        assertEquals(spanMs(requests), Double.parseDouble(attribute(tag, "data-timeline-span-ms")),
                1e-3 * requests.size(), "the bars span what the rows do, due to last token");
        assertTrue(Integer.parseInt(attribute(tag, "data-timeline-power-points")) > 100, tag);
        assertEquals(TimelineView.SHARE_BUCKETS, Integer.parseInt(attribute(tag, "data-timeline-share-points")), tag);

        assertEquals(3 * 3 * 4, Integer.parseInt(attribute(tag, "data-latency-ttft-points")),
                "TTFT: one point per succeeded measured request of the three trials: " + tag);
        assertEquals(3 * 3 * 4, Integer.parseInt(attribute(tag, "data-latency-tpot-points")), tag);
        assertEquals(3 * 4, Integer.parseInt(attribute(tag, "data-latency-itl-bars")),
                "ITL: p50, p90, p99 and max of each trial's waves: " + tag);
        String shots = System.getenv("TPB_REPORT_SCREENSHOTS");
        if (shots != null) {
            // docs/report*.png are made this way: TPB_REPORT_SCREENSHOTS=$PWD/docs ./mvnw ... -Dtest=HtmlReportTest
            Path docs = Path.of(shots);
            HeadlessChromium.screenshot(html, "", docs.resolve("report.png"), 1400, 1800, dir);
            HeadlessChromium.screenshot(html, "#view=tpb-wave-view", docs.resolve("report-wave.png"), 1400, 1000, dir);
            HeadlessChromium.screenshot(html, "#view=tpb-latency-view", docs.resolve("report-latency.png"), 1400, 1300,
                    dir);
            if (System.getenv("TPB_REPORT_KEEP") != null) {
                Files.copy(html, docs.resolve("report-sample.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.println("report.html of this run folder: " + Files.size(html) + " bytes");
        }
    }

    /**
     * A parameter value is the run's text, not the page's: one that is markup (an image whose error
     * handler runs script) or opens an HTML comment inside the data block must not run or break the
     * charts. An independent check found both: the tooltips took trial names as HTML, and a
     * {@code <!--} swallowed every script after the data block. This probe shows each chart's
     * tooltip in a real browser and counts what the page's DOM ended up with.
     */
    @Test
    void aParameterValueThatIsMarkupStaysText() throws Exception {
        HeadlessChromium.binary();
        String hostile = "<img src=x onerror=document.title='XSS'><!--<script>";
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                Files.writeString(f, text.replace("synthetic:llama-tiny", hostile), StandardCharsets.UTF_8);
            }
        }
        Path html = HtmlReport.write(RunRecords.read(dir));
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(page.contains("onerror"), "the value is on the page, as text");
        String probe = "<script>setTimeout(function () {\n"
                + "  var tips = 0;\n"
                + "  document.querySelectorAll('.chart').forEach(function (el) {\n"
                + "    var c = echarts.getInstanceByDom(el);\n"
                + "    if (!c) { return; }\n"
                + "    (c.getOption().series || []).forEach(function (s, i) {\n"
                + "      c.dispatchAction({ type: 'showTip', seriesIndex: i, dataIndex: 0 }); tips++;\n"
                + "    });\n"
                + "  });\n"
                + "  setTimeout(function () {\n"
                + "    var st = document.getElementById('tpb-status');\n"
                + "    st.setAttribute('data-probe-tips', String(tips));\n"
                + "    st.setAttribute('data-probe-images', String(document.querySelectorAll('img').length));\n"
                + "    st.setAttribute('data-probe-title', document.title === 'XSS' ? 'changed' : 'kept');\n"
                + "  }, 500);\n"
                + "}, 100);</script>\n";
        Path probed = dir.resolve("probed.html");
        int end = page.lastIndexOf("</body>"); // the inlined chart library holds the text "</body>" too
        Files.writeString(probed, page.substring(0, end) + probe + page.substring(end), StandardCharsets.UTF_8);
        HeadlessChromium.Page shown = HeadlessChromium.dumpDom(probed, dir);
        Matcher status = Pattern.compile("<div id=\"tpb-status\"[^>]*>").matcher(shown.dom());
        assertTrue(status.find(), "the page's script ran: " + shown.log());
        String tag = status.group();
        assertTrue(tag.contains("data-ready=\"true\""), "every chart drew behind the comment's opening: " + tag);
        assertFalse(tag.contains("data-errors"), tag);
        assertTrue(Integer.parseInt(attribute(tag, "data-probe-tips")) > 0, "tooltips were shown: " + tag);
        assertEquals("0", attribute(tag, "data-probe-images"), "no image element was made of the value: " + tag);
        assertEquals("kept", attribute(tag, "data-probe-title"), "no script of the value ran: " + tag);
    }

    @Test
    void aSweepListenerFoundByServiceLoaderWritesThePageWhenTheSweepEnds() throws Exception {
        SweepListener listener = ServiceLoader.load(SweepListener.class).stream().map(ServiceLoader.Provider::get)
                .filter(l -> l instanceof HtmlReport).findFirst().orElseThrow();
        SummaryFile.Summary summary = SummaryFile.read(dir);
        listener.trialEnded(new SweepState(dir, 4, 1, summary.trials(), List.of()));
        assertFalse(Files.exists(dir.resolve(HtmlReport.FILE)), "written at the end, not after every trial");
        listener.sweepEnded(new SweepState(dir, 4, 4, summary.trials(), summary.failed()));
        String html = Files.readString(dir.resolve(HtmlReport.FILE));
        assertTrue(html.contains(describe(4)) && html.contains("failed: the server answered 503"));
    }

    @Test
    void reportCommandRebuildsPagesAndRefusesWhatIsNoRunFolder() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ReportCommand.run(new String[] {dir.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(dir.resolve(HtmlReport.FILE)));
        assertEquals("report: " + dir.resolve(HtmlReport.FILE).toAbsolutePath(), out.toString(StandardCharsets.UTF_8).strip());

        Path empty = Files.createDirectory(dir.resolve("empty"));
        err.reset();
        status = ReportCommand.run(new String[] {empty.toString(), dir.resolve("nowhere").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains(empty + " has no summary.json"), lines.get(0));
        assertTrue(lines.get(1).contains("nowhere is not a folder"), lines.get(1));
        assertEquals("report: no page written; give only run folders a sweep wrote", lines.get(2),
                "two folders ask for one page of both, which is not written half");
        assertEquals(2, ReportCommand.run(new String[0], new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())));
    }

    // ---- the run folder's makings

    static Map<String, String> params(int batch) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("api", "completions");
        p.put("batch", Integer.toString(batch));
        p.put("engine", "embedded");
        p.put("inputTokens", "128");
        p.put("model", "synthetic:llama-tiny");
        p.put("outputTokens", "64");
        p.put("prompts", "4");
        p.put("quantization", "f16");
        return p;
    }

    /** The trial's description as the fork writes it. */
    static String describe(int batch) {
        BenchmarkSpec.Builder b = BenchmarkSpec.builder(BENCH);
        params(batch).forEach((k, v) -> b.set(k, k.equals("batch") || k.endsWith("Tokens") || k.equals("prompts")
                ? (Object) Integer.parseInt(v) : v));
        return b.build().describe();
    }

    /** Four requests: due together, sent 25 ms apart, TTFT and decode growing with the request and the batch. */
    static WaveRecord wave(int cachedPromptTokens, long t0, int batch) {
        List<RequestTimeline> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long sent = t0 + i * 25 * MS;
            long first = sent + (30 + 15 * i + 10 * batch) * MS;
            long last = sent + (1200 + 40 * i * batch) * MS;
            LatencyHistogram itl = new LatencyHistogram();
            for (int k = 1; k < 64; k++) {
                itl.record(k % 10 == 0 ? 40 : 20); // 20 ms gaps, every tenth 40 ms
            }
            requests.add(new RequestTimeline(i, i, t0, sent, first, last, last + MS, 128, 64, 64,
                    TokenCountSource.SERVER_USAGE, 64, itl, null, null, first, null, cachedPromptTokens < 0 ? -1 : cachedPromptTokens / 4));
        }
        return new WaveRecord(t0, t0 + 2_000 * MS, 4, requests);
    }

    /**
     * A GPU energy counter sampled every 10 ms from 100 ms before {@code t0} to 2 s after it:
     * {@code watts} while the wave's prefills run (its first 150 ms), 80 % of it in decode, 60 W idle
     * before and after.
     */
    static PowerTrace trace(long t0, double watts, long decodeEnd) {
        int n = 211;
        long[] times = new long[n];
        double[] joules = new double[n];
        for (int i = 0; i < n; i++) {
            times[i] = t0 - 100 * MS + i * 10 * MS;
            if (i > 0) {
                long mid = (times[i] + times[i - 1]) / 2 - t0;
                double w = mid < 0 || mid > decodeEnd ? 60 : mid < 150 * MS ? watts : 0.8 * watts;
                joules[i] = joules[i - 1] + w * 0.010;
            }
        }
        return new PowerTrace(List.of(new PowerChannel("gpu0.energy", "GPU-1", org.tokenpowerbench.power.Scope.GPU,
                org.tokenpowerbench.power.Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES)), times, new double[][] {joules});
    }

    static void energy(RunDirectory run, String sensor, String method, String trial, double joules) {
        energy(run, sensor, method, trial, joules, 0, null);
    }

    /** An energy line; {@code shortPhases} phases shorter than a 100 ms update, flagged as the fork does. */
    static void energy(RunDirectory run, String sensor, String method, String trial, double joules, int shortPhases,
                       String iterationId) {
        ObjectNode n = run.newObject();
        if (iterationId != null) {
            n.put("trialId", new org.tokenpowerbench.report.TrialKey(BENCH, trial).id()).put("iterationId", iterationId);
        }
        n.putObject("flags").put("shortPhases", shortPhases).put("updatePeriodMs", 100)
                .put("summary", shortPhases == 0 ? "none" : shortPhases + " phase(s) shorter than the sensor's 100 ms update period");
        n.put("kind", "energy").put("sensor", sensor).put("trial", trial).put("benchmark", BENCH)
                .put("group", trial).put("iteration", "measurement").put("method", method).put("seconds", 1.4)
                .put("energyJ", joules).put("promptTokens", 4 * 128).put("outputTokens", WAVE_OUTPUT_TOKENS)
                .put("decodeTokens", 4 * 63);
        n.putObject("policies").putObject("token-weighted").put("prefillJ", 0.1 * joules).put("decodeJ", 0.9 * joules);
        run.appendJsonLine("iterations.jsonl", n);
    }

    static void sensor(RunDirectory run, String id, String channel) {
        ObjectNode n = run.newObject();
        n.put("kind", "sensor").put("sensor", id).put("updatePeriodMs", 100).put("samplingPeriodMs", 10)
                .put("attributionPolicy", "token-weighted");
        n.putObject("channels").put(id + ".0", channel);
        n.putObject("environment").put("driver", "test");
        run.appendJsonLine(SensorRow.FILE, n);
    }

    /** JMH's score and error (99.9 %, t-distribution) over the values. */
    static Metric jmh(double[] v, String unit) {
        IterationInterval ci = IterationInterval.of(v);
        double ratio = new TDistribution(v.length - 1).inverseCumulativeProbability(0.9995)
                / new TDistribution(v.length - 1).inverseCumulativeProbability(0.975);
        return new Metric(ci.mean(), ci.halfWidth() * ratio, unit, v.length);
    }

    static TrialRow row(List<TrialRow> rows, int batch, String label) {
        return rows.stream().filter(r -> r.description().equals(describe(batch)) && label.equals(r.label()))
                .findFirst().orElseThrow(() -> new AssertionError("no row for batch " + batch + " " + label));
    }

    static String tableRow(String html, String trial, String label) {
        Matcher m = Pattern.compile("<tr[^>]*data-trial=\"" + Pattern.quote(ReportPage.esc(trial)) + "\">(.*?)</tr>")
                .matcher(html);
        while (m.find()) {
            if (label == null || m.group(1).contains("<td>" + label)) {
                return m.group();
            }
        }
        throw new AssertionError("no table row for " + trial + " " + label);
    }

    /** The requests.csv rows of one wave, by its trial description and iteration: column name to field. */
    static List<Map<String, String>> requestRows(Path dir, String trial, String iteration) throws java.io.IOException {
        List<String> lines = Files.readAllLines(dir.resolve(RequestsFile.FILE));
        List<String> header = CsvFile.split(lines.get(0));
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = CsvFile.split(line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), f.get(i));
            }
            if (row.get("trial").equals(trial) && row.get("iteration").equals(iteration)) {
                out.add(row);
            }
        }
        return out;
    }

    /** The sum over requests of last token − due, ms, as requests.csv has them. */
    static double spanMs(List<Map<String, String>> rows) {
        double sum = 0;
        for (Map<String, String> r : rows) {
            if (!r.get("queued_unix_ms").isEmpty() && !r.get("last_token_unix_ms").isEmpty()) {
                sum += Double.parseDouble(r.get("last_token_unix_ms")) - Double.parseDouble(r.get("queued_unix_ms"));
            }
        }
        return sum;
    }

    static String attribute(String tag, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(tag);
        return m.find() ? m.group(1) : "";
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }
}
