package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.prometheus.ExpositionParser;
import org.tokenpowerbench.prometheus.Scrape;
import org.tokenpowerbench.prometheus.ServerWave;
import org.tokenpowerbench.prometheus.WaveScrapes;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.WaveRecord;

/** Requested against produced output tokens: reported as a share, warned about past a tolerance. */
class RequestMetricsProfilerTest {

    private static final long MS = 1_000_000L;

    @TempDir
    Path dir;

    private final PrintStream err = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        System.setProperty("tpb.runDir", dir.toString());
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        System.setErr(err);
        System.clearProperty("tpb.runDir");
        System.clearProperty(RequestMetricsProfiler.OUTPUT_TOLERANCE);
        WaveLedger.clear();
    }

    private static RequestTimeline request(int i, int produced, int requested) {
        LatencyHistogram itl = new LatencyHistogram();
        itl.record(1, produced - 1);
        return new RequestTimeline(i, i, 0, MS, 5 * MS, (5 + produced - 1) * MS, (6 + produced) * MS, 10, produced,
                requested, TokenCountSource.SERVER_USAGE, produced, itl, null, null);
    }

    private Map<String, Double> iteration(int... produced) {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Out").set("model", "m").set("batch", 2).set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", produced.length).set("seed", 1L).build();
        List<RequestTimeline> rs = new java.util.ArrayList<>();
        for (int i = 0; i < produced.length; i++) {
            rs.add(request(i, produced[i], 8));
        }
        WaveLedger.publish(new WaveLedger.Entry(spec, new WaveRecord(0, 100 * MS, 2, rs), "exact"));
        return profiler().afterIteration(null,
                        new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1), null)
                .stream().collect(Collectors.toMap(Result::getLabel, Result::getScore));
    }

    private JsonNode lastLine() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("iterations.jsonl"));
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }

    @Test
    void everyRequestAsLongAsAskedIsShareOneAndNoWarning() throws Exception {
        Map<String, Double> r = iteration(8, 8, 8, 8);
        assertEquals(1.0, r.get("tokens.output.ofRequested"), 1e-12);
        assertEquals(4.0, r.get("requests.succeeded"), "what the latency figures cover");
        assertEquals(0.0, r.get("requests.failed"));
        assertEquals(0, lastLine().path("requestsWithOtherOutputLength").asInt());
        assertTrue(lastLine().path("warning").isMissingNode());
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
        assertEquals(1.0, r.get("itl.p50"), 0.01, "the merged ITL histogram of the four requests: 1 ms gaps");
    }

    @Test
    void aServerThatStopsEarlyIsWarnedAboutAndCounted() throws Exception {
        Map<String, Double> r = iteration(8, 8, 5, 3);
        assertEquals(24.0 / 32, r.get("tokens.output.ofRequested"), 1e-12);
        JsonNode line = lastLine();
        assertEquals(2, line.path("requestsWithOtherOutputLength").asInt());
        assertTrue(line.path("warning").asText().startsWith("produced 24 output tokens where 32 were requested (2 of 4"),
                line.toString());
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("produced 24 output tokens where 32"),
                captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withinTheToleranceThereIsNoWarningButTheShareStillShows() throws Exception {
        System.setProperty(RequestMetricsProfiler.OUTPUT_TOLERANCE, "0.05");
        Map<String, Double> r = iteration(8, 8, 8, 7); // 31 of 32: 3 % short
        assertEquals(31.0 / 32, r.get("tokens.output.ofRequested"), 1e-12);
        assertEquals(1, lastLine().path("requestsWithOtherOutputLength").asInt());
        assertTrue(lastLine().path("warning").isMissingNode());
    }

    @Test
    void aBadToleranceIsOneLineNamingIt() {
        System.setProperty(RequestMetricsProfiler.OUTPUT_TOLERANCE, "5%");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, RequestMetricsProfiler::outputTolerance);
        assertTrue(e.getMessage().startsWith("tpb.outputTolerance=5% is not a share from 0 to 1"), e.getMessage());
    }

    @Test
    void promptTokensServedByAPrefixCacheAreReportedAndWarnedAbout() throws Exception {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Cached").set("model", "m").set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", 2).set("seed", 1L).set("engine", "http://h").build();
        List<RequestTimeline> rs = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            RequestTimeline r = request(i, 8, 8);
            rs.add(new RequestTimeline(r.index(), r.promptIndex(), r.queuedNanos(), r.sentNanos(), r.firstTokenNanos(),
                    r.lastTokenNanos(), r.doneNanos(), r.promptTokens(), r.outputTokens(), r.requestedOutputTokens(),
                    r.tokenSource(), r.contentChunks(), r.itl(), null, null, r.firstAnswerNanos(), r.arrivals(), 6));
        }
        WaveLedger.publish(new WaveLedger.Entry(spec, new WaveRecord(0, 100 * MS, 1, rs), "exact"));
        Map<String, Double> r = profiler().afterIteration(null,
                        new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1), null)
                .stream().collect(Collectors.toMap(Result::getLabel, Result::getScore));
        assertEquals(12.0, r.get("tokens.prompt.cached"));
        assertTrue(lastLine().path("prefixCacheWarning").asText().startsWith("12 of 20 prompt tokens were served"),
                lastLine().toString());
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("prefixCache=off"));
    }

    /** A wave whose client woke 4 ms late at p99 against 1 ms gaps between tokens, on {@code engine}. */
    private Map<String, Double> starvedWave(String engine) {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Lag").set("model", "m").set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", 2).set("seed", 1L).set("engine", engine).build();
        List<RequestTimeline> rs = List.of(request(0, 8, 8), request(1, 8, 8));
        org.tokenpowerbench.workload.ClientLag.Reading lag = new org.tokenpowerbench.workload.ClientLag.Reading(
                new org.tokenpowerbench.stats.Distribution(1000, 1, 0.5, 2, 4, 9), 0.95);
        WaveLedger.publish(new WaveLedger.Entry(spec, new WaveRecord(0, 100 * MS, 1, rs).withClientLag(lag), "exact"));
        return profiler().afterIteration(null,
                        new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1), null)
                .stream().collect(Collectors.toMap(Result::getLabel, Result::getScore));
    }

    @Test
    void whoUsedTheHostsCpusIsReportedAndWrittenWithTheWave() throws Exception {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Host").set("model", "m").set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", 2).set("seed", 1L).build();
        List<RequestTimeline> rs = List.of(request(0, 8, 8), request(1, 8, 8));
        org.tokenpowerbench.workload.HostCpu.Reading host =
                new org.tokenpowerbench.workload.HostCpu.Reading(0.40, 0.05, 0.02, 0.10, 0.23, 0.31, 0.27, 0.96, 0.04);
        WaveLedger.publish(new WaveLedger.Entry(spec, new WaveRecord(0, 100 * MS, 2, rs), "exact", null, null, host));
        Map<String, Double> r = profiler().afterIteration(null,
                        new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1), null)
                .stream().collect(Collectors.toMap(Result::getLabel, Result::getScore));
        assertEquals(0.40, r.get("host.cpu"));
        assertEquals(0.05, r.get("host.steal"));
        assertEquals(0.23, r.get("host.others.cpu"));
        assertEquals(0.10, r.get("engine.cpu"));
        assertEquals(0.31, r.get("host.steal.mostStolenCpu"));
        assertEquals(0.27, r.get("host.steal.engineThreadCpu"));
        assertEquals(0.96, r.get("engine.thread.cpu"));
        assertEquals(0.04, r.get("engine.thread.runQueue"));
        assertEquals(0.23, lastLine().path("hostCpu").path("othersShare").asDouble());
        assertEquals(0.27, lastLine().path("hostCpu").path("engineThreadCpuStealShare").asDouble());
        assertEquals(0.96, lastLine().path("hostCpu").path("engineThreadCpuShare").asDouble());
        assertEquals(0.04, lastLine().path("hostCpu").path("engineThreadRunQueueShare").asDouble());
        assertEquals(0.10, lastLine().path("hostCpu").path("engineShare").asDouble());
        // 5 % of the host's CPU time stolen: warned about, in the run folder and on the console
        assertTrue(lastLine().path("stealWarning").asText().contains("5.0 % of this host's CPU time"), lastLine().toString());
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("host.steal 0.0500"), "printed");

        WaveLedger.clear();
        WaveLedger.publish(new WaveLedger.Entry(spec, new WaveRecord(0, 100 * MS, 2, rs), "exact", null, null,
                new org.tokenpowerbench.workload.HostCpu.Reading(0.40, 0, 0.02, Double.NaN, 0.38)));
        Map<String, Double> noEngine = profiler().afterIteration(null,
                        new IterationParams(IterationType.MEASUREMENT, 2, TimeValue.seconds(1), 1), null)
                .stream().collect(Collectors.toMap(Result::getLabel, Result::getScore));
        assertNull(noEngine.get("engine.cpu"), "no launched engine, no engine share");
        assertNull(noEngine.get("host.steal.engineThreadCpu"), "no launched engine, no engine thread's vCPU");
        assertTrue(lastLine().path("hostCpu").path("mostStolenCpuStealShare").isMissingNode(), lastLine().toString());
        assertTrue(lastLine().path("hostCpu").path("engineShare").isMissingNode(), lastLine().toString());
        assertTrue(lastLine().path("stealWarning").isMissingNode(), "nothing stolen, no warning: " + lastLine());
    }

    @Test
    void aClientThatFellBehindIsReportedAndWarnedAbout() throws Exception {
        Map<String, Double> r = starvedWave("http://h");
        assertEquals(4.0, r.get("client.lag.p99"));
        assertEquals(9.0, r.get("client.lag.max"));
        assertEquals(0.95, r.get("client.cpu"));
        assertTrue(lastLine().path("clientLagWarning").asText().startsWith("the client fell behind"), lastLine().toString());
        assertEquals(4.0, lastLine().path("clientLagMs").path("p99").asDouble());
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("client-bound"), "printed");
    }

    @Test
    void behindAnEmbeddedEngineTheLagIsRecordedButNotPrinted() throws Exception {
        Map<String, Double> r = starvedWave("embedded");
        assertEquals(4.0, r.get("client.lag.p99"));
        assertTrue(lastLine().path("clientLagWarning").asText().endsWith("(the embedded engine computes on the same cores)"),
                lastLine().toString());
        assertTrue(!captured.toString(StandardCharsets.UTF_8).contains("client-bound"), "not printed every wave");
    }

    @Test
    void noCachedCountNoCachedFigure() {
        assertTrue(!iteration(8, 8).containsKey("tokens.prompt.cached"), "a server that does not say gets no figure");
    }

    @Test
    void theQueueSaysItIsTheClientsWaitWhereTheFigureIs() {
        List<RequestTimeline> rs = List.of(request(0, 8, 8), request(1, 8, 8));
        org.tokenpowerbench.workload.WaveMetrics m = org.tokenpowerbench.workload.WaveMetrics.of(
                new WaveRecord(0, 100 * MS, 2, rs), false, org.tokenpowerbench.workload.Slo.NONE);
        Map<String, String> units = RequestMetricsProfiler.results(m, false).stream()
                .collect(Collectors.toMap(Result::getLabel, Result::getScoreUnit));
        assertEquals("ms waiting for one of batch slots (client side)", units.get("queue.p50"));
        assertEquals("ms", units.get("ttft.p50"));
        Map<String, String> open = RequestMetricsProfiler.results(m, true).stream()
                .collect(Collectors.toMap(Result::getLabel, Result::getScoreUnit));
        assertEquals("ms behind schedule (client side)", open.get("queue.p99"));
    }

    @Test
    void eachReplicaHasItsRequestsFailuresAndMedianTtftAndOneServerHasNone() {
        RequestTimeline slow = new RequestTimeline(1, 1, 0, MS, 9 * MS, 10 * MS, 11 * MS, 10, 2, 2,
                TokenCountSource.SERVER_USAGE, 2, new LatencyHistogram(), null, null);
        RequestTimeline refused = new RequestTimeline(3, 3, 0, MS, -1, -1, 2 * MS, -1, -1, 2, TokenCountSource.NONE, 0,
                new LatencyHistogram(), "cannot connect to http://b:8000", "connect");
        List<RequestTimeline> wave = List.of(request(0, 2, 2).withReplica(0), slow.withReplica(1),
                request(2, 2, 2).withReplica(0), refused.withReplica(1));
        Map<String, Double> byLabel = RequestMetricsProfiler.replicaResults(wave).stream()
                .collect(Collectors.toMap(Result::getLabel, Result::getScore));
        assertEquals(Map.of("replica.0.requests", 2.0, "replica.0.failed", 0.0, "replica.0.ttft.p50", 4.0,
                "replica.1.requests", 2.0, "replica.1.failed", 1.0, "replica.1.ttft.p50", 8.0), byLabel);
        assertTrue(RequestMetricsProfiler.replicaResults(List.of(request(0, 2, 2), slow)).isEmpty(),
                "an engine of one server adds no replica figures");
    }

    /** Per-replica figures reach the run folder (the requests line's {@code replicas}), not only JMH's results. */
    @Test
    void eachReplicasShareOfTheWaveIsWrittenToTheRunFolder() throws Exception {
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Out").set("model", "m").set("batch", 2).set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", 4).set("seed", 1L).build();
        RequestTimeline failed = new RequestTimeline(3, 3, 0, MS, -1, -1, 2 * MS, 10, 0, 8, TokenCountSource.SERVER_USAGE,
                0, new LatencyHistogram(), "cannot connect", "connect");
        List<RequestTimeline> rs = List.of(request(0, 8, 8).withReplica(0), request(1, 8, 8).withReplica(1),
                request(2, 8, 8).withReplica(0), failed.withReplica(1));
        WaveLedger.publish(new WaveLedger.Entry(spec, new WaveRecord(0, 100 * MS, 2, rs), "exact", null,
                List.of("http://a:8000", "http://b:8000")));
        profiler().afterIteration(null, new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1), null);
        JsonNode replicas = lastLine().path("replicas");
        assertEquals(2, replicas.size(), replicas.toString());
        assertEquals("http://a:8000", replicas.get(0).path("url").asText());
        assertEquals(2, replicas.get(0).path("requests").asInt());
        assertEquals(0, replicas.get(0).path("failed").asInt());
        assertEquals(160.0, replicas.get(0).path("outputTokensPerSecond").asDouble(), 1e-9, "16 tokens over 0.1 s");
        assertEquals(2, replicas.get(1).path("requests").asInt());
        assertEquals(1, replicas.get(1).path("failed").asInt());
        assertEquals(4.0, replicas.get(1).path("ttftP50Ms").asDouble(), 1e-9, "of its one succeeded request");
        assertEquals(2, org.tokenpowerbench.report.ReplicaFigures.read(lastLine()).size());
    }

    private static org.openjdk.jmh.infra.BenchmarkParams params(int warmups) {
        IterationParams warmup = new IterationParams(IterationType.WARMUP, warmups, TimeValue.NONE, 1);
        IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, 3, TimeValue.NONE, 1);
        return new org.openjdk.jmh.infra.BenchmarkParams("demo.B.wave", "demo.B_jmhTest", false, 1, new int[] {1},
                List.of(), 1, 0, warmup, measurement, org.openjdk.jmh.annotations.Mode.SingleShotTime,
                new org.openjdk.jmh.runner.WorkloadParams(), java.util.concurrent.TimeUnit.MILLISECONDS, 1, "java",
                List.of(), "17", "vm", "17", "1.37", TimeValue.minutes(10));
    }

    @Test
    void theFirstMeasuredWaveOfAColdForkIsFlaggedAndOnlyThatOne() {
        IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, 3, TimeValue.NONE, 1);
        RequestMetricsProfiler cold = profiler();
        assertTrue(cold.coldJvm(params(0), measurement).contains("-wi 0"));
        assertEquals(null, cold.coldJvm(params(0), measurement), "the second wave runs warm");
        RequestMetricsProfiler warm = profiler();
        assertEquals(null, warm.coldJvm(params(1), new IterationParams(IterationType.WARMUP, 1, TimeValue.NONE, 1)));
        assertEquals(null, warm.coldJvm(params(1), measurement), "a warm-up iteration came first");
    }

    /** The profiler as a fork under our Main makes it; its constructor only refuses JMH's own Main. */
    private static RequestMetricsProfiler profiler() {
        try {
            return new RequestMetricsProfiler();
        } catch (org.openjdk.jmh.profile.ProfilerException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theEnginesSpeculativeAcceptanceIsAServerResultOnlyWhereItHasOne() {
        String counters = "vllm:prompt_tokens_total 100\nvllm:generation_tokens_total 10\n"
                + "vllm:spec_decode_num_draft_tokens_total %d\nvllm:spec_decode_num_accepted_tokens_total %d\n";
        Scrape before = new Scrape(0, 1, ExpositionParser.parse(String.format(counters, 10, 5)));
        Scrape after = new Scrape(10, 11, ExpositionParser.parse(String.format(counters, 110, 85)));
        Function<Scrape, Map<String, Double>> results = end -> RequestMetricsProfiler.serverResults(
                ServerWave.of(new WaveScrapes(before, List.of(), end, 0, null, 0), 2, 9, 0, 0))
                .stream().collect(Collectors.toMap(Result::getLabel, Result::getScore));
        assertEquals(0.8, results.apply(after).get("server.speculative.acceptance"), 1e-15);
        assertFalse(results.apply(before).containsKey("server.speculative.acceptance"), "no draft proposed: left out");
    }
}
