package org.tokenpowerbench.jmh;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.prometheus.ServerWave;
import org.tokenpowerbench.engine.launch.LaunchedEndpoint;
import org.tokenpowerbench.report.ReplicaFigures;
import org.tokenpowerbench.report.RequestsRow;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.TrialKey;
import org.tokenpowerbench.stats.Distribution;
import org.tokenpowerbench.workload.Goodput;
import org.tokenpowerbench.workload.HostCpu;
import org.tokenpowerbench.workload.WaveMetrics;

/**
 * Latency and token metrics of every wave, reported on every run ({@code Main} always adds this
 * profiler; its short name is {@code tpb}): TTFT, TPOT, ITL, E2E and queue time percentiles in
 * milliseconds, output tokens per second, token counts with their source, failed requests.
 *
 * <p>In open loop ({@code @Workload(rate > 0)}) also {@code latency} percentiles (due to last
 * token: queue + E2E, what a user arriving on schedule waited) and {@code requests/s} achieved
 * (against the offered {@code rate}). With an {@code @Slo}: {@code goodput.share} (share of the
 * wave's requests, failed ones included, that met every objective), {@code goodput.requests/s} and
 * {@code goodput.outputTokens/s} over the wave's window.
 */
public class RequestMetricsProfiler implements InternalProfiler {

    /** Iterations seen per kind in this fork: the number in {@code measurement-2}, as the CSVs write it. */
    private final Map<String, Integer> iterationsByKind = new HashMap<>();

    /** Refused with one line under JMH's own Main ({@link SweepLaunch}). */
    public RequestMetricsProfiler() throws ProfilerException {
        SweepLaunch.require(RequestMetricsProfiler.class.getName());
    }

    /** As {@link #RequestMetricsProfiler()}; JMH passes the options after the name, which it has none of. */
    public RequestMetricsProfiler(String ignored) throws ProfilerException {
        this();
    }

    @Override
    public String getDescription() {
        return "TokenPowerBench request metrics: TTFT, TPOT, ITL, E2E percentiles, tokens/s, token counts";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        WaveLedger.clear();
        WaveProgress.announceIterations(iterationParams.getCount());
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        WaveLedger.Entry entry = WaveLedger.latest();
        if (entry == null) {
            return List.of();
        }
        BenchmarkSpec spec = entry.spec();
        WaveMetrics m = WaveMetrics.of(entry.wave(), spec.openLoop(), spec.slo());
        Map<String, Object> facts = new LinkedHashMap<>();
        if (spec.openLoop()) {
            facts.put("arrivals", spec.arrivalProcess().describe());
            facts.put("maxConcurrency", spec.maxConcurrency());
            facts.put("warmupRequests", spec.warmupRequests());
            facts.put("requestsPerSecond", m.requestsPerSecond());
        }
        if (spec.waveSeconds() > 0) {
            // a timed wave cycles through the prompt set: say how often a prompt came back
            facts.put("waveSeconds", spec.waveSeconds());
            facts.put("distinctPrompts", Math.min(spec.prompts(), m.requests()));
        }
        Map<String, String> warnings = new LinkedHashMap<>();
        putWarning(warnings, "prefixCacheWarning", m.prefixCacheWarning(), spec);
        putWarning(warnings, "warning", m.lengthWarning(outputTolerance(), OUTPUT_TOLERANCE), spec);
        putWarning(warnings, "tokenCountWarning", m.tokenCountWarning(), spec);
        putWarning(warnings, "stallWarning", m.stallWarning(), spec);
        String lag = m.clientLagWarning();
        String delivery = m.deliveryWarning();
        if (spec.engine().regionMatches(true, 0, "embedded", 0, "embedded".length())) {
            // the embedded engine computes on this process's cores, so the client waits behind it by design
            // (2 cores: lag p99 4-5 ms against ITL 1-6 ms in most waves), and a late read finds several
            // tokens waiting: recorded, not printed every wave
            if (lag != null) {
                warnings.put("clientLagWarning", lag + " (the embedded engine computes on the same cores)");
            }
            if (delivery != null) {
                warnings.put("deliveryWarning", delivery + " (the embedded engine computes on the same cores)");
            }
        } else {
            putWarning(warnings, "clientLagWarning", lag, spec);
            putWarning(warnings, "deliveryWarning", delivery, spec);
        }
        putWarning(warnings, "coldJvmWarning", coldJvm(benchmarkParams, iterationParams), spec);
        putWarning(warnings, "stealWarning", entry.hostCpu() == null ? null : entry.hostCpu().stealWarning(), spec);
        ServerWave server = entry.server();
        if (server != null) {
            putWarning(warnings, "serverTokensWarning", server.tokenWarning(), spec);
            if (server.errors() > 0) {
                putWarning(warnings, "scrapeWarning", server.errors() + " scrapes of the engine's metrics failed in this wave"
                        + " (first: " + server.firstError() + "); its server-side figures rest on the others", spec);
            }
        }
        String kind = iterationParams.getType().name().toLowerCase(Locale.ROOT);
        RequestsRow.append(RunDirectory.current(), new TrialKey(spec.benchmarkClass(), spec.describe()), kind,
                iterationsByKind.merge(kind, 1, Integer::sum), entry.promptTokenization(), m, facts, warnings,
                ReplicaFigures.of(entry.wave().requests(), entry.replicaUrls(), m.seconds()), entry.hostCpu());
        List<Result> results = results(m, spec.openLoop());
        results.addAll(hostResults(entry.hostCpu()));
        results.addAll(replicaResults(entry.wave().requests()));
        if (server != null) {
            results.addAll(serverResults(server));
        }
        results.addAll(startup(LaunchedEndpoint.fromSystemProperties()));
        return results;
    }

    /**
     * Who used the host's CPUs during the wave ({@link HostCpu}): {@code host.cpu} (all of it),
     * {@code host.steal}, {@code host.others.cpu} (neither steal, this JVM nor the engine) and, for an
     * engine the benchmark launched, {@code engine.cpu}; shares of every CPU the host lists. Beside
     * them, shares of one vCPU's time: {@code host.steal.mostStolenCpu} (the vCPU stolen most) and,
     * for a launched engine, {@code host.steal.engineThreadCpu} (the vCPU its busiest thread was on
     * at the wave's end), since an engine paced by one thread slows when that thread's vCPU is
     * stolen, which the host-wide share dilutes; and of that busiest thread {@code engine.thread.cpu}
     * (share of one CPU it used) and {@code engine.thread.runQueue} (share of its runnable time it
     * waited for a CPU). None where {@code /proc/stat} was not read.
     */
    static List<Result> hostResults(HostCpu.Reading host) {
        List<Result> results = new java.util.ArrayList<>();
        if (host == null) {
            return results;
        }
        results.add(avg("host.cpu", host.busyShare(), "share of all CPUs"));
        results.add(avg("host.steal", host.stealShare(), "share of all CPUs"));
        results.add(avg("host.others.cpu", host.othersShare(), "share of all CPUs"));
        if (Double.isFinite(host.engineShare())) {
            results.add(avg("engine.cpu", host.engineShare(), "share of all CPUs"));
        }
        if (Double.isFinite(host.mostStolenCpuShare())) {
            results.add(avg("host.steal.mostStolenCpu", host.mostStolenCpuShare(), "share of one CPU"));
        }
        if (Double.isFinite(host.engineThreadCpuStealShare())) {
            results.add(avg("host.steal.engineThreadCpu", host.engineThreadCpuStealShare(), "share of one CPU"));
        }
        if (Double.isFinite(host.engineThreadCpuShare())) {
            results.add(avg("engine.thread.cpu", host.engineThreadCpuShare(), "share of one CPU"));
        }
        if (Double.isFinite(host.engineThreadRunQueueShare())) {
            results.add(avg("engine.thread.runQueue", host.engineThreadRunQueueShare(), "share of its runnable time"));
        }
        return results;
    }

    /**
     * The wave as the engine's own {@code /metrics} counted it: {@code server.promptTokens} and
     * {@code server.generatedTokens} with their difference from ours in %, running and waiting
     * requests, the KV cache's largest use, the prefix cache's hit rate. What the engine does not
     * expose is left out.
     */
    static List<Result> serverResults(ServerWave s) {
        List<Result> results = new ArrayList<>();
        finite(results, "server.promptTokens", s.promptTokens(), "tokens");
        finite(results, "server.generatedTokens", s.generatedTokens(), "tokens");
        finite(results, "server.promptTokens.diff", s.promptDifferencePercent(), "% of ours");
        finite(results, "server.generatedTokens.diff", s.generatedDifferencePercent(), "% of ours");
        finite(results, "server.requests.running.mean", s.runningMean(), "requests");
        if (Double.isFinite(s.runningMax())) {
            results.add(new ScalarResult("server.requests.running.max", s.runningMax(), "requests", AggregationPolicy.MAX));
        }
        finite(results, "server.requests.waiting.mean", s.waitingMean(), "requests");
        if (Double.isFinite(s.waitingMax())) {
            results.add(new ScalarResult("server.requests.waiting.max", s.waitingMax(), "requests", AggregationPolicy.MAX));
        }
        if (Double.isFinite(s.kvCacheMax())) {
            results.add(new ScalarResult("server.kvCache.max", s.kvCacheMax(), "share", AggregationPolicy.MAX));
        }
        finite(results, "server.prefixCache.hitRate", s.prefixCacheHitRate(), "share");
        finite(results, "server.speculative.acceptance", s.draftAcceptance(),
                "share (engine-wide counters: accepted / proposed draft tokens in the wave)");
        return results;
    }

    private static void finite(List<Result> results, String label, double value, String unit) {
        if (Double.isFinite(value)) {
            results.add(avg(label, value, unit));
        }
    }

    /**
     * What starting the trial's managed engine cost, as the host measured it before this fork began
     * ({@link LaunchedEndpoint}): {@code engine.startup.seconds}, {@code <sensor label>.engine.startup.J}
     * and {@code engine.startup.reused} (1 when an earlier trial's engine served this one, whose
     * start-up is then 0: the cost belongs to the trial that paid it). The same in every iteration,
     * so JMH's average is the figure. Empty for an engine not launched by the host.
     */
    static List<Result> startup(LaunchedEndpoint launched) {
        if (launched == null) {
            return List.of();
        }
        List<Result> out = new ArrayList<>();
        out.add(new ScalarResult("engine.startup.seconds", launched.startupSeconds(), "s", AggregationPolicy.AVG));
        out.add(new ScalarResult("engine.startup.reused", launched.reused() ? 1 : 0, "boolean", AggregationPolicy.MAX));
        launched.startupJoules().forEach((label, joules) ->
                out.add(new ScalarResult(label + ".engine.startup.J", joules, "J", AggregationPolicy.AVG)));
        return out;
    }

    private int measured;

    /**
     * A warning for the first measured wave of a fork that had no warm-up iteration: the JVM's
     * compiler, the connection pool and the engine's caches are cold, and its latencies read high
     * (TTFT p50 126 ms against 51 ms in the next wave, seen with {@code -wi 0}). Null otherwise.
     */
    String coldJvm(BenchmarkParams benchmark, IterationParams iteration) {
        if (iteration.getType() != org.openjdk.jmh.runner.IterationType.MEASUREMENT) {
            return null;
        }
        measured++;
        if (measured != 1 || benchmark == null || benchmark.getWarmup().getCount() > 0) {
            return null;
        }
        return "the first measured wave ran with no warm-up iteration before it (-wi 0): its latencies include a cold"
                + " JVM and engine; give -wi 1 or more, or read it apart from the others";
    }

    private static void putWarning(Map<String, String> warnings, String key, String warning, BenchmarkSpec spec) {
        if (warning != null) {
            warnings.put(key, warning);
            System.err.println("tokenpowerbench: " + warning + " (" + spec.describe() + ")");
        }
    }

    /** The wave's figures as JMH results; one that does not exist for this wave is left out. */
    static List<Result> results(WaveMetrics m, boolean openLoop) {
        List<Result> results = new ArrayList<>();
        percentiles(results, "ttft", m.ttft());
        percentiles(results, "tpot", m.tpot());
        percentiles(results, "e2e", m.e2e());
        // queue is the client's wait, not the server's: said in the unit, where the figure is read
        percentiles(results, "queue", m.queue(), openLoop ? "ms behind schedule (client side)"
                : "ms waiting for one of batch slots (client side)");
        if (m.latency() != null) {
            percentiles(results, "latency", m.latency());
        }
        if (m.ttfat() != null) {
            percentiles(results, "ttfat", m.ttfat());
        }
        percentiles(results, "itl", m.itl());
        if (m.itl().count() > 0) {
            // the longest gap: a stall the server recovered from shows here, not in the percentiles
            results.add(new ScalarResult("itl.max", m.itl().max(), "ms", AggregationPolicy.MAX));
        }
        if (m.clientLag() != null && m.clientLag().lagMs().count() > 0) {
            // the client's own lateness: a latency above is client-bound where it is of this order
            results.add(avg("client.lag.p99", m.clientLag().lagMs().p99(), "ms"));
            results.add(new ScalarResult("client.lag.max", m.clientLag().lagMs().max(), "ms", AggregationPolicy.MAX));
            if (Double.isFinite(m.clientLag().cpuShare())) {
                results.add(avg("client.cpu", m.clientLag().cpuShare(), "share of all cores"));
            }
            if (m.clientLag().readerLagMs().count() > 0) {
                // the selector readers' own lag: a read waiting behind the other streams ready at the same moment
                results.add(avg("client.readerLag.p99", m.clientLag().readerLagMs().p99(), "ms"));
                results.add(new ScalarResult("client.readerLag.max", m.clientLag().readerLagMs().max(), "ms",
                        AggregationPolicy.MAX));
            }
        }
        if (!m.tokenSource().equals(TokenCountSource.NONE.label())) { // no count at all is no figure, never a zero
            results.add(avg("output.tokens/s", m.outputTokensPerSecond(), "tokens/s"));
            if (Double.isFinite(m.peakOutputTokensPerSecond())) {
                // the busiest second of the wave, in tokens (chunks weighted by the tokens they carried)
                results.add(avg("output.tokens/s.peak", m.peakOutputTokensPerSecond(), "tokens/s"));
            }
            results.add(avg("tokens.output." + m.tokenSource(), m.outputTokens(), "tokens"));
            results.add(avg("tokens.prompt." + m.tokenSource(), m.promptTokens(), "tokens"));
        }
        // what the latency and per-token figures cover: the succeeded requests (failed ones are counted apart)
        results.add(avg("requests.succeeded", m.succeeded(), "requests"));
        results.add(avg("requests.failed", m.failed(), "requests"));
        // resent after a pooled connection died unanswered: handled, but a server that closes kept-alive
        // connections costs every request a round trip, and the count says so
        results.add(avg("requests.retries", m.retries(), "retries"));
        if (openLoop) {
            // achieved against offered (-p rate): a server that cannot keep up falls behind the schedule
            results.add(avg("requests/s", m.requestsPerSecond(), "requests/s"));
        }
        if (m.goodput() != null) {
            Goodput g = m.goodput();
            results.add(avg("goodput.share", g.share(), "share"));
            results.add(avg("goodput.requests/s", g.requestsPerSecond(), "requests/s"));
            results.add(avg("goodput.outputTokens/s", g.outputTokensPerSecond(), "tokens/s"));
        }
        if (m.cachedPromptTokens() >= 0) {
            // the server said how much of the prompts its prefix cache served: that part had no prefill
            results.add(avg("tokens.prompt.cached", m.cachedPromptTokens(), "tokens"));
        }
        if (Double.isFinite(m.shareOfRequested())) {
            results.add(avg("tokens.output.ofRequested", m.shareOfRequested(), "share"));
        }
        return results;
    }

    /**
     * Per replica of a deployment of several ({@code -p 'engine=http://a:8000|http://b:8000'}):
     * {@code replica.<i>.requests} sent to it, {@code replica.<i>.failed} of those, and
     * {@code replica.<i>.ttft.p50} of its succeeded ones, so that a slow or failing replica shows
     * beside the deployment's figures above. Nothing for an engine of one server. Energy is not
     * split per replica: the sensors measure what they measure (a node, the cluster), not a replica.
     */
    static List<Result> replicaResults(List<org.tokenpowerbench.client.RequestTimeline> requests) {
        // the same per-replica figures the run folder gets (ReplicaFigures), as JMH results
        List<Result> results = new ArrayList<>();
        for (ReplicaFigures f
                : ReplicaFigures.of(requests, List.of(), Double.NaN)) {
            String prefix = "replica." + f.replica() + ".";
            results.add(avg(prefix + "requests", f.requests(), "requests"));
            results.add(avg(prefix + "failed", f.failed(), "requests"));
            if (Double.isFinite(f.ttftP50Ms())) {
                results.add(avg(prefix + "ttft.p50", f.ttftP50Ms(), "ms"));
            }
        }
        return results;
    }

    private static ScalarResult avg(String label, double value, String unit) {
        return new ScalarResult(label, value, unit, AggregationPolicy.AVG);
    }

    private static void percentiles(List<Result> results, String name, Distribution d) {
        percentiles(results, name, d, "ms");
    }

    private static void percentiles(List<Result> results, String name, Distribution d, String unit) {
        if (d.count() == 0) {
            return;
        }
        results.add(avg(name + ".p50", d.p50(), unit));
        results.add(avg(name + ".p90", d.p90(), unit));
        results.add(avg(name + ".p99", d.p99(), unit));
    }

    /**
     * The system property with the share by which a wave's produced output tokens may differ from
     * those requested before a warning is printed and written (default 0: any difference). A
     * server that ignores {@code ignore_eos} / {@code min_tokens} stops early, and then every
     * per-output-token figure is over fewer tokens than the benchmark meant.
     */
    public static final String OUTPUT_TOLERANCE = "tpb.outputTolerance";

    static double outputTolerance() {
        String v = System.getProperty(OUTPUT_TOLERANCE, "0");
        try {
            double t = Double.parseDouble(v.trim());
            if (t >= 0 && t <= 1) {
                return t;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new UserError(OUTPUT_TOLERANCE + "=" + v + " is not a share from 0 to 1: give e.g. "
                + "-jvmArgsAppend -D" + OUTPUT_TOLERANCE + "=0.05 (5 %)");
    }
}
