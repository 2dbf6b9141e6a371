package org.tokenpowerbench.jmh;

import org.tokenpowerbench.UserError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.stats.Distribution;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.Goodput;
import org.tokenpowerbench.workload.PeakThroughput;
import org.tokenpowerbench.workload.WaveRecord;

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

    public RequestMetricsProfiler() {
    }

    public RequestMetricsProfiler(String ignored) {
    }

    @Override
    public String getDescription() {
        return "TokenPowerBench request metrics: TTFT, TPOT, ITL, E2E percentiles, tokens/s, token counts";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        WaveLedger.clear();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        WaveLedger.Entry entry = WaveLedger.latest();
        if (entry == null) {
            return List.of();
        }
        WaveRecord wave = entry.wave();
        List<RequestTimeline> ok = wave.requests().stream().filter(RequestTimeline::succeeded).toList();
        List<Result> results = new ArrayList<>();
        ObjectNode json = RunDirectory.current().newObject();
        json.put("kind", "requests");
        json.put("trial", entry.spec().describe());
        json.put("iteration", iterationParams.getType().name().toLowerCase());
        json.put("promptTokenization", entry.promptTokenization());
        distribution(results, json, "ttft", ok, RequestTimeline::ttftMillis);
        distribution(results, json, "tpot", ok, RequestTimeline::tpotMillis);
        distribution(results, json, "e2e", ok, RequestTimeline::e2eMillis);
        distribution(results, json, "queue", wave.requests(), RequestTimeline::queueMillis);
        if (entry.spec().openLoop()) {
            // due to last token: what a user arriving on schedule waited (queue is never hidden)
            distribution(results, json, "latency", ok, r -> r.queueMillis() + r.e2eMillis());
        }
        if (ok.stream().anyMatch(r -> r.firstAnswerNanos() != r.firstTokenNanos())) {
            // a reasoning model: time to the first answer token, beside TTFT (first generated token)
            distribution(results, json, "ttfat", ok, RequestTimeline::ttfatMillis);
        }
        LatencyHistogram itl = new LatencyHistogram();
        ok.forEach(r -> itl.addAll(r.itl()));
        add(results, json, "itl", Distribution.of(itl));

        String source = tokenSource(ok);
        double seconds = wave.seconds();
        long out = wave.outputTokens();
        long prompt = wave.promptTokens();
        long requested = ok.stream().mapToLong(RequestTimeline::requestedOutputTokens).sum();
        results.add(new ScalarResult("output.tokens/s", out / seconds, "tokens/s", AggregationPolicy.AVG));
        PeakThroughput peak = PeakThroughput.of(wave);
        if (peak != null) {
            // the busiest second of the wave, in tokens (chunks weighted by the tokens they carried)
            results.add(new ScalarResult("output.tokens/s.peak", peak.tokensPerSecond(), "tokens/s",
                    AggregationPolicy.AVG));
            json.put("peakOutputTokensPerSecond", peak.tokensPerSecond());
        } else {
            json.put("peakOutputTokensPerSecond", "not measured: the wave is shorter than the 1 s window, or no request has a token count");
        }
        results.add(new ScalarResult("tokens.output." + source, out, "tokens", AggregationPolicy.AVG));
        results.add(new ScalarResult("tokens.prompt." + source, prompt, "tokens", AggregationPolicy.AVG));
        // what the latency and per-token figures cover: the succeeded requests (failed ones are counted apart)
        results.add(new ScalarResult("requests.succeeded", ok.size(), "requests", AggregationPolicy.AVG));
        results.add(new ScalarResult("requests.failed", wave.failedRequests(), "requests", AggregationPolicy.AVG));
        if (entry.spec().openLoop()) {
            // achieved against offered (-p rate): a server that cannot keep up falls behind the schedule
            results.add(new ScalarResult("requests/s", ok.size() / seconds, "requests/s", AggregationPolicy.AVG));
            json.put("arrivals", entry.spec().arrivalProcess().describe());
            json.put("maxConcurrency", entry.spec().maxConcurrency());
            json.put("warmupRequests", entry.spec().warmupRequests());
            json.put("requestsPerSecond", ok.size() / seconds);
        }
        Goodput goodput = entry.goodput();
        if (goodput != null) {
            goodput(results, json, goodput);
        }
        json.put("seconds", seconds);
        if (entry.spec().waveSeconds() > 0) {
            // a timed wave cycles through the prompt set: say how often a prompt came back
            json.put("waveSeconds", entry.spec().waveSeconds());
            json.put("distinctPrompts", Math.min(entry.spec().prompts(), wave.requests().size()));
        }
        json.put("requests", wave.requests().size());
        json.put("failed", wave.failedRequests());
        json.put("outputTokens", out);
        json.put("requestedOutputTokens", requested);
        json.put("promptTokens", prompt);
        json.put("tokenCountSource", source);
        json.put("outputTokensPerSecond", out / seconds);
        long cached = ok.stream().mapToLong(r -> Math.max(0, r.cachedPromptTokens())).sum();
        if (ok.stream().anyMatch(r -> r.cachedPromptTokens() >= 0)) {
            // the server said how much of the prompts its prefix cache served: that part had no prefill
            results.add(new ScalarResult("tokens.prompt.cached", cached, "tokens", AggregationPolicy.AVG));
            json.put("cachedPromptTokens", cached);
            if (cached > 0) {
                String warning = cached + " of " + prompt + " prompt tokens were served from the server's prefix cache,"
                        + " so prefill time and energy cover only the rest; for a prefill every wave, add ;prefixCache=off"
                        + " to the engine URL (vLLM) or start the server without prefix caching";
                json.put("prefixCacheWarning", warning);
                System.err.println("tokenpowerbench: " + warning + " (" + entry.spec().describe() + ")");
            }
        }
        long mismatched = ok.stream().filter(r -> r.outputTokens() >= 0
                && r.outputTokens() != r.requestedOutputTokens()).count();
        json.put("requestsWithOtherOutputLength", mismatched);
        if (requested > 0) {
            results.add(new ScalarResult("tokens.output.ofRequested", (double) out / requested, "share",
                    AggregationPolicy.AVG));
        }
        double tolerance = outputTolerance();
        if (requested > 0 && Math.abs(out - requested) > tolerance * requested) {
            String warning = "produced " + out + " output tokens where " + requested + " were requested ("
                    + mismatched + " of " + ok.size() + " requests differ; tolerance " + tolerance
                    + ", -jvmArgsAppend -D" + OUTPUT_TOLERANCE + "=...)";
            json.put("warning", warning);
            System.err.println("tokenpowerbench: " + warning + " (" + entry.spec().describe() + ")");
        }
        RunDirectory.current().appendJsonLine("iterations.jsonl", json);
        return results;
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

    /** Share and rate of the requests that met every SLO; energy per good token is the power profilers' part. */
    private static void goodput(List<Result> results, ObjectNode json, Goodput g) {
        results.add(new ScalarResult("goodput.share", g.share(), "share", AggregationPolicy.AVG));
        results.add(new ScalarResult("goodput.requests/s", g.requestsPerSecond(), "requests/s", AggregationPolicy.AVG));
        results.add(new ScalarResult("goodput.outputTokens/s", g.outputTokensPerSecond(), "tokens/s",
                AggregationPolicy.AVG));
        ObjectNode node = json.putObject("goodput");
        node.put("slo", g.slo().describe());
        node.put("requests", g.requests());
        node.put("good", g.good());
        node.put("share", g.share());
        node.put("goodOutputTokens", g.goodOutputTokens());
        node.put("requestsPerSecond", g.requestsPerSecond());
    }

    private static String tokenSource(List<RequestTimeline> ok) {
        if (ok.isEmpty()) {
            return TokenCountSource.NONE.label();
        }
        TokenCountSource first = ok.get(0).tokenSource();
        boolean same = ok.stream().allMatch(r -> r.tokenSource() == first);
        return same ? first.label() : "mixed";
    }

    private static void distribution(List<Result> results, ObjectNode json, String name, List<RequestTimeline> requests,
                                     ToDoubleFunction<RequestTimeline> metric) {
        add(results, json, name, Distribution.of(requests.stream().mapToDouble(metric).toArray()));
    }

    private static void add(List<Result> results, ObjectNode json, String name, Distribution d) {
        ObjectNode node = json.putObject(name + "Ms");
        node.put("count", d.count());
        if (d.count() == 0) {
            return;
        }
        node.put("mean", d.mean());
        node.put("p50", d.p50());
        node.put("p90", d.p90());
        node.put("p99", d.p99());
        node.put("max", d.max());
        results.add(new ScalarResult(name + ".p50", d.p50(), "ms", AggregationPolicy.AVG));
        results.add(new ScalarResult(name + ".p90", d.p90(), "ms", AggregationPolicy.AVG));
        results.add(new ScalarResult(name + ".p99", d.p99(), "ms", AggregationPolicy.AVG));
    }
}
