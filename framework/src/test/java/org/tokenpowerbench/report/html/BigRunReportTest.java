package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.PowerTraceFile;
import org.tokenpowerbench.report.RequestsFile;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.SummaryFile;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialKey;
import org.tokenpowerbench.report.TrialResult;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * A big wave: 10,000 requests (every 500th failed) over 100,000 power samples in one measured
 * iteration, written with the run folder's own writers. The page must build, open in headless
 * Chromium without a console message, and draw every request; its build time and size are printed
 * (no timing assertion: they are figures for docs/report.md).
 */
@ExtendWith(FixedInvocation.class)
class BigRunReportTest {

    static final int REQUESTS = 10_000;
    static final int SAMPLES = 100_000;
    static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    @BeforeEach
    void writeBigRun() {
        RunDirectory run = new RunDirectory(dir);
        HtmlReportTest.sensor(run, "nvml", "GPU-1 gpu counter ENERGY_JOULES");
        String trial = HtmlReportTest.describe(64);
        TrialKey key = new TrialKey(HtmlReportTest.BENCH, trial);
        long t0 = 1_000_000_000L;
        List<RequestTimeline> requests = new ArrayList<>(REQUESTS);
        for (int i = 0; i < REQUESTS; i++) {
            long sent = t0 + i * 10 * MS;
            long queued = sent - (i % 5) * 3 * MS;
            if (i % 500 == 499) {
                requests.add(new RequestTimeline(i, i, queued, sent, -1, -1, sent + 5 * MS, 128, 0, 64,
                        TokenCountSource.SERVER_USAGE, 0, new LatencyHistogram(), "HTTP 503", "http-503"));
                continue;
            }
            long first = sent + (20 + (i % 7) * 5) * MS;
            long last = first + (500 + (i % 13) * 20) * MS;
            requests.add(new RequestTimeline(i, i, queued, sent, first, last, last + MS, 128, 64, 64,
                    TokenCountSource.SERVER_USAGE, 64, new LatencyHistogram(), null, null));
        }
        WaveRecord wave = new WaveRecord(t0, t0 + 102_000 * MS, 64, requests);
        RequestsFile.append(run, key, "measurement-1", wave);
        long[] times = new long[SAMPLES];
        double[] joules = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            times[i] = t0 - 500 * MS + i * 1_025_000L;
            if (i > 0) {
                joules[i] = joules[i - 1] + (250 + 100 * Math.sin(i / 2000.0) + (i % 997 == 0 ? 400 : 0)) * 1.025e-3;
            }
        }
        PowerTrace trace = new PowerTrace(List.of(new PowerChannel("gpu0.energy", "GPU-1", Scope.GPU, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES)), times, new double[][] {joules});
        PowerTraceFile.write(run, "nvml", 1, key, "measurement-1", trace, PowerSignal.of(trace, 50 * MS));
        HtmlReportTest.energy(run, "nvml", "counter", trial, joules[SAMPLES - 1]);
        Map<String, Metric> metrics = new LinkedHashMap<>();
        metrics.put("nvml.J/outputToken", new Metric(1, Double.NaN, "J/token", 1));
        metrics.put("tpot.p50", new Metric(8, Double.NaN, "ms", 1));
        SummaryFile.write(new SweepState(dir, 1, 1, List.of(new TrialResult(HtmlReportTest.BENCH + "_Energy.wave",
                HtmlReportTest.params(64), new Metric(100, Double.NaN, "s/op", 1), metrics)), List.of()));
    }

    @Test
    void aWaveOfTenThousandRequestsAndAHundredThousandSamplesBuildsAndRendersEveryRequest() throws Exception {
        long start = System.nanoTime();
        Path html = HtmlReport.write(RunRecords.read(dir));
        long builtMs = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("big run (%d requests, %d power samples in one wave): report.html %,d bytes, built in %d ms%n",
                REQUESTS, SAMPLES, Files.size(html), builtMs);

        HeadlessChromium.binary();
        HeadlessChromium.Page page = HeadlessChromium.dumpDom(html, dir);
        Matcher status = Pattern.compile("<div id=\"tpb-status\"[^>]*>").matcher(page.dom());
        assertTrue(status.find(), "the page's script ran: " + page.log());
        String tag = status.group();
        assertFalse(tag.contains("data-errors"), tag + "\n" + page.log());
        List<String> console = page.log().lines().filter(l -> l.contains("CONSOLE")).toList();
        assertTrue(console.isEmpty(), "the page logs nothing to the console: " + console);
        assertEquals(REQUESTS, Integer.parseInt(HtmlReportTest.attribute(tag, "data-timeline-bars")),
                "every request is drawn: " + tag);
        int drawn = Integer.parseInt(HtmlReportTest.attribute(tag, "data-timeline-power-points"));
        assertTrue(drawn > 0 && drawn <= 2 * TimelineView.POWER_BUCKETS,
                "the trace is thinned for drawing to at most two points per bucket: " + drawn);
        assertEquals(LatencyView.POINTS + 1, Integer.parseInt(HtmlReportTest.attribute(tag, "data-latency-ttft-points")),
                "a curve of 9,980 requests is drawn at its quantiles: " + tag);
        assertTrue(page.dom().contains("20 failed"), "the failed requests are counted beside the wave");
    }
}
